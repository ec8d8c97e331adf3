// programs.h — programs written the way users write them (plain std:: and
// pthread, C and C++, no racelab header), each with a header that says what
// racelab must make of it. racelab's tests hold them to it
// (tests/programs/unmodified) and `racelab bench --programs` measures every
// detector on them.
//
// A program's first comment lines:
//   // expect: deadlock|lock_order_inversion   the verdicts allowed (clean: none may fail)
//   // where: abba.cpp                          words the diagnosis must contain (repeatable)
//   // runs: 20                                 the budget (a buggy one stops at its first failing run)
//   // seeds: 20                                caught within the budget under each of seeds 1 … 20
//   // timeout: 3                               seconds per run (default 10)
//   // strategy: controlled                     the strategy of its budget (default: racelab exec's)
//   // note: (a gate lock)                      words one of the result's notes must contain
#pragma once

#include <set>
#include <string>
#include <vector>

namespace racelab::driver {

struct ProgramHeader {
  std::string name;    ///< the source's stem: the built program's file name
  std::string source;  ///< the source file
  std::set<std::string> expect;
  std::vector<std::string> where;
  std::vector<std::string> notes;
  int runs = 20;
  int seeds = 1;
  int timeout_s = 10;
  std::string strategy;  ///< empty: racelab exec's default

  bool clean() const { return expect == std::set<std::string>{"clean"}; }
};

// read_program_header() — the header of one source file. Throws
// std::invalid_argument when it cannot be read or has no `expect:` line, or
// a number is not one.
ProgramHeader read_program_header(const std::string& source);

// read_program_manifest()
//
// The programs of a build directory: `dir/programs.txt` (written by the
// build, one source path per line) read into headers, sorted by name. The
// programs themselves are dir/<name> (with racelab's runtime), dir/tsan/<name>
// (TSan alone) and dir/plain/<name> (no sanitizer). Throws
// std::invalid_argument when the manifest is missing or empty.
std::vector<ProgramHeader> read_program_manifest(const std::string& dir);

}  // namespace racelab::driver
