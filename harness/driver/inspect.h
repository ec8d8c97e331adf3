// inspect() — what a program that timed out was doing, before it is killed.
#pragma once

#include <sys/types.h>

#include "process.h"

namespace racelab::driver {

// inspect()
//
// Fills `result.hang_kind` ("busy": it used CPU in a 100 ms look, else
// "blocked"), `result.thread_states` (its threads by state) and
// `result.waiting_frames` (the top frame of each thread that is the
// program's own, from elfutils' eu-stack when installed). A process already
// gone leaves them empty.
void inspect(pid_t pid, ProcessResult& result);

}  // namespace racelab::driver
