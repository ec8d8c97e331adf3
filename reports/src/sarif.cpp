// results.sarif (SARIF 2.1.0), and the path and stack building blocks the
// renderers share (render.h).
#include <algorithm>
#include <array>
#include <filesystem>
#include <string>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include "racelab/report/render.h"

namespace racelab::report {

namespace fs = std::filesystem;

std::optional<std::string> in_repository(const std::string& file, const std::string& source_root) {
  if (file.empty()) return std::nullopt;
  if (source_root.empty()) return file;
  const fs::path path(file);
  fs::path root = fs::path(source_root).lexically_normal();
  if (!root.has_filename() && root.has_relative_path()) root = root.parent_path();  // "/a/b/"
  if (path.is_relative()) {
    std::error_code ec;
    if (!fs::exists(root / path, ec)) return std::nullopt;
    return path.lexically_normal().generic_string();
  }
  const fs::path relative = path.lexically_normal().lexically_relative(root);
  const std::string text = relative.generic_string();
  if (text.empty() || text == "." || text == ".." || text.starts_with("../")) return std::nullopt;
  return text;
}

bool is_access_stack(const Stack& stack) {
  const std::string& t = stack.title;
  return !t.starts_with("Thread ") && !t.starts_with("Location is ") &&
         !(t.starts_with("Mutex ") && t.find("acquired") == std::string::npos);
}

std::vector<const Stack*> access_stacks(const Finding& finding) {
  std::vector<const Stack*> stacks;
  for (const Stack& s : finding.stacks)
    if (is_access_stack(s)) stacks.push_back(&s);
  if (stacks.empty())
    for (const Stack& s : finding.stacks)
      if (!s.frames.empty()) stacks.push_back(&s);
  return stacks;
}

std::string frame_text(const Frame& f) {
  std::string where = f.file.empty() ? f.module : f.file;
  if (f.line > 0) where += fmt::format(":{}", f.line);
  return fmt::format("{} {}", f.function.empty() ? "??" : f.function, where);
}

std::vector<std::string> top_frame_texts(const Finding& finding) {
  std::vector<std::string> frames;
  for (const Stack* stack : access_stacks(finding)) {
    std::vector<Frame> user = user_frames(*stack);
    if (!user.empty()) frames.push_back(frame_text(user.front()));
    if (frames.size() == 2) break;
  }
  return frames;
}

namespace {

using nlohmann::json;

constexpr const char* kSignatureKey = "racelabSignature/v1";
constexpr const char* kTsanHelpUri = "https://clang.llvm.org/docs/ThreadSanitizer.html";

struct RuleText {
  const char* id;
  const char* name;
  const char* level;
  const char* short_text;
  const char* full_text;
  const char* help;
};

// The rules, in a fixed order: their indexes are the same in every file.
constexpr std::array kRules = {
    RuleText{"tsan/data-race", "DataRace", "error", "Data race.",
             "Two threads accessed the same memory location concurrently, at least one of them "
             "writing, and nothing ordered the accesses (ThreadSanitizer).",
             "Make the accesses ordered: guard the data with one mutex, make it std::atomic, or "
             "publish it before the other thread starts (or after it is joined)."},
    RuleText{"tsan/data-race-vptr", "DataRaceOnVptr", "error", "Data race on a vtable pointer.",
             "An object was destroyed (its vtable pointer rewritten) while another thread called "
             "one of its virtual functions (ThreadSanitizer).",
             "Make sure no thread can still use an object when it is destroyed: join or "
             "synchronize with every user first."},
    RuleText{"tsan/heap-use-after-free", "HeapUseAfterFree", "error",
             "Heap memory used after it was freed.",
             "A thread accessed heap memory that another thread had already freed "
             "(ThreadSanitizer).",
             "Tie the memory's lifetime to its users: shared ownership, or join the users before "
             "freeing."},
    RuleText{"tsan/heap-use-after-free-vptr", "HeapUseAfterFreeVptr", "error",
             "Virtual call on a freed object.",
             "A thread called a virtual function of an object another thread had already freed "
             "(ThreadSanitizer).",
             "Tie the object's lifetime to its users: shared ownership, or join the users before "
             "deleting it."},
    RuleText{"tsan/thread-leak", "ThreadLeak", "warning", "Thread leak.",
             "A thread was neither joined nor detached when the program ended (ThreadSanitizer).",
             "Join every thread the program starts (std::jthread does it on destruction)."},
    RuleText{"tsan/locked-mutex-destroy", "LockedMutexDestroy", "error",
             "Mutex destroyed while locked.",
             "A mutex was destroyed while a thread still held it (ThreadSanitizer).",
             "Unlock before destroying, and make sure no thread can still hold or wait for the "
             "mutex when its owner goes away."},
    RuleText{"tsan/mutex-double-lock", "MutexDoubleLock", "error",
             "Mutex locked twice by the same thread.",
             "A thread locked a non-recursive mutex that it already held: it deadlocks on itself "
             "(ThreadSanitizer).",
             "Do not call code that takes the lock while holding it; split the function into a "
             "locked and an unlocked part."},
    RuleText{"tsan/mutex-invalid-access", "MutexInvalidAccess", "error",
             "Use of an invalid mutex.",
             "A mutex was used before it was initialized or after it was destroyed "
             "(ThreadSanitizer).",
             "Make the mutex outlive every thread that uses it."},
    RuleText{"tsan/mutex-bad-unlock", "MutexBadUnlock", "error",
             "Unlock of a mutex the thread does not hold.",
             "A thread unlocked a mutex that it did not hold (ThreadSanitizer).",
             "Unlock only what the thread locked: use std::lock_guard or std::unique_lock."},
    RuleText{"tsan/mutex-bad-read-lock", "MutexBadReadLock", "error",
             "Read lock of a mutex the thread holds for writing.",
             "A thread took a shared (read) lock of a mutex it already held exclusively "
             "(ThreadSanitizer).",
             "Do not take the shared lock while holding the exclusive one."},
    RuleText{"tsan/mutex-bad-read-unlock", "MutexBadReadUnlock", "error",
             "Read unlock of a mutex not held for reading.",
             "A thread released a shared (read) lock that it did not hold (ThreadSanitizer).",
             "Pair every shared lock with its unlock: use std::shared_lock."},
    RuleText{"tsan/signal-unsafe-call", "SignalUnsafeCall", "error",
             "Async-signal-unsafe call in a signal handler.",
             "A signal handler called a function that is not async-signal-safe, such as malloc "
             "(ThreadSanitizer).",
             "In a signal handler, only set a volatile std::sig_atomic_t or a lock-free atomic; "
             "do the work elsewhere."},
    RuleText{"tsan/errno-in-signal-handler", "ErrnoInSignalHandler", "error",
             "Signal handler changes errno.",
             "A signal handler changed errno, which the interrupted code may be about to read "
             "(ThreadSanitizer).",
             "Save errno on entry to the handler and restore it before returning."},
    RuleText{"tsan/lock-order-inversion", "LockOrderInversion", "error",
             "Lock-order inversion (potential deadlock).",
             "Two or more mutexes were taken in different orders by different threads: a "
             "wait-for cycle, hence a deadlock, is possible (ThreadSanitizer).",
             "Take the mutexes in one global order, or together with std::scoped_lock."},
    RuleText{"tsan/external-race", "ExternalRace", "error", "Race on an annotated object.",
             "Two threads used an object that a library annotated for ThreadSanitizer without "
             "ordering the uses.",
             "Order the uses as the library documents (usually: one thread at a time)."},
    RuleText{"tsan/mutex-held-in-wrong-context", "MutexHeldInWrongContext", "error",
             "Mutex held where none may be.",
             "Code that must run with no mutex held (checked with __tsan_check_no_mutexes_held) "
             "ran while the thread held one (ThreadSanitizer).",
             "Release the mutex before calling into that code."},
    RuleText{"tsan/unknown", "UnknownTsanReport", "error", "Unrecognised ThreadSanitizer report.",
             "ThreadSanitizer printed a report racelab does not recognise.",
             "Read the report's headline and stacks."},
    RuleText{"racelab/deadlock", "Deadlock", "error", "Deadlock.",
             "The harness saw a wait-for cycle among threads: each waits for a lock another one "
             "holds.",
             "Take the locks in one global order, or together with std::scoped_lock."},
    RuleText{"racelab/self_deadlock", "SelfDeadlock", "error", "Self-deadlock.",
             "A thread tried to lock a non-recursive mutex that it already held.",
             "Do not call code that takes the lock while holding it."},
    RuleText{"racelab/livelock", "Livelock", "error", "Livelock.",
             "Threads kept running without making progress (no progress() report within the "
             "limit).",
             "Break the symmetry: back off with randomised delays, or order the competing "
             "threads."},
    RuleText{"racelab/hang", "Hang", "error", "Hang.",
             "Threads stayed blocked without a wait-for cycle: a lost wakeup, a lock never "
             "released, or the run's time limit.",
             "Wait on a condition variable with a predicate, notify after changing the state "
             "under the lock, and release locks on every path (RAII)."},
    RuleText{"racelab/invariant_violated", "InvariantViolated", "error", "Invariant violated.",
             "The case's own check of its result failed (a lost update, an overbooking, …): "
             "the symptom of a race or of a wrong protocol.",
             "Find the unprotected read-modify-write or check-then-act; make it one atomic step."},
    RuleText{"racelab/exception_lost", "ExceptionLost", "error", "Exception lost.",
             "An exception escaped a thread: nothing would have seen it.",
             "Catch in the thread and hand the exception over (std::promise, std::packaged_task, "
             "std::exception_ptr)."},
    RuleText{"racelab/thread_leak", "ThreadLeakAtEndOfRun", "warning", "Thread leak.",
             "A case thread was still running, or was never joined, at the end of a run.",
             "Join every thread before the state it uses goes away."},
    RuleText{"racelab/mutex_misuse", "MutexMisuse", "error", "Mutex misuse.",
             "A mutex was unlocked by a thread that did not own it, destroyed while locked, or "
             "used when invalid.",
             "Lock and unlock in one thread with RAII guards; keep mutexes alive while used."},
    RuleText{"racelab/process_leak", "ProcessLeak", "error", "Process leak.",
             "A process the run started (a child, or one that escaped with setsid() or a double "
             "fork) was still alive when the run ended; racelab killed it.",
             "Wait for every child before exiting; stop daemons the program starts."},
    RuleText{"racelab/crash", "Crash", "error", "Crash.",
             "The run's process died of a signal.",
             "Re-run the run's command under a debugger; look for a use after free or a "
             "dangling reference."},
};

std::size_t rule_index(const std::string& id) {
  for (std::size_t i = 0; i < kRules.size(); ++i)
    if (id == kRules[i].id) return i;
  return kRules.size();
}

// `s` with every ill-formed UTF-8 byte replaced by U+FFFD: JSON strings must
// be Unicode (and nlohmann's dump() throws on anything else). Program output
// and symbol names are not always UTF-8.
std::string utf8(std::string s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0x80) {
      std::string out = s.substr(0, i);
      while (i < s.size()) {
        const std::size_t n = utf8_length(s, i);
        if (n == 0) {
          out += "\xEF\xBF\xBD";
          ++i;
        } else {
          out.append(s, i, n);
          i += n;
        }
      }
      return out;
    }
  return s;
}

json text(std::string s) {
  json j = json::object();
  j["text"] = utf8(std::move(s));
  return j;
}

// Percent-encodes a path for a URI: unreserved characters and '/' stay.
std::string uri_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    const unsigned char c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || c == '/')
      out += ch;
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string file_uri(const std::string& absolute) {
  return "file://" + uri_path(fs::path(absolute).lexically_normal().generic_string());
}

