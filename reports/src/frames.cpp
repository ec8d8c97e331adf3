// How the renderers show frames and stacks (render.h).
#include <filesystem>
#include <system_error>

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

std::string frame_text(const Frame& f) {
  std::string where = f.file.empty() ? f.module : f.file;
  if (f.line > 0) where += fmt::format(":{}", f.line);
  return fmt::format("{} {}", f.function.empty() ? "??" : f.function, where);
}

std::vector<std::string> top_frame_texts(const Finding& finding, const FrameFilter& runtime) {
  std::vector<std::string> frames;
  for (const Stack* stack : access_stacks(finding)) {
    std::vector<Frame> user = user_frames(*stack, runtime);
    if (!user.empty()) frames.push_back(frame_text(user.front()));
    if (frames.size() == 2) break;
  }
  return frames;
}

}  // namespace racelab::report
