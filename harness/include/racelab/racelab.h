// racelab/racelab.h — everything a case includes.
//
// Reading order: verdict.h (the vocabulary), case.h (how a case is defined),
// interleave.h (interleaving points, progress), thread.h, mutex.h,
// condition_variable.h, shared_mutex.h, barrier.h, semaphore.h, task_pool.h
// (drop-in primitives that the harness can watch).
#pragma once

#include "racelab/barrier.h"
#include "racelab/case.h"
#include "racelab/condition_variable.h"
#include "racelab/interleave.h"
#include "racelab/mutex.h"
#include "racelab/semaphore.h"
#include "racelab/shared_mutex.h"
#include "racelab/task_pool.h"
#include "racelab/thread.h"
#include "racelab/verdict.h"
