// racelab/unmodified.h — what a program may tell racelab's runtime for
// unmodified code (libracelab_intercept.a, `racelab flags`): where a test
// framework's tests start and end, an explicit scheduling point, a progress
// mark. None of it is needed to be judged.
//
// A program linked with the runtime is one unit to `racelab exec`: every
// finding of a run belongs to the run. A test framework that runs many tests
// in one process says where each test starts and ends, and each test becomes
// its own unit: the TSan reports printed between its start and end, the
// runtime's diagnoses in that time and its own failure are its; a hang or a
// crash belongs to the test that was running. GoogleTest needs none of this
// by hand: link `racelab::gtest` (racelab_gtest.cpp, a listener) instead of
// `racelab::intercept`.
//
// Each test runs under its own seed, mixed from the run's seed, the test's
// name and the repetition, or RACELAB_TEST_SEED when set (to re-run one test
// as it ran): the concrete strategy and its choices are drawn from it anew.
// Both calls are ignored in a process where the runtime is not running.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/// The framework is about to run `selected` of its `total` tests (after its
/// filter, sharding and disabled tests). A run that selected none, or ran
/// none, tested nothing: `racelab exec` never calls it clean.
void racelab_tests_selected(long selected, long total);

/// A test starts: `name` as the framework prints it ("Suite.Name"),
/// `repetition` counting from 0 (GoogleTest's --gtest_repeat).
void racelab_test_started(const char* name, long repetition);

/// It ended; `failed` non-zero with the first failure's text (or NULL).
void racelab_test_ended(const char* name, long repetition, int failed, const char* failure);

/// An explicit scheduling point: another thread may run here (as Coyote's
/// SchedulingPoint or Loom's yield_now). Every synchronisation call and
/// atomic operation is one already; this one marks a window between them,
/// such as the middle of a non-atomic read-modify-write, so that the
/// strategy may act there: under `controlled` the scheduler may switch
/// threads, under the perturbing strategies a delay may be spent.
void racelab_interleave(void);

/// A progress mark: the calling thread did useful work (a meal eaten, an
/// item handled). A livelock is many retries — explicit scheduling points,
/// and failed try-locks of a mutex that changed hands since the thread's
/// last try — by two or more threads, with no progress meanwhile: no mark,
/// no try-lock that succeeded, no thread that ended.
void racelab_progress(void);

#ifdef __cplusplus
}

namespace racelab {
/// racelab_interleave(), in C++ (inlined: the point is the caller's).
[[gnu::always_inline]] inline void interleave() noexcept { racelab_interleave(); }
/// racelab_progress(), in C++.
[[gnu::always_inline]] inline void progress() noexcept { racelab_progress(); }
}  // namespace racelab
#endif
