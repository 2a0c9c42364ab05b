// Runs a callable that must throw npusim::Error and returns the error's message (a test
// failure, and "", when it does not throw).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "base/error.h"

namespace npusim::testing_support {

template <class F>
std::string error_of(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected npusim::Error";
  return {};
}

}  // namespace npusim::testing_support