// Options and, per file, where it lies: a campaign's frames name few files,
// many times over.
class Context {
 public:
  explicit Context(const RenderOptions& options) : options(options) {}

  const RenderOptions& options;

  /// An artifactLocation for `file`: repo-relative under SRCROOT when it lies
  /// under the root; else, when `outside` allows, its own file: URI.
  const std::optional<json>& artifact(const std::string& file, bool outside) {
    auto [it, inserted] = cache_.try_emplace(file);
    Entry& e = it->second;
    if (inserted && !file.empty()) {
      const std::string own =
          fs::path(file).is_absolute() ? file_uri(file) : uri_path(file);
      if (auto rel = in_repository(file, options.source_root)) {
        e.in_repository = options.source_root.empty()
                              ? json{{"uri", own}}
                              : json{{"uri", uri_path(*rel)}, {"uriBaseId", "SRCROOT"}};
        e.anywhere = e.in_repository;
      } else {
        e.anywhere = json{{"uri", own}};
      }
    }
    return outside ? e.anywhere : e.in_repository;
  }

 private:
  struct Entry {
    std::optional<json> in_repository, anywhere;
  };
  std::unordered_map<std::string, Entry> cache_;
};

json physical(const json& artifact_location, const Frame& f) {
  json p = json::object();
  p["artifactLocation"] = artifact_location;
  if (f.line > 0) {
    json& region = p["region"];
    region["startLine"] = f.line;
    if (f.column > 0) region["startColumn"] = f.column;
  }
  return p;
}

