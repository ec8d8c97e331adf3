// 17_detached_lifetime, fixed: the auditor is joined before the session goes.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <memory>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::detached_lifetime {
namespace {

constexpr int kAudits = 50;

struct Session {
  int requests = 0;
  int audited = 0;
};

// Audits a session in the background, like the seeds' daemon threads.
racelab::thread start_audit(Session& session) {  // FIX: hands the auditor to the caller
  racelab::thread auditor([&session] {
    for (int i = 0; i < kAudits; ++i) {
      racelab::interleave();
      session.audited = session.requests;  // after the session is freed: a use-after-free
    }
  });
  return auditor;  // FIX: whoever owns the session joins its auditor
}

}  // namespace

void fixed(Run& run) {
  {
    auto session = std::make_unique<Session>();
    session->requests = 3;
    start_audit(*session).join();  // FIX: the audit ends before the session
  }  // the session is freed here
  run.check(true, "");
}

}  // namespace racelab::cases::detached_lifetime
