// seeded_property.h — RACELAB_PROP: a RapidCheck property as a GoogleTest
// test, seeded from its own name, for the tests in tests/properties.
//
// Deterministic: each property runs a fixed number of cases from a fixed seed
// (the FNV-1a hash of "Suite/Name"), unless RC_PARAMS says otherwise, e.g.
//   RC_PARAMS="seed=42 max_success=2000" properties_test --gtest_filter='TsanSignature.*'
// A failure prints the shrunk counterexample, the seed, and (at exit) the
// RC_PARAMS="reproduce=…" that replays it.
#pragma once

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "racelab/property.h"  // racelab::fnv1a(), through racelab/schedule.h

namespace racelab_test {

// RC_PARAMS has `key=…` ("seed=1 max_success=10").
inline bool rc_params_has(std::string_view key) {
  const char* env = std::getenv("RC_PARAMS");
  if (env == nullptr) return false;
  const std::string_view params(env);
  for (std::size_t at = params.find(key); at != std::string_view::npos; at = params.find(key, at + 1))
    if ((at == 0 || params[at - 1] == ' ') && at + key.size() < params.size() &&
        params[at + key.size()] == '=')
      return true;
  return false;
}

// The seed of property `id` when RC_PARAMS names none.
inline std::uint64_t property_seed(std::string_view id) { return racelab::fnv1a(id); }

// check_property()
//
// As rapidcheck/gtest.h's checkGTest(), but seeded with property_seed(id)
// and running `cases` cases, unless RC_PARAMS sets seed or max_success.
template <typename Testable>
void check_property(const std::string& id, int cases, Testable&& testable) {
  using namespace rc::detail;
  TestParams params = configuration().testParams;
  if (!rc_params_has("seed")) params.seed = property_seed(id);
  if (!rc_params_has("max_success")) params.maxSuccess = cases;
  TestMetadata metadata;
  metadata.id = id;
  metadata.description = id;
  const TestResult result = checkTestable(std::forward<Testable>(testable), metadata, params);
  if (result.template is<SuccessResult>()) {
    if (!result.template get<SuccessResult>().distribution.empty()) {
      std::cout << id << ": ";
      printResultMessage(result, std::cout);
      std::cout << std::endl;
    }
    return;
  }
  std::ostringstream message;
  printResultMessage(result, message);
  FAIL() << message.str() << "\n(" << id << ": seed=" << params.seed
         << ", max_success=" << params.maxSuccess << ", max_size=" << params.maxSize
         << "; RC_PARAMS=\"seed=" << params.seed << "\" runs these cases again)";
}

}  // namespace racelab_test

// RACELAB_PROP(Suite, Name, cases, (args)) { body }: a RapidCheck property as
// a GoogleTest test Suite.Name, `cases` cases from property_seed("Suite/Name").
#define RACELAB_PROP(Suite, Name, Cases, ArgList)                                         \
  void racelab_prop_##Suite##_##Name ArgList;                                            \
  TEST(Suite, Name) {                                                                    \
    ::racelab_test::check_property(#Suite "/" #Name, Cases, &racelab_prop_##Suite##_##Name); \
  }                                                                                      \
  void racelab_prop_##Suite##_##Name ArgList
