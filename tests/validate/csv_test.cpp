#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

#include "validate/harness/csv.h"

namespace {

namespace gb = npusim::validate::harness;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("npusim_csv_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

TEST(Csv, EscapesOnlyWhatNeedsIt) {
  EXPECT_EQ(gb::csv_escape("plain"), "plain");
  EXPECT_EQ(gb::csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(gb::csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(gb::csv_escape("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(gb::csv_escape(""), "");
  EXPECT_EQ(gb::csv_line({"a", "b,c", ""}), "a,\"b,c\",");
}

TEST(Csv, Numbers) {
  EXPECT_EQ(gb::fmt_int(-42), "-42");
  EXPECT_EQ(gb::fmt_double(12.5), "12.5");
  EXPECT_EQ(gb::fmt_double(1.0 / 3.0, 3), "0.333");
  EXPECT_EQ(gb::fmt_double(123456789.0, 4), "1.235e+08");
  EXPECT_EQ(gb::fmt_double(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(gb::fmt_double(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(Csv, WriterRoundTripsThroughTheParser) {
  const std::string path = temp_path("roundtrip.csv");
  const std::vector<std::string> header{"name", "layers", "median_us", "note"};
  const std::vector<std::vector<std::string>> rows{
      {"conv1", "conv1", "12.5", ""},
      {"layer1.0.conv2", "layer1.0.conv2;layer1.1.conv2", "3.25", "with, a comma"},
      {"q", "x", "1e-05", "a \"quoted\" word\nand a second line"},
  };
  {
    gb::CsvWriter w(path, header);
    for (const auto& r : rows) w.row(r);
    EXPECT_THROW(w.row({"too", "few"}), std::invalid_argument);
  }
  const gb::CsvTable t = gb::read_csv(path);
  EXPECT_EQ(t.header, header);
  EXPECT_EQ(t.rows, rows);
  EXPECT_EQ(t.column("median_us"), 2u);
  EXPECT_THROW(t.column("absent"), std::out_of_range);
  std::filesystem::remove(path);
}

TEST(Csv, ParserAcceptsCrLfAndRejectsMalformedInput) {
  const gb::CsvTable t = gb::parse_csv("a,b\r\n1,2\r\n");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"1", "2"}));
  EXPECT_THROW(gb::parse_csv("a,b\n1,\"open\n"), std::runtime_error);
  EXPECT_THROW(gb::parse_csv("a,b\n1,2,3\n"), std::runtime_error);
  EXPECT_EQ(gb::parse_csv("a\n\"\"\n").rows.at(0).at(0), "");
}

TEST(Csv, WriterFailsOnAnUnwritablePath) {
  EXPECT_THROW(gb::CsvWriter("/nonexistent-dir/x.csv", {"a"}), std::runtime_error);
}

}  // namespace