json logical(const Frame& f) {
  return json::array({{{"fullyQualifiedName", utf8(f.function)}, {"kind", "function"}}});
}

// Whether frame #index of a stack is one of its user frames.
bool listed(const std::vector<Frame>& user, int index) {
  return std::any_of(user.begin(), user.end(), [&](const Frame& f) { return f.index == index; });
}

// The frame a result points at in `stack`: its first user frame in the
// repository, else its first frame in the repository (racelab's own).
const Frame* repository_frame(const Stack& stack, Context& c) {
  const std::vector<Frame> user = user_frames(stack);
  const Frame* any = nullptr;
  for (const Frame& f : stack.frames) {
    if (!c.artifact(f.file, false)) continue;
    if (listed(user, f.index)) return &f;
    if (any == nullptr) any = &f;
  }
  return any;
}

json repository_location(const Frame& f, Context& c) {
  json location = {{"physicalLocation", physical(*c.artifact(f.file, false), f)}};
  if (!f.function.empty()) location["logicalLocations"] = logical(f);
  return location;
}

// One threadFlow: the stack's frames, outermost first (execution order), the
// access itself last.
json thread_flow(const Stack& stack, Context& c) {
  json locations = json::array();
  const std::vector<Frame> user_only = user_frames(stack);
  const int depth = static_cast<int>(stack.frames.size());
  for (int k = depth - 1; k >= 0; --k) {
    const Frame& f = stack.frames[static_cast<std::size_t>(k)];
    json location = json::object();
    if (const auto& a = c.artifact(f.file, true)) location["physicalLocation"] = physical(*a, f);
    std::string what = fmt::format("#{} {}", f.index, f.function.empty() ? "??" : f.function);
    if (f.file.empty() && !f.module.empty()) what += fmt::format(" ({})", f.module);
    location["message"] = text(std::move(what));
    // The access itself is essential, the program's own callers important
    // (the default), the libraries' and runtime's frames unimportant.
    json step = json::object();
    step["location"] = std::move(location);
    step["nestingLevel"] = depth - 1 - k;
    if (!user_only.empty() && f.index == user_only.front().index)
      step["importance"] = "essential";
    else if (!listed(user_only, f.index))
      step["importance"] = "unimportant";
    locations.push_back(std::move(step));
  }
  // Frames right under the headline (locked-mutex-destroy) come untitled.
  return {{"message", text(stack.title.empty() ? "The report's stack" : stack.title)},
          {"locations", std::move(locations)}};
}

