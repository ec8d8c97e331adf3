// Program headers and the build's manifest of them.
#include "programs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "racelab/verdict.h"

namespace racelab::driver {

namespace {

int number(const std::string& source, const std::string& key, const std::string& value) {
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || n < 1)
    throw std::invalid_argument(fmt::format("{}: '{}: {}' is not a positive number", source, key, value));
  return n;
}

}  // namespace

ProgramHeader read_program_header(const std::string& source) {
  std::ifstream in(source);
  if (!in) throw std::invalid_argument(fmt::format("cannot read {}", source));
  ProgramHeader p;
  p.name = std::filesystem::path(source).stem().string();
  p.source = source;
  for (std::string line; std::getline(in, line) && line.starts_with("//");) {
    const std::size_t begin = line.find_first_not_of("/ ");
    if (begin == std::string::npos) continue;
    const std::string text = line.substr(begin);
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = text.substr(0, colon);
    std::string value = text.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.pop_back();
    if (key == "expect") {
      std::stringstream alternatives(value);
      for (std::string v; std::getline(alternatives, v, '|');)
        if (!v.empty()) p.expect.insert(v);
    } else if (key == "where") {
      p.where.push_back(value);
    } else if (key == "note") {
      p.notes.push_back(value);
    } else if (key == "runs") {
      p.runs = number(source, key, value);
    } else if (key == "seeds") {
      p.seeds = number(source, key, value);
    } else if (key == "timeout") {
      p.timeout_s = number(source, key, value);
    } else if (key == "strategy") {
      if (!parse_strategy(value))
        throw std::invalid_argument(fmt::format("{}: `// strategy: {}` is none of {}", source, value, strategy_names()));
      p.strategy = value;
    }
  }
  if (p.expect.empty()) throw std::invalid_argument(fmt::format("{} has no `// expect:` line", source));
  return p;
}

std::vector<ProgramHeader> read_program_manifest(const std::string& dir) {
  const std::string manifest = dir + "/programs.txt";
  std::ifstream in(manifest);
  if (!in) throw std::invalid_argument(fmt::format("{}: no programs.txt here (build the tests' programs)", dir));
  std::vector<ProgramHeader> programs;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) programs.push_back(read_program_header(line));
  if (programs.empty()) throw std::invalid_argument(fmt::format("{} lists no programs", manifest));
  std::sort(programs.begin(), programs.end(),
            [](const ProgramHeader& a, const ProgramHeader& b) { return a.name < b.name; });
  return programs;
}

}  // namespace racelab::driver
