#include "catalogue.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "process.h"

namespace racelab::driver {

namespace fs = std::filesystem;

std::string default_cases_dir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "cases";
  return (self.parent_path() / "cases").string();
}

std::vector<CaseProgram> load_catalogue(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error(fmt::format(
        "no case programs: '{}' is not a directory (build first: cmake --build --preset tsan)", dir));
  std::vector<CaseProgram> catalogue;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("case_") || !entry.is_regular_file() ||
        access(entry.path().c_str(), X_OK) != 0)
      continue;
    const std::string path = fs::absolute(entry.path()).string();
    ProcessResult described = run_captured({path, "--describe"}, std::chrono::seconds(60));
    if (described.exit_code != 0)
      throw std::runtime_error(fmt::format("{} --describe failed ({}): {}", path,
                                           described.how_it_ended(), described.err));
    CaseProgram program{path, {}};
    try {
      program.describe = nlohmann::json::parse(described.out);
      program.id();
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(fmt::format("{} --describe printed no valid metadata: {}", path, e.what()));
    }
    catalogue.push_back(std::move(program));
  }
  if (catalogue.empty())
    throw std::runtime_error(fmt::format(
        "no case programs (case_*) in '{}' (build first: cmake --build --preset tsan)", dir));
  std::sort(catalogue.begin(), catalogue.end(),
            [](const auto& a, const auto& b) { return a.id() < b.id(); });
  return catalogue;
}

namespace {

bool names(const CaseProgram& program, const std::string& name) {
  const std::string id = program.id();
  const auto underscore = id.find('_');
  return id == name ||
         (underscore != std::string::npos &&
          (id.substr(0, underscore) == name || id.substr(underscore + 1) == name));
}

}  // namespace

std::vector<CaseProgram> select_cases(const std::vector<CaseProgram>& catalogue,
                                      const std::vector<std::string>& wanted) {
  if (wanted.empty() || std::find(wanted.begin(), wanted.end(), "all") != wanted.end())
    return catalogue;
  std::vector<CaseProgram> selected;
  for (const CaseProgram& program : catalogue)
    if (std::any_of(wanted.begin(), wanted.end(),
                    [&](const std::string& name) { return names(program, name); }))
      selected.push_back(program);
  for (const std::string& name : wanted) {
    if (std::any_of(catalogue.begin(), catalogue.end(),
                    [&](const CaseProgram& p) { return names(p, name); }))
      continue;
    std::string known;
    for (const CaseProgram& p : catalogue) known += (known.empty() ? "" : ", ") + p.id();
    throw std::invalid_argument(fmt::format("unknown case '{}' (known: {}, or all)", name, known));
  }
  return selected;
}

}  // namespace racelab::driver