// "data race (pid=4242)" -> "data race".
std::string headline_of(const Finding& f) {
  std::string h = f.headline.empty() ? f.kind : f.headline;
  if (auto p = h.find(" (pid="); p != std::string::npos) h.erase(p);
  return h;
}

std::string variant_text(const VariantResult& r) { return std::string(to_string(r.variant)); }

json finding_result(const VariantResult& r, const FindingGroup& g, Context& c) {
  const std::string rule_id = utf8("tsan/" + g.example.kind);
  std::string message = fmt::format(
      "ThreadSanitizer: {} in {} ({}), {} report{}; first {}.", headline_of(g.example),
      r.case_id, variant_phrase(r.variant), g.count, g.count == 1 ? "" : "s",
      g.first_run ? fmt::format("in run {} (seed {})", *g.first_run, g.first_seed.value_or(0))
                  : std::string("at process exit, in no run"));
  if (r.variant == Variant::buggy) message += " Expected: the buggy variant exists to show it.";
  json result = {
      {"ruleId", rule_id},
      {"level", r.variant == Variant::buggy ? "warning" : "error"},
      {"message", text(std::move(message))},
      {"partialFingerprints", {{kSignatureKey, utf8(g.signature)}}},
      {"properties",
       {{"case", utf8(r.case_id)},
        {"variant", variant_text(r)},
        {"racelab/variant", variant_text(r)},
        {"count", g.count},
        {"first_run", g.first_run ? json(*g.first_run) : json(nullptr)},
        {"first_seed", g.first_seed ? json(*g.first_seed) : json(nullptr)},
        {"summary", utf8(g.example.summary)}}},
  };
  if (std::size_t index = rule_index(rule_id); index < kRules.size())
    result["ruleIndex"] = index;

  const std::vector<const Stack*> stacks = access_stacks(g.example);
  json locations = json::array();
  for (const Stack* s : stacks)
    if (const Frame* f = repository_frame(*s, c)) {
      locations.push_back(repository_location(*f, c));
      break;
    }
  if (!locations.empty()) result["locations"] = std::move(locations);

  json flows = json::array();
  for (const Stack* s : stacks)
    if (!s->frames.empty()) flows.push_back(thread_flow(*s, c));
  if (!flows.empty())
    result["codeFlows"] = json::array(
        {{{"message", text(fmt::format("{} access stack{}", flows.size(),
                                       flows.size() == 1 ? "" : "s"))},
          {"threadFlows", std::move(flows)}}});

  // Where the threads and mutexes were created and the memory allocated.
  json related = json::array();
  for (const Stack& s : g.example.stacks) {
    if (std::find(stacks.begin(), stacks.end(), &s) != stacks.end()) continue;
    const Frame* f = repository_frame(s, c);
    if (f == nullptr) continue;
    json location = repository_location(*f, c);
    location["id"] = related.size();
    location["message"] = text(s.title);
    related.push_back(std::move(location));
  }
  if (!related.empty()) result["relatedLocations"] = std::move(related);
  return result;
}

