// 17_detached_lifetime, buggy: a detached thread uses a session after the
// session is gone.
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
void start_audit(Session& session) {
  racelab::thread auditor([&session] {
    for (int i = 0; i < kAudits; ++i) {
      racelab::interleave();
      session.audited = session.requests;  // after the session is freed: a use-after-free
    }
  });
  auditor.detach();  // BUG: nobody waits for the auditor; the session can go first
}

}  // namespace

void buggy(Run& run) {
  {
    auto session = std::make_unique<Session>();
    session->requests = 3;
    start_audit(*session);
  }  // the session is freed here
  run.check(true, "");
}

}  // namespace racelab::cases::detached_lifetime
