// racelab/unmodified.h — what a test framework tells racelab's runtime for
// unmodified code (libracelab_intercept.a, `racelab flags`).
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

#ifdef __cplusplus
}
#endif
