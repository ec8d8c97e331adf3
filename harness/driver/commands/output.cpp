// The output directory and the summaries written into it.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "command.h"
#include "racelab/report/atomic_file.h"
#include "racelab/report/render.h"

namespace racelab::driver {

const std::vector<std::string> kFormats = {"json", "md", "html", "junit", "sarif"};

namespace {

// The file of each format, in the order they are written: summary.json last,
// so that a command cut short leaves no summary.json (the gate reads that one).
const std::vector<std::pair<std::string, std::string>> kSummaryFiles = {
    {"md", "summary.md"}, {"html", "summary.html"}, {"junit", "junit.xml"}, {"sarif", "results.sarif"},
    {"json", "summary.json"}};

// Names racelab gives the logs in DIR/logs: exec's run-N directories and a
// campaign's CASE.VARIANT.sI.cJ.wK.* files.
bool racelab_log_name(const std::string& name) {
  static const std::regex kRun("run-[0-9]+");
  static const std::regex kWorker(R"(.+\.s[0-9]+\.c[0-9]+\.w[0-9]+\..+)");
  return std::regex_match(name, kRun) || std::regex_match(name, kWorker);
}


}  // namespace

void add_output_options(CLI::App* command, Output& output) {
  command->add_option("--out", output.dir,
                      "Output directory: summary.json, summary.md, summary.html, junit.xml, "
                      "results.sarif")
      ->capture_default_str();
  command->add_option("--source-root", output.source_root,
                      "The repository the code lives in: SARIF and HTML name files relative to it")
      ->capture_default_str();
}

void prepare_output(const Output& output) {
  namespace fs = std::filesystem;
  const fs::path dir(output.dir);
  std::error_code error;
  if (output.dir.empty()) throw std::invalid_argument("--out: an empty path");
  if (fs::exists(dir, error) && !fs::is_directory(dir, error))
    throw std::invalid_argument(fmt::format("--out {}: exists and is not a directory", output.dir));
  fs::create_directories(dir, error);
  if (error)
    throw std::invalid_argument(fmt::format("--out {}: cannot create it: {}", output.dir, error.message()));
  if (access(output.dir.c_str(), W_OK | X_OK) != 0)
    throw std::invalid_argument(fmt::format("--out {}: not writable: {}", output.dir, std::strerror(errno)));
  for (const auto& [format, file] : kSummaryFiles) {
    fs::remove(dir / file, error);
    if (error)
      throw std::runtime_error(fmt::format("cannot remove the old {}: {}", (dir / file).string(), error.message()));
  }
  if (fs::is_directory(dir / "logs", error))
    for (const auto& entry : fs::directory_iterator(dir / "logs", error))
      if (racelab_log_name(entry.path().filename().string())) fs::remove_all(entry.path(), error);
}

int conclude(const report::Summary& summary, const Output& output) {
  report::RenderOptions options;
  options.source_root =
      output.source_root.empty() ? "" : std::filesystem::absolute(output.source_root).lexically_normal().string();
  if (options.source_root.size() > 1 && options.source_root.ends_with('/')) options.source_root.pop_back();
  options.tool_version = RACELAB_VERSION;
  const std::map<std::string, std::function<std::string()>> renderers = {
      // Program output and symbol names are not always UTF-8: such bytes
      // become U+FFFD rather than failing the write.
      {"json", [&] { return report::to_json(summary).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"; }},
      {"md", [&] { return report::to_markdown(summary); }},
      {"html", [&] { return report::to_html(summary, options); }},
      {"junit", [&] { return report::to_junit(summary); }},
      {"sarif", [&] { return report::to_sarif(summary, options).dump(2) + "\n"; }},
  };
  std::string written;
  std::vector<std::string> paths;
  for (const auto& [format, file] : kSummaryFiles) {
    if (std::find(output.formats.begin(), output.formats.end(), format) == output.formats.end())
      continue;
    const auto& render = renderers.at(format);
    const std::string path = output.dir + "/" + file;
    try {
      report::write_atomically(path, render());
    } catch (...) {
      // All or nothing: the files already written go too.
      for (const std::string& done : paths) std::filesystem::remove(done);
      throw;
    }
    paths.push_back(path);
    written += fmt::format("{}{}\n", written.empty() ? "\nsummaries: " : "           ",
                           std::filesystem::absolute(path).lexically_normal().string());
  }
  std::printf("%s", written.c_str());
  bool infrastructure = false;
  for (const auto& r : summary.results) infrastructure = infrastructure || !r.problems.empty();
  if (infrastructure) {
    std::printf("racelab: infrastructure problems (see above); nothing here counts as clean\n");
    return kInfrastructure;
  }
  std::printf("%s\n", summary.ok() ? "racelab: everything as expected"
                                   : "racelab: NOT everything as expected");
  return summary.ok() ? kAsExpected : kUnexpected;
}

}  // namespace racelab::driver
