// catalogue.h — the case programs the driver can run, from their own metadata.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace racelab::driver {

struct CaseProgram {
  std::string path;         ///< absolute path of the case program
  nlohmann::json describe;  ///< what `PROGRAM --describe` printed
  std::string id() const { return describe.at("id").get<std::string>(); }
};

// The directory the driver looks in by default: `cases/` beside the racelab
// executable, where the build puts the case programs.
std::string default_cases_dir();

// load_catalogue()
//
// Every `case_*` executable in `dir`, described by itself, sorted by id.
// Throws std::runtime_error when the directory has none, or a program cannot
// describe itself (the message says which and why).
std::vector<CaseProgram> load_catalogue(const std::string& dir);

// select_cases()
//
// The cases named by `names` (an id `01_lost_update`, its number `01`, or its
// name `lost_update`; `all` for every case), in catalogue order.
// Throws std::invalid_argument naming an unknown case and the known ones.
std::vector<CaseProgram> select_cases(const std::vector<CaseProgram>& catalogue,
                                      const std::vector<std::string>& names);

}  // namespace racelab::driver
