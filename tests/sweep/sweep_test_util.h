// Helpers shared by the sweep tests: a row filter and a temporary directory per test.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "dse/results_db.h"

namespace npusim::dse::test_util {

// A row filter (designated initializers would warn about the fields they leave out).
inline RowFilter filter(std::string workload = "", std::string status = "", std::vector<std::string> hashes = {},
                        bool with_result = false) {
  RowFilter f;
  f.workload = std::move(workload);
  f.status = std::move(status);
  f.hashes = std::move(hashes);
  f.with_result = with_result;
  return f;
}

// A fresh directory per test, named after the test, removed afterwards.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    path_ = std::filesystem::temp_directory_path() /
            fmt::format("{}_{}_{}", prefix, ::getpid(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace npusim::dse::test_util