// Whether ThreadSanitizer findings already describe a run's verdict.
bool described_by_findings(const VariantResult& r, Verdict v) {
  if (v == Verdict::data_race || v == Verdict::lock_order_inversion) return true;
  if (v != Verdict::mutex_misuse) return false;
  return std::any_of(r.findings.begin(), r.findings.end(), [](const FindingGroup& g) {
    return g.example.kind.starts_with("mutex-") || g.example.kind == "locked-mutex-destroy";
  });
}

json verdict_result(const VariantResult& r, const FirstFailure& f, Context& c) {
  const RenderOptions& o = c.options;
  const std::string verdict(to_string(f.verdict));
  const std::string rule_id = "racelab/" + verdict;
  const std::int64_t count = r.verdicts.contains(f.verdict) ? r.verdicts.at(f.verdict) : 1;
  std::string message =
      fmt::format("{} in {} ({}): {} of {} runs; first in run {} (seed {}){}{}", verdict,
                  r.case_id, variant_phrase(r.variant), count, r.runs, f.run, f.seed,
                  f.detail.empty() ? "" : ": ", f.detail);
  if (!message.ends_with('.')) message += '.';
  if (!f.command.empty()) message += " Re-run it: " + f.command;
  // The fingerprint is the first failure's verdict signature (what happened
  // and where), so two different crashes of a case are two alerts.
  std::string fingerprint = fmt::format("{}|{}", rule_id, r.case_id);
  for (const VerdictGroup& g : r.verdict_groups)
    if (g.verdict == f.verdict && g.first_run == f.run) fingerprint = g.signature;
  json result = {
      {"ruleId", rule_id},
      {"level", r.variant == Variant::buggy ? "warning" : "error"},
      {"message", text(std::move(message))},
      {"partialFingerprints",
       {{kSignatureKey, utf8(fmt::format("{}|{}", fingerprint, variant_text(r)))}}},
      {"properties",
       {{"case", utf8(r.case_id)},
        {"variant", variant_text(r)},
        {"racelab/variant", variant_text(r)},
        {"count", count},
        {"first_run", f.run},
        {"first_seed", f.seed},
        {"detail", utf8(f.detail)},
        {"command", utf8(f.command)}}},
  };
  if (std::size_t index = rule_index(rule_id); index < kRules.size())
    result["ruleIndex"] = index;
  // The variant's source, when the catalogue's layout is there to point at.
  if (!o.source_root.empty()) {
    const std::string file = fmt::format("cases/{}/{}.cpp", r.case_id, variant_text(r));
    std::error_code ec;
    if (fs::is_regular_file(fs::path(o.source_root) / file, ec))
      result["locations"] = json::array(
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", uri_path(file)}, {"uriBaseId", "SRCROOT"}}}}}}});
  }
  return result;
}

json rule_json(const RuleText& rule) {
  json j = {
      {"id", rule.id},
      {"name", rule.name},
      {"shortDescription", text(rule.short_text)},
      {"fullDescription", text(rule.full_text)},
      {"help", text(rule.help)},
      {"defaultConfiguration", {{"level", rule.level}}},
      {"properties",
       {{"tags", std::string_view(rule.id).starts_with("tsan/")
                     ? json::array({"concurrency", "ThreadSanitizer"})
                     : json::array({"concurrency", "racelab"})}}},
  };
  if (std::string_view(rule.id).starts_with("tsan/")) j["helpUri"] = kTsanHelpUri;
  return j;
}

}  // namespace

