// racelab/report/atomic_file.h — files that are either whole or absent.
#pragma once

#include <string>
#include <string_view>

namespace racelab::report {

// write_atomically()
//
// Writes `content` to a temporary file beside `path`, flushes it to disk and
// renames it over `path`: a reader sees the old file or the new one, never a
// half-written one. Creates missing parent directories.
// Throws std::runtime_error naming the path and the reason on failure, and
// leaves no temporary file behind.
void write_atomically(const std::string& path, std::string_view content);

}  // namespace racelab::report
