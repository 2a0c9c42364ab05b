// npusim-gpu-bench's command line (validate/harness/options.h) and what it selects, without a GPU;
// and the float64 references of its self-test (validate/harness/host_reference.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "validate/harness/host_reference.h"
#include "validate/harness/options.h"

using namespace npusim::validate::harness;
using ::testing::HasSubstr;

namespace {

Options parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"npusim-gpu-bench"};
  argv.insert(argv.end(), args);
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

// the exit code and text of a command line that ends the program
UsageExit usage_exit(std::initializer_list<const char*> args) {
  try {
    parse(args);
  } catch (const UsageExit& e) {
    return e;
  }
  ADD_FAILURE() << "expected the command line to end the program";
  return UsageExit(-1, "");
}

}  // namespace

TEST(GpuBenchOptions, DefaultsAreTheFullMethodOverEveryPartAndBothTypes) {
  const Options o = parse({"--out", "d"});
  EXPECT_EQ(o.out_dir, "d");
  EXPECT_EQ(o.parts, (std::set<std::string>(kParts.begin(), kParts.end())));
  EXPECT_FALSE(o.only);
  EXPECT_EQ(o.dtypes, (std::vector<DType>{DType::bf16, DType::fp16}));
  EXPECT_EQ(o.runs, 50);
  EXPECT_EQ(o.warmup, 10);
  EXPECT_EQ(o.flush_mib, 256u);
  EXPECT_TRUE(o.fp32_out);
  EXPECT_EQ(o.source_rev, "unknown");
  EXPECT_EQ(o.command_line, "npusim-gpu-bench --out d");
  EXPECT_FALSE(reduced_method(o));
}

TEST(GpuBenchOptions, EveryOptionIsRead) {
  const Options o = parse({"--out", "d", "--only", "gemm,micro", "--dtypes", "fp16", "--filter", "llama", "--category",
                           "mlp,decode", "--limit", "3", "--runs", "7", "--warmup", "0", "--flush-mib", "64",
                           "--no-fp32-out", "--device", "1", "--source-rev", "abc123"});
  EXPECT_EQ(o.parts, (std::set<std::string>{"gemm", "micro"}));
  EXPECT_TRUE(o.only);
  EXPECT_EQ(o.dtypes, (std::vector<DType>{DType::fp16}));
  EXPECT_EQ(o.filter, "llama");
  EXPECT_EQ(o.categories, (std::set<Category>{Category::mlp, Category::decode}));
  EXPECT_EQ(o.limit, 3);
  EXPECT_EQ(o.runs, 7);
  EXPECT_EQ(o.warmup, 0);
  EXPECT_EQ(o.flush_mib, 64u);
  EXPECT_FALSE(o.fp32_out);
  EXPECT_EQ(o.device, 1);
  EXPECT_EQ(o.source_rev, "abc123");
  EXPECT_TRUE(reduced_method(o));
}

TEST(GpuBenchOptions, QuickSetsFewRunsUnlessTheyAreGiven) {
  const Options q = parse({"--out", "d", "--quick"});
  EXPECT_EQ(q.runs, 5);
  EXPECT_EQ(q.warmup, 2);
  const Options r = parse({"--out", "d", "--quick", "--runs", "9"});
  EXPECT_EQ(r.runs, 9);
  EXPECT_EQ(r.warmup, 2);
}

TEST(GpuBenchOptions, ListAndPrintSlugNeedNoFolder) {
  EXPECT_TRUE(parse({"--list"}).list);
  EXPECT_TRUE(parse({"--print-slug"}).print_slug);
}

TEST(GpuBenchOptions, BadArgumentsExitWithTwoAndSayWhy) {
  struct Case {
    std::initializer_list<const char*> args;
    const char* why;
  };
  for (const Case& c : {Case{{}, "--out is required"}, Case{{"--out", "d", "--only", "gemm,bogus"}, "unknown part bogus"},
                        Case{{"--out", "d", "--dtypes", "fp32"}, "bf16 or fp16, got fp32"},
                        Case{{"--out", "d", "--category", "huge"}, "unknown category huge"},
                        Case{{"--out", "d", "--runs", "0"}, "--runs"}, Case{{"--out", "d", "--runs", "x"}, "--runs"},
                        Case{{"--out", "d", "--frobnicate"}, "--frobnicate"}}) {
    const UsageExit e = usage_exit(c.args);
    EXPECT_EQ(e.exit_code, 2) << c.why;
    EXPECT_THAT(e.what(), HasSubstr(c.why));
    EXPECT_THAT(e.what(), HasSubstr("--flush-mib"));  // the help follows the message
  }
}

TEST(GpuBenchOptions, HelpExitsWithZero) {
  const UsageExit e = usage_exit({"--help"});
  EXPECT_EQ(e.exit_code, 0);
  EXPECT_THAT(e.what(), HasSubstr("--only"));
}

TEST(GpuBenchOptions, TheSelectionFiltersLimitsAndThinsTheSuites) {
  Options o = parse({"--out", "d"});
  const auto all = selected_gemms(o);
  EXPECT_EQ(all.size(), gemm_suite().size());
  o.categories = {Category::decode};
  for (const GemmShape& g : selected_gemms(o)) EXPECT_EQ(g.category, Category::decode);
  o.categories.clear();
  o.limit = 4;
  EXPECT_EQ(selected_gemms(o).size(), 4u);
  EXPECT_EQ(selected_convs(o).size(), 4u);
  o.limit = 0;
  o.quick = true;  // 1 in 8 GEMM shapes, 1 in 4 conv shapes
  EXPECT_EQ(selected_gemms(o).size(), (all.size() + 7) / 8);
  EXPECT_EQ(selected_convs(o).size(), (conv_suite().size() + 3) / 4);
  o.quick = false;
  o.filter = "layer1.0.conv2";
  for (const ConvShape& c : selected_convs(o)) EXPECT_THAT(c.name + ";" + c.layers, HasSubstr("layer1.0.conv2"));
  EXPECT_FALSE(selected_convs(o).empty());
}

TEST(HostReference, GemmFp64IsTheProductPerBatch) {
  // batch 2 of (2 x 3) (3 x 2)
  const std::vector<double> a{1, 2, 3, 4, 5, 6, /**/ 1, 0, 0, 0, 1, 0};
  const std::vector<double> b{1, 0, 0, 1, 1, 1, /**/ 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(gemm_fp64(a, b, 2, 2, 3, 2), (std::vector<double>{4, 5, 10, 11, /**/ 2, 3, 4, 5}));
}

TEST(HostReference, ConvFp64PadsStridesAndDilates) {
  // 1 image 3x3x1, one 2x2 filter of ones, stride 1, pad 0: sums of 2x2 windows
  ConvShape s;
  s.n = 1, s.h = 3, s.w = 3, s.c = 1, s.k = 1, s.r = 2, s.s = 2;
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9}, f{1, 1, 1, 1};
  EXPECT_EQ(conv_fp64(x, f, s), (std::vector<double>{12, 16, 24, 28}));
  // pad 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1)
  s.pad = 1, s.stride = 2;
  EXPECT_EQ(conv_fp64(x, f, s), (std::vector<double>{1, 5, 11, 28}));
  // dilation 2, 2 output channels (the second filter doubles): taps (0,0),(0,2),(2,0),(2,2)
  s.pad = 0, s.stride = 1, s.dilation = 2, s.k = 2;
  EXPECT_EQ(conv_fp64(x, {1, 2, 1, 2, 1, 2, 1, 2}, s), (std::vector<double>{20, 40}));
}
