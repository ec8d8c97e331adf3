// user_frames(), signature(): which frames are the program's, and a finding's identity across runs.
#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "racelab/report/tsan.h"

namespace racelab::report {

namespace {

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](auto p) { return s.starts_with(p); });
}

bool contains_any(std::string_view s, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](auto p) { return s.find(p) != std::string_view::npos; });
}

bool is_user_frame(const Frame& f, const FrameFilter& runtime) {
  if (f.function.empty() && f.file.empty()) return false;  // unsymbolized
  // No source line and a bare C name ("malloc", "close", "usleep"): an
  // interceptor of the runtime linked into the program (newer runtimes print
  // no "__interceptor_" prefix) or a libc function. C++ functions of the
  // program have a parameter list, and a file when built with -g. A frame
  // that names only an object file ("tsan_interceptors_posix.cpp.o") is the
  // runtime's too.
  if (f.file.empty() && f.function.find_first_of("(:") == std::string::npos) return false;
  if (f.file.ends_with(".o")) return false;
  // Prefixes that only the implementation may use (names beginning with
  // "__"), and the namespace of the standard library. Thread start-up
  // (start_thread, clone) comes from libc: no source file (above) or libc's
  // module (below); a program's own clone() or pthread_pool() stays its own.
  if (starts_with_any(f.function, {"__", "std::", "void std::", "operator new", "operator delete"}))
    return false;
  // A standard-library template instantiated on a user type still lives in
  // the library's headers; the runtime's sources are compiler-rt's.
  if (contains_any(f.file, {"/include/c++/", "/usr/include/", "sanitizer_common", "compiler-rt/lib/"}))
    return false;
  for (const std::string& prefix : runtime.functions)
    if (f.function.starts_with(prefix)) return false;
  for (const std::string& part : runtime.files)
    if (f.file.find(part) != std::string::npos) return false;
  if (contains_any(f.module, {"libc.so", "libstdc++", "libclang_rt", "libtsan", "libpthread"}))
    return false;
  return true;
}

std::string basename_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string signature_function(std::string_view name) {
  if (name.find('<') == std::string_view::npos) return std::string(name);
  std::string out;
  int angles = 0, parens = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (angles == 0 && parens == 0 && name.substr(i).starts_with("operator")) {
      // The operator's own symbol ("()", "<<", "->", "[]") is its name.
      std::size_t end = i + 8;
      if (name.substr(end).starts_with("()"))
        end += 2;
      else
        while (end < name.size() && end < i + 11 && std::string_view("<>=!+-*/%&|^~[],").find(name[end]) != std::string_view::npos)
          ++end;
      out += name.substr(i, end - i);
      i = end - 1;
      continue;
    }
    const char c = name[i];
    if (c == '<') ++angles;
    else if (c == '>' && angles > 0) --angles;
    else if (angles > 0) continue;
    else if (c == '(') ++parens;
    else if (c == ')' && parens > 0) --parens;
    else if (parens == 0 && !(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
  }
  return out;
}

namespace {

// A stack's part of a signature: its top user frames, `function@file`.
std::string stack_key(const Stack& stack, const FrameFilter& runtime, int top_frames) {
  std::string key;
  int n = 0;
  for (const Frame& f : user_frames(stack, runtime)) {
    if (n++ == top_frames) break;
    key += fmt::format("{}{}@{}", key.empty() ? "" : ";", signature_function(f.function), basename_of(f.file));
  }
  return key;
}

}  // namespace

bool is_access_stack(const Finding& finding, const Stack& stack) {
  const std::string& t = stack.title;
  // Each edge of the cycle; the "previously acquired" stacks that
  // second_deadlock_stack=1 adds are left out, so the option does not change
  // the signature.
  if (finding.kind == "lock-order-inversion")
    return t.starts_with("Mutex ") && t.find("acquired here while holding") != std::string::npos;
  return !t.starts_with("Thread ") && !t.starts_with("Location is ") &&
         !t.starts_with("As if synchronized via sleep") &&
         !(t.starts_with("Mutex ") && t.find("created") != std::string::npos);
}

std::vector<const Stack*> access_stacks(const Finding& finding) {
  std::vector<const Stack*> stacks;
  for (const Stack& s : finding.stacks)
    if (is_access_stack(finding, s)) stacks.push_back(&s);
  if (stacks.empty())
    for (const Stack& s : finding.stacks)
      if (!s.frames.empty()) stacks.push_back(&s);
  return stacks;
}

std::vector<Frame> user_frames(const Stack& stack, const FrameFilter& runtime) {
  std::vector<Frame> frames;
  for (const Frame& f : stack.frames)
    if (is_user_frame(f, runtime)) frames.push_back(f);
  return frames;
}

std::string signature(const Finding& finding, const FrameFilter& runtime, int top_frames) {
  std::vector<std::string> keys;
  for (const Stack& stack : finding.stacks) {
    if (!is_access_stack(finding, stack)) continue;
    keys.push_back(stack_key(stack, runtime, top_frames));
    // Races and use-after-free: the current and the previous access.
    if (finding.kind != "lock-order-inversion" && keys.size() == 2) break;
    if (finding.kind != "lock-order-inversion" && !finding.kind.starts_with("data-race") &&
        !finding.kind.starts_with("heap-use-after-free") && finding.kind != "external-race")
      break;
  }
  if (keys.empty() && !finding.stacks.empty())
    keys.push_back(stack_key(finding.stacks.front(), runtime, top_frames));
  std::sort(keys.begin(), keys.end());
  std::string sig = finding.kind;
  for (const std::string& k : keys) sig += "|" + k;
  return sig;
}

}  // namespace racelab::report
