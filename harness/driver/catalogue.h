// catalogue.h — the case programs the driver can run, from their own metadata.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "racelab/report/tsan.h"

namespace racelab::driver {

struct CaseProgram {
  std::string path;         ///< absolute path of the case program
  nlohmann::json describe;  ///< what `PROGRAM --describe` printed
  std::string id() const { return describe.at("id").get<std::string>(); }
};

// The directory the driver looks in by default: `cases/` beside the racelab
// executable, where the build puts the case programs.
// racelab_runtime_frames()
//
// The frames of racelab's runtime and primitives (racelab::mutex,
// racelab::thread, …, its headers and harness/src), which are not the code
// under test: what every result racelab makes tells reports/ to leave out.
report::FrameFilter racelab_runtime_frames();

std::string default_cases_dir();

// load_catalogue()
//
// The `case_<id>` executables in `dir` that `wanted` names (an id
// `01_lost_update`, its number `01`, or its name `lost_update`; none or
// `all` for every case), each described by itself, sorted by id. Only the
// selected programs are started.
// Throws std::invalid_argument naming an unknown case and the known ones;
// std::runtime_error when the directory has no case program, or one cannot
// describe itself or calls itself by another id (the message says which).
std::vector<CaseProgram> load_catalogue(const std::string& dir,
                                        const std::vector<std::string>& wanted = {});

}  // namespace racelab::driver
