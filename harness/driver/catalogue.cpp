#include "catalogue.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "process.h"

namespace racelab::driver {

namespace fs = std::filesystem;

report::FrameFilter racelab_runtime_frames() {
  return {.functions = {"racelab::detail::", "racelab::thread::", "racelab::mutex::",
                        "racelab::recursive_mutex::", "racelab::shared_mutex::",
                        "racelab::condition_variable::", "racelab::intercept::"},
          .files = {"/include/racelab/", "/harness/src/", "/harness/intercept/"}};
}

std::string default_cases_dir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "cases";
  return (self.parent_path() / "cases").string();
}

namespace {

// Whether `name` names the case `id`: the id itself, its number or its name.
bool names(const std::string& id, const std::string& name) {
  const auto underscore = id.find('_');
  return id == name ||
         (underscore != std::string::npos &&
          (id.substr(0, underscore) == name || id.substr(underscore + 1) == name));
}

}  // namespace

std::vector<CaseProgram> load_catalogue(const std::string& dir, const std::vector<std::string>& wanted) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error(fmt::format(
        "no case programs: '{}' is not a directory (build first: cmake --build --preset tsan)", dir));
  // The programs are case_<id>: select by file name, describe only those.
  std::vector<std::pair<std::string, std::string>> found;  // (id, path), sorted by id
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("case_") || !entry.is_regular_file() ||
        access(entry.path().c_str(), X_OK) != 0)
      continue;
    found.emplace_back(name.substr(5), fs::absolute(entry.path()).string());
  }
  if (found.empty())
    throw std::runtime_error(fmt::format(
        "no case programs (case_*) in '{}' (build first: cmake --build --preset tsan)", dir));
  std::sort(found.begin(), found.end());
  const bool all = wanted.empty() || std::find(wanted.begin(), wanted.end(), "all") != wanted.end();
  for (const std::string& name : wanted) {
    if (name == "all" ||
        std::any_of(found.begin(), found.end(), [&](const auto& f) { return names(f.first, name); }))
      continue;
    std::string known;
    for (const auto& [id, path] : found) known += (known.empty() ? "" : ", ") + id;
    throw std::invalid_argument(fmt::format("unknown case '{}' (known: {}, or all)", name, known));
  }

  std::vector<CaseProgram> catalogue;
  for (const auto& [id, path] : found) {
    if (!all && std::none_of(wanted.begin(), wanted.end(), [&](const std::string& n) { return names(id, n); }))
      continue;
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
    if (program.id() != id)
      throw std::runtime_error(fmt::format("{} describes itself as case '{}', not '{}'", path,
                                           program.id(), id));
    catalogue.push_back(std::move(program));
  }
  return catalogue;
}

}  // namespace racelab::driver
