// Sweep specs: parsing, expansion (values, ranges, powers of two, product and zip groups),
// constraints, and every error reported with file:line:col before anything runs.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "base/error.h"
#include "arch/loader.h"
#include "dse/run.h"
#include "dse/spec.h"
#include "configs/embedded.h"

namespace npusim::dse {
namespace {

using ::testing::HasSubstr;

SweepSpec parse(const std::string& text) { return parse_spec(text, "t.yaml", ""); }

// The error message of parsing `text` ("" if it parsed).
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const char* kHead = "name: t\nbase: edge-npu\nengine: analytic\n";

TEST(SweepSpec, ExpandsValuesRangesAndPowersOfTwoAsAProduct) {
  const auto s = parse(std::string(kHead) +
                       "axes:\n"
                       "  - {key: core.pe_array.rows, values: [8, 16]}\n"
                       "  - {key: core.scratchpad.size_kib, range: {from: 64, to: 256, step: 64}}\n"
                       "  - {key: dram.bandwidth_gb_per_s, pow2: {from: 4, to: 32}}\n"
                       "workloads: [mlp]\n");
  EXPECT_EQ(s.axis_keys, (std::vector<std::string>{"core.pe_array.rows", "core.scratchpad.size_kib",
                                                   "dram.bandwidth_gb_per_s"}));
  const auto pts = expand(s);
  ASSERT_EQ(pts.size(), 2u * 4u * 4u);
  // the first axis varies slowest
  EXPECT_EQ(pts.front().overrides[0].text(), "core.pe_array.rows=8");
  EXPECT_EQ(pts.front().overrides[1].text(), "core.scratchpad.size_kib=64");
  EXPECT_EQ(pts.front().overrides[2].text(), "dram.bandwidth_gb_per_s=4");
  EXPECT_EQ(pts[1].overrides[2].text(), "dram.bandwidth_gb_per_s=8");
  EXPECT_EQ(pts.back().overrides[0].text(), "core.pe_array.rows=16");
  EXPECT_EQ(pts.back().overrides[1].text(), "core.scratchpad.size_kib=256");
  EXPECT_EQ(pts.back().overrides[2].text(), "dram.bandwidth_gb_per_s=32");
  // values are typed by the schema
  EXPECT_TRUE(pts.back().values["core.pe_array.rows"].is_number_integer());
  EXPECT_TRUE(pts.back().values["dram.bandwidth_gb_per_s"].is_number_float());
  EXPECT_EQ(s.objectives, (std::vector<std::string>{"latency_s", "energy_j", "area_mm2"}));
}

TEST(SweepSpec, ZipGroupsMoveTogetherAndNestInProducts) {
  const auto s = parse(std::string(kHead) +
                       "axes:\n"
                       "  - zip:\n"
                       "      - {key: core.pe_array.rows, values: [8, 16, 32]}\n"
                       "      - {key: core.pe_array.cols, values: [32, 16, 8]}\n"
                       "  - product:\n"
                       "      - {key: core.pe_array.dataflow, values: [ws, os]}\n"
                       "      - {key: core.pe_array.fold_overlap, values: [true, false]}\n"
                       "workloads: [mlp]\n");
  const auto pts = expand(s);
  ASSERT_EQ(pts.size(), 3u * 4u);
  for (const auto& p : pts)
    EXPECT_EQ(p.values["core.pe_array.rows"].get<int>() * p.values["core.pe_array.cols"].get<int>(), 256);
  EXPECT_EQ(pts[4].values["core.pe_array.rows"], 16);
  EXPECT_EQ(pts[4].values["core.pe_array.dataflow"], "ws");
  EXPECT_EQ(pts[4].values["core.pe_array.fold_overlap"], true);
}

TEST(SweepSpec, RealRangesDoNotAccumulateRoundingError) {
  const auto s = parse(std::string(kHead) +
                       "axes:\n  - {key: dram.latency_ns, range: {from: 0.1, to: 0.5, step: 0.1}}\nworkloads: [mlp]\n");
  const auto pts = expand(s);
  ASSERT_EQ(pts.size(), 5u);
  EXPECT_EQ(pts[2].overrides[0].value, "0.3");
  EXPECT_EQ(pts[4].overrides[0].value, "0.5");
}

TEST(SweepSpec, ErrorsNameFileLineAndColumn) {
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: core.pe_array.rowz, values: [8]}\nworkloads: [mlp]\n"),
              HasSubstr("t.yaml:5:11: axes[0].key: unknown key path 'core.pe_array.rowz' (did you mean 'rows'?)"));
  EXPECT_THAT(error_of(std::string(kHead) +
                       "axes:\n  - key: core.pe_array.rows\n    range: {from: 32, to: 8, step: 8}\nworkloads: [mlp]\n"),
              HasSubstr("t.yaml:6:12: axes[0].range: axis 'core.pe_array.rows': an empty range (from 32 to 8 step 8)"));
  EXPECT_THAT(error_of(std::string(kHead) +
                       "axes:\n  - zip:\n      - {key: core.pe_array.rows, values: [8, 16]}\n"
                       "      - {key: core.pe_array.cols, values: [8]}\nworkloads: [mlp]\n"),
              HasSubstr("t.yaml:7:9: axes[0].zip[1]: zip group of unequal lengths: core.pe_array.rows has 2 values, "
                        "core.pe_array.cols has 1"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\nworkloads: [mlp]\nobjectivs: [latency]\n"),
              HasSubstr("t.yaml:7:1: objectivs: unknown sweep spec key (did you mean 'objectives'?)"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: core.pe_array.rows, values: [8, 0]}\nworkloads: [mlp]\n"),
              HasSubstr("t.yaml:5:43: axes[0].values[1]: core.pe_array.rows: must be >= 1, got 0"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: core.pe_array.dataflow, values: [ws, xs]}\nworkloads: [mlp]\n"),
              HasSubstr("must be one of ws|os|is, got 'xs'"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: core.pe_array.rows, pow2: {from: 8, to: 24}}\nworkloads: [mlp]\n"),
              HasSubstr("24 is not a power of two"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: core.pe_array.rows, values: []}\nworkloads: [mlp]\n"),
              HasSubstr("an empty list of values"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: core.pe_array, values: [1]}\nworkloads: [mlp]\n"),
              HasSubstr("'core.pe_array' is a group of keys"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\n  - {key: cores, values: [2]}\n"
                                            "workloads: [mlp]\n"),
              HasSubstr("'cores' is already an axis"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\nworkloads: [resnet51]\n"),
              HasSubstr("t.yaml:6:13: workloads[0]: unknown model 'resnet51'"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\nworkloads: [mlp, mlp]\n"),
              HasSubstr("workload 'mlp/b1' is listed twice"));
  EXPECT_THAT(error_of("name: t\nbase: tpu-v9\naxes:\n  - {key: cores, values: [1]}\nworkloads: [mlp]\n"),
              HasSubstr("t.yaml:2:7: base: 'tpu-v9' is not a preset"));
  EXPECT_THAT(error_of("name: t\nbase: edge-npu\nengine: gem5\naxes:\n  - {key: cores, values: [1]}\nworkloads: [mlp]\n"),
              HasSubstr("engine: expected one of analytic, systemc, got 'gem5'"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\nworkloads: [mlp]\nobjectives: [latncy]\n"),
              HasSubstr("unknown objective 'latncy' (did you mean 'latency'?)"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\nconstraints: ['area_mm3 <= 10']\n"
                                            "workloads: [mlp]\n"),
              HasSubstr("t.yaml:6:15: constraint 'area_mm3 <= 10': unknown name 'area_mm3' (did you mean 'area_mm2'?)"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\nconstraints: ['area_mm2 10']\n"
                                            "workloads: [mlp]\n"),
              HasSubstr("expected a comparison"));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\nconstraints: [\"core.pe_array.dataflow < 'ws'\"]\n"
                                            "workloads: [mlp]\n"),
              HasSubstr("text values compare only with == or !="));
  EXPECT_THAT(error_of(std::string(kHead) + "set: {core.pe_array.rows: 0}\naxes:\n  - {key: cores, values: [1]}\n"
                                            "workloads: [mlp]\n"),
              HasSubstr("set.core.pe_array.rows: must be >= 1, got 0"));
}

TEST(SweepSpec, ConstraintsEvaluateConfigKeysDerivedValuesAndArithmetic) {
  const auto cfg = arch::load_arch(find_arch_preset("edge-npu")->text, "edge-npu.yaml");
  auto holds = [&](const std::string& text) { return satisfies(parse_constraint(text, SourceLoc{"c", 1, 1}), *cfg); };
  EXPECT_TRUE(holds("core.pe_array.rows * core.pe_array.cols == 256"));
  EXPECT_TRUE(holds("pes == 256"));
  EXPECT_TRUE(holds("(core.pe_array.rows + 16) / 2 >= 16"));
  EXPECT_FALSE(holds("core.pe_array.rows - 20 > -4"));
  EXPECT_TRUE(holds("-core.pe_array.rows < 0"));
  EXPECT_TRUE(holds("core.pe_array.dataflow == 'ws'"));
  EXPECT_TRUE(holds("core.pe_array.dataflow != \"os\""));
  EXPECT_TRUE(holds("sram_kib == 288"));  // 256 KiB scratchpad + 32 KiB accumulator buffer
  EXPECT_NEAR(derived_values()[0].value(*cfg), cfg->area_mm2(), 1e-12);
  EXPECT_TRUE(holds(fmt::format("area_mm2 <= {}", cfg->area_mm2() + 0.001)));
  EXPECT_FALSE(holds(fmt::format("area_mm2 < {}", cfg->area_mm2() - 0.001)));
  EXPECT_TRUE(holds("peak_tops > 0.25 ")); // 256 MACs x 2 x 500 MHz = 0.256 TOPS
  EXPECT_FALSE(holds("peak_tops > 0.26"));
}

TEST(SweepPlan, ConstraintsSkipPointsInvalidPointsAreKeptAsFailuresDuplicatesMerge) {
  const auto s = parse(std::string(kHead) +
                       "axes:\n"
                       "  - {key: core.pe_array.rows, values: [8, 16, 32]}\n"
                       "  - {key: core.pe_array.stationary_double_buffer, values: [true, false]}\n"
                       "  - {key: core.scratchpad.banks, values: [8, 8]}\n"  // the same point twice
                       "constraints: ['core.pe_array.rows <= 16']\n"
                       "workloads: [mlp, 'gemm:64,64,64']\n");
  const Plan p = make_plan(s);
  EXPECT_EQ(p.expanded, 12u);
  EXPECT_EQ(p.skipped, 4u);      // rows 32
  EXPECT_EQ(p.duplicates, 4u);   // banks listed twice
  EXPECT_EQ(p.points.size(), 4u);
  EXPECT_EQ(p.invalid, 2u);      // fold_overlap without shadow registers
  EXPECT_EQ(p.tasks.size(), 8u);
  for (const auto& pt : p.points) {
    EXPECT_EQ(pt.hash.size(), 16u);
    if (pt.point.values["core.pe_array.stationary_double_buffer"] == false) {
      EXPECT_EQ(pt.cfg, nullptr);
      EXPECT_THAT(pt.invalid, HasSubstr("core.pe_array.fold_overlap: requires core.pe_array.stationary_double_buffer"));
    } else {
      ASSERT_NE(pt.cfg, nullptr);
      // the hash is the effective configuration's
      EXPECT_EQ(pt.hash, hex64(fnv1a64(arch::to_yaml(*pt.cfg))));
    }
  }
}

TEST(SweepPlan, TheEngineCanBeOverriddenAndTheHashIsStable) {
  const std::string text = std::string(kHead) + "axes:\n  - {key: core.pe_array.rows, values: [8, 16]}\nworkloads: [mlp]\n";
  const Plan a = make_plan(parse(text), driver::Engine::SystemC);
  const Plan b = make_plan(parse(text));
  EXPECT_EQ(a.spec.engine, driver::Engine::SystemC);
  EXPECT_EQ(b.spec.engine, driver::Engine::Analytic);
  ASSERT_EQ(a.points.size(), b.points.size());
  for (std::size_t i = 0; i < a.points.size(); ++i) EXPECT_EQ(a.points[i].hash, b.points[i].hash);
  EXPECT_NE(a.points[0].hash, a.points[1].hash);
  EXPECT_NE(a.key(a.tasks[0]), b.key(b.tasks[0]));  // the engine is part of a row's key
  EXPECT_THROW(driver::parse_engine("--engine", "gem5"), Error);  // an override is parsed at the edge
}

TEST(SweepSpec, EveryExampleParsesAndIsSmallEnoughToRun) {
  ASSERT_GE(sweep_examples().size(), 3u);
  for (const auto& e : sweep_examples()) {
    SCOPED_TRACE(e.name);
    const Plan p = make_plan(load_spec(e.name));
    EXPECT_GT(p.tasks.size(), 0u);
    EXPECT_EQ(p.invalid, 0u);
  }
  // the examples the issue asks for: a zip group, and constraints on the dc-npu sweep
  const auto zip = load_spec("edge-shapes-zip");
  EXPECT_TRUE(std::any_of(zip.axes.members.begin(), zip.axes.members.end(),
                          [](const AxisGroup& g) { return g.kind == AxisGroup::Kind::Zip; }));
  const Plan dc = make_plan(load_spec("dc-npu-hbm-cores"));
  EXPECT_GT(dc.skipped, 0u);
  EXPECT_EQ(make_plan(load_spec("bench-resnet50-1000")).tasks.size(), 1000u);
}

TEST(SweepSpec, DocsListEveryDerivedValue) {
  std::ifstream f(std::string(NPUSIM_SOURCE_DIR) + "/docs/SWEEPS.md");
  const std::string doc((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(doc.empty());
  for (const auto& d : derived_values()) EXPECT_NE(doc.find("| `" + d.name + "` |"), std::string::npos) << d.name;
}

TEST(SweepSpec, WorkloadKeys) {
  Workload w;
  w.model = "bert-base";
  EXPECT_EQ(w.key(), "bert-base/b1");
  w.seq = 128, w.batch = 4, w.dtype = DType::Int8;
  EXPECT_EQ(w.key(), "bert-base/b4/s128/int8");
  Workload o;
  o.model = "bert.onnx";
  o.inputs = {{"input_ids", {1, 128}}, {"mask", {1, 128}}};
  EXPECT_EQ(o.key(), "bert.onnx/b1/input_ids=1x128/mask=1x128");
}

TEST(SweepSpec, OnnxWorkloadsWithInputShapes) {
  // The ONNX fixtures of tests/workloads, found next to the spec like layer lists.
  const std::string dir = NPUSIM_ONNX_FIXTURES;
  const std::string head = std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\n";
  const SweepSpec s = parse_spec(head + "workloads:\n  - {model: bert-base.onnx, inputs: {input_ids: 1x64}}\n  - resnet50.onnx\n",
                                 "t.yaml", dir);
  ASSERT_EQ(s.workloads.size(), 2u);
  EXPECT_EQ(s.workloads[0].inputs, (std::vector<workloads::InputShape>{{"input_ids", {1, 64}}}));
  EXPECT_EQ(s.workloads[0].model, dir + "/bert-base.onnx");
  auto err = [&](const std::string& wl) {
    try {
      parse_spec(head + "workloads:\n" + wl, "t.yaml", dir);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_THAT(err("  - {model: bert-base.onnx, inputs: {input_ids: 1xq}}\n"),
              HasSubstr("t.yaml:7:49: workloads[0].inputs.input_ids: shape input_ids=1xq: 'q' is not a positive size"));
  EXPECT_THAT(err("  - {model: bert-base.onnx, inputs: [1x64]}\n"),
              HasSubstr("t.yaml:7:37: workloads[0].inputs: expected a map of input names to shapes"));
  EXPECT_THAT(err("  - bert-base.onnx\n"),
              HasSubstr("t.yaml:7:5: workloads[0]: " + dir + "/bert-base.onnx: input 'input_ids' dimension 1 ('sequence') is dynamic"));
}

TEST(SweepSpec, ObjectivesAreMetricsByNameOrAlias) {
  const SweepSpec s = parse(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\nworkloads: [mlp]\nobjectives: [latency, tops_per_watt, util]\n");
  EXPECT_EQ(s.objectives, (std::vector<std::string>{"latency_s", "tops_per_watt", "utilization"}));
  EXPECT_THAT(error_of(std::string(kHead) + "axes:\n  - {key: cores, values: [1]}\nworkloads: [mlp]\nobjectives: [speed]\n"),
              HasSubstr("unknown objective 'speed'"));
}

}  // namespace
}  // namespace npusim::dse