json to_sarif(const Summary& summary, const RenderOptions& options) {
  json rules = json::array();
  for (const RuleText& rule : kRules) rules.push_back(rule_json(rule));

  json results = json::array();
  json notifications = json::array();
  Context context(options);
  std::vector<std::string> extra_kinds;  // kinds newer than this table
  for (const VariantResult& r : summary.results) {
    for (const FindingGroup& g : r.findings) {
      const std::string id = utf8("tsan/" + g.example.kind);
      if (rule_index(id) == kRules.size() &&
          std::find(extra_kinds.begin(), extra_kinds.end(), id) == extra_kinds.end()) {
        extra_kinds.push_back(id);
        rules.push_back({{"id", id},
                         {"shortDescription", text("ThreadSanitizer: " + g.example.kind + ".")},
                         {"fullDescription", text("A ThreadSanitizer report of kind " +
                                                  g.example.kind + ".")},
                         {"help", text("Read the report's headline and stacks.")},
                         {"defaultConfiguration", {{"level", "error"}}}});
      }
      results.push_back(finding_result(r, g, context));
    }
    if (r.first_failure && r.first_failure->verdict != Verdict::infra_error &&
        r.first_failure->verdict != Verdict::clean &&
        !described_by_findings(r, r.first_failure->verdict))
      results.push_back(verdict_result(r, *r.first_failure, context));
    for (const std::string& p : r.problems)
      notifications.push_back(
          {{"level", "error"},
           {"message", text(fmt::format("{} ({}): {}", r.case_id, variant_phrase(r.variant), p))},
           {"properties", {{"case", utf8(r.case_id)}, {"variant", variant_text(r)}}}});
  }
  // ruleIndex of the rules added above.
  for (json& result : results)
    if (!result.contains("ruleIndex"))
      for (std::size_t i = kRules.size(); i < rules.size(); ++i)
        if (rules[i]["id"] == result["ruleId"]) result["ruleIndex"] = i;

  json driver = {{"name", "racelab"}, {"rules", std::move(rules)}};
  if (!options.tool_version.empty()) driver["version"] = utf8(options.tool_version);
  std::string information_uri = options.information_uri;
  if (information_uri.empty() && !options.source_root.empty()) {
    std::error_code ec;
    const fs::path readme = fs::path(options.source_root) / "README.md";
    if (fs::is_regular_file(readme, ec)) information_uri = file_uri(readme.string());
  }
  if (!information_uri.empty()) driver["informationUri"] = information_uri;

  json invocation = {{"executionSuccessful", notifications.empty()}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);

  json run = {
      {"tool", {{"driver", std::move(driver)}}},
      {"invocations", json::array({std::move(invocation)})},
      {"results", std::move(results)},
      {"columnKind", "utf16CodeUnits"},
      {"properties",
       {{"racelab/ok", summary.ok()},
        {"racelab/created", utf8(summary.created)},
        {"racelab/build",
         {{"sanitizer", utf8(summary.build.sanitizer)},
          {"compiler", utf8(summary.build.compiler)}}}}},
  };
  if (!options.source_root.empty()) {
    std::string root = file_uri(options.source_root);
    if (!root.ends_with('/')) root += '/';
    run["originalUriBaseIds"] = {
        {"SRCROOT", {{"uri", root}, {"description", text("The repository's root.")}}}};
  }
  return {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", json::array({std::move(run)})},
  };
}

}  // namespace racelab::report
