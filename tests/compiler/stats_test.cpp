// The stat table: its invariants, JSON out and back in for every statistic of either engine,
// aggregation over cores and layers on hand-made results, the sweep metrics and docs/STATS.md.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/results.h"
#include "compiler/stats.h"
#include "tests/compiler/test_util.h"

namespace npusim::compiler {
namespace {

using ::testing::HasSubstr;

int storages(const Stat& s) {
  return (s.layer_int != nullptr) + (s.layer_real != nullptr) + (s.derive != nullptr) + (s.run_int != nullptr) +
         (s.run_real != nullptr) + (s.run_series != nullptr);
}

TEST(StatTable, NamesAreUniqueAndEveryStatisticIsDeclaredWhole) {
  std::set<std::string> names, columns;
  for (const Stat& s : stat_table()) {
    EXPECT_TRUE(names.insert(std::string(s.name)).second) << "two statistics named " << s.name;
    if (s.per_layer() || s.metric) { EXPECT_TRUE(columns.insert(s.column).second) << "two columns named " << s.column; }
    EXPECT_FALSE(s.unit.empty()) << s.name;
    EXPECT_FALSE(s.description.empty()) << s.name;
    EXPECT_EQ(s.column.find('.'), std::string::npos) << s.name;
    EXPECT_EQ(s.group.empty() ? std::string(s.key) : std::string(s.group) + "." + std::string(s.key), std::string(s.name));
    // where the value is: one place, or a per-layer field whose total is the run's own figure
    if (s.over_layers == OverLayers::Run && s.per_layer())
      EXPECT_TRUE(s.run_int && (s.layer_int || s.layer_real)) << s.name;
    else
      EXPECT_EQ(storages(s), 1) << s.name;
    if (s.per_layer()) { EXPECT_TRUE(s.layer_int || s.layer_real || s.derive) << s.name; }
    if (!s.per_layer()) { EXPECT_TRUE(s.run_int || s.run_real || s.run_series || s.total_field) << s.name; }
    if (s.derive) { EXPECT_EQ(s.over_cores == OverCores::Recomputed || s.over_cores == OverCores::None, true) << s.name; }
    if (s.derive && !s.per_layer()) { EXPECT_NE(s.total_field, nullptr) << s.name; }
    EXPECT_EQ(s.run_series != nullptr, s.instances != Instances::None) << s.name;
    if (s.layer_real || s.run_real || s.run_series) { EXPECT_EQ(s.type, StatType::Real) << s.name; }
    if (s.layer_int || (s.run_int && !s.layer_real)) { EXPECT_EQ(s.type, StatType::Int) << s.name; }
  }
  // an alias names one metric and is no other metric's name
  for (const auto& m : metric_catalog())
    if (!m.alias.empty()) { EXPECT_EQ(find_metric(m.alias), &m) << m.alias; }
  EXPECT_EQ(&stat("cycles"), find_stat("cycles"));
  EXPECT_THROW(stat("no_such_statistic"), Error);
}

// The metric names (database columns, in their order), aliases and directions that existing
// specs and results databases use.
TEST(StatTable, SweepMetricsKeepTheirNamesOrderAndDirections) {
  const std::vector<std::string> names = {
      "latency_s",  "energy_j",    "area_mm2", "edp",         "throughput_per_mm2", "tops_per_watt",
      "inferences_per_s", "tokens_per_s", "tops", "peak_tops", "utilization", "power_w", "cycles",
      "compute_cycles", "macs", "dram_bytes", "sram_bytes", "stall_dram", "stall_interconnect", "stall_sram_bank",
      "stall_vector_unit", "stall_sync"};
  std::vector<std::string> got;
  for (const auto& m : metric_catalog()) got.push_back(m.name);
  EXPECT_EQ(got, names);
  const std::vector<std::pair<std::string, std::string>> aliases = {
      {"latency", "latency_s"},   {"energy", "energy_j"},      {"area", "area_mm2"},
      {"energy_delay_product", "edp"}, {"perf_per_area", "throughput_per_mm2"}, {"efficiency", "tops_per_watt"},
      {"throughput", "inferences_per_s"}, {"tokens", "tokens_per_s"}, {"util", "utilization"}, {"power", "power_w"},
      {"dram", "dram_bytes"}};
  for (const auto& [a, n] : aliases) {
    ASSERT_NE(find_metric(a), nullptr) << a;
    EXPECT_EQ(find_metric(a)->name, n);
  }
  for (const char* m : {"latency_s", "energy_j", "area_mm2", "edp", "power_w", "cycles", "dram_bytes", "stall_sync"})
    EXPECT_TRUE(find_metric(m)->minimize) << m;
  for (const char* m : {"tops_per_watt", "inferences_per_s", "tokens_per_s", "tops", "peak_tops", "utilization",
                        "throughput_per_mm2"})
    EXPECT_FALSE(find_metric(m)->minimize) << m;
  for (const char* m : {"cycles", "compute_cycles", "macs", "dram_bytes", "sram_bytes", "stall_dram"})
    EXPECT_TRUE(find_metric(m)->integer) << m;
  EXPECT_FALSE(find_metric("latency_s")->integer);
  EXPECT_EQ(find_metric("nope"), nullptr);
  try {
    metric_or_throw("speed", "--x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("--x speed: unknown metric (one of latency_s, energy_j"));
    EXPECT_THAT(e.what(), HasSubstr("aliases latency, energy, area"));
  }
}

// A result whose every stored statistic holds a distinct value (what the engine produces).
RunResult made_up(const std::string& engine, arch::ArchConfigPtr a) {
  RunResult r;
  r.engine = engine;
  r.model = "made-up";
  r.arch = a;
  r.dtype = a->datatypes.default_dtype;
  r.batch = 2, r.tokens = 64;
  for (int i = 0; i < 2; ++i) {
    LayerResult l;
    l.name = i ? "second" : "first";
    l.op = i ? workloads::OpKind::Softmax : workloads::OpKind::MatMul;
    l.cls = i ? LayerClass::Vector : LayerClass::Gemm;
    l.mapping.split = Split::None, l.mapping.cores = 1;
    l.mapping.tm = l.mapping.tn = l.mapping.tk = l.mapping.tg = 1;
    l.G = 1, l.M = 8, l.N = 16, l.K = 32;
    std::int64_t v = 1000 * (i + 1);
    for (const Stat& s : stat_table()) {
      if (std::int64_t* p = layer_int_field(s, l)) *p = ++v;
      if (double* q = layer_real_field(s, l)) *q = double(++v) + 0.25;
    }
    r.layers.push_back(l);
  }
  r.total_cycles = 5000;  // the run's own figure: not the sum of the layers' cycles
  r.sim_events = 11, r.sim_wall_seconds = 0.5, r.sim_peak_rss_mib = 12.5, r.rtl_tiles = 3, r.rtl_cycles = 99;
  for (std::size_t i = 0; i < instance_names(Instances::DramChannels, *a).size(); ++i)
    r.dram_channel_busy_cycles.push_back(100.5 + double(i));
  for (std::size_t i = 0; i < instance_names(Instances::Links, *a).size(); ++i) r.link_busy_cycles.push_back(7.25 * double(i));
  for (std::int32_t c = 0; c < a->cores; ++c) {
    r.core_pe_busy_cycles.push_back(40.0 + c);
    r.core_vector_busy_cycles.push_back(20.0 + c);
    r.core_sram_busy_cycles.push_back(30.0 + c);
  }
  return r;
}

TEST(StatTable, EveryStatisticIsWrittenAndReadBack) {
  for (const char* engine : {"analytic", "systemc"}) {
    const auto a = test::preset("dc-npu");
    const RunResult r = made_up(engine, a);
    const nlohmann::json j = to_json(r);
    const RunResult back = from_json(j, a);
    EXPECT_EQ(to_json(back).dump(), j.dump()) << engine;
    ASSERT_EQ(back.layers.size(), r.layers.size());
    for (const Stat& s : stat_table()) {
      EXPECT_EQ(j.at("stats").contains(std::string(s.name)), s.produced_by(engine)) << s.name;
      for (std::size_t i = 0; i < r.layers.size(); ++i) {
        LayerResult got = back.layers[i], want = r.layers[i];
        if (std::int64_t* p = layer_int_field(s, want)) { EXPECT_EQ(*layer_int_field(s, got), s.produced_by(engine) ? *p : 0) << s.name; }
        if (double* p = layer_real_field(s, want)) { EXPECT_EQ(*layer_real_field(s, got), s.produced_by(engine) ? *p : 0) << s.name; }
      }
      if (s.run_int) { EXPECT_EQ(*s.run_int(back), s.produced_by(engine) ? *s.run_int(r) : 0) << s.name; }
      if (s.run_real) { EXPECT_EQ(*s.run_real(back), s.produced_by(engine) ? *s.run_real(r) : 0) << s.name; }
      if (s.run_series) { EXPECT_EQ(*s.run_series(back), s.produced_by(engine) ? *s.run_series(r) : std::vector<double>{}) << s.name; }
    }
    EXPECT_EQ(back.layers[1].name, "second");
    EXPECT_EQ(back.layers[0].K, 32);
    EXPECT_EQ(j.contains("simulation"), std::string(engine) == "systemc");
  }
  // a result missing a statistic its engine produces is an error naming it
  nlohmann::json j = to_json(made_up("systemc", test::preset("dc-npu")));
  j["layers"][1].erase("dram_row_hits");
  try {
    from_json(j, test::preset("dc-npu"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("layer 'second' has no 'dram_row_hits'"));
  }
  // leniently (results stored by an older npusim), it stays zero
  EXPECT_EQ(layers_from_json(j, true).at(1).dram_row_hits, 0);
}

TEST(StatTable, TotalsAggregateAsDeclared) {
  const auto a = test::preset("edge-npu");
  const RunResult r = made_up("systemc", a);
  const LayerResult &x = r.layers[0], &y = r.layers[1];
  const ModelTotals t = r.totals();
  EXPECT_EQ(t.macs, x.macs + y.macs);
  EXPECT_EQ(t.stalls, (std::array<std::int64_t, kNumStalls>{x.stalls[0] + y.stalls[0], x.stalls[1] + y.stalls[1],
                                                             x.stalls[2] + y.stalls[2], x.stalls[3] + y.stalls[3],
                                                             x.stalls[4] + y.stalls[4]}));
  EXPECT_EQ(t.dram_row_misses, x.dram_row_misses + y.dram_row_misses);
  EXPECT_EQ(t.vector_ops[2], x.vector_ops[2] + y.vector_ops[2]);
  EXPECT_EQ(t.noc_byte_hops, x.noc_byte_hops + y.noc_byte_hops);
  EXPECT_EQ(t.energy.leakage, x.energy.leakage + y.energy.leakage);
  EXPECT_EQ(t.cycles, 5000);        // the run's own figure
  EXPECT_EQ(t.start_cycle, 0);      // per layer only
  EXPECT_EQ(t.roof_compute, 0);     // per layer only
  const double seconds = 5000 * a->cycle_ns() * 1e-9;
  EXPECT_DOUBLE_EQ(t.seconds, seconds);
  EXPECT_DOUBLE_EQ(t.utilization, double(x.macs + y.macs) / (5000.0 * double(a->peak_macs_per_cycle(r.dtype))));
  const double joules = (x.energy.total() + y.energy.total()) * 1e-12;
  EXPECT_DOUBLE_EQ(t.energy_j, joules);
  EXPECT_DOUBLE_EQ(t.edp, joules * seconds);
  EXPECT_DOUBLE_EQ(t.power_w, joules / seconds);
  EXPECT_DOUBLE_EQ(t.inferences_per_s, 2 / seconds);
  EXPECT_DOUBLE_EQ(t.tokens_per_s, 64 / seconds);
  EXPECT_DOUBLE_EQ(t.tops, 2.0 * double(x.macs + y.macs) / seconds * 1e-12);
  EXPECT_DOUBLE_EQ(t.area_mm2, a->area_mm2());

  const nlohmann::json total = totals_to_json(r);
  EXPECT_EQ(total.at("cycles"), 5000);
  EXPECT_EQ(total.at("dram_bytes"), x.dram_bytes() + y.dram_bytes());
  EXPECT_EQ(total.at("stalls").at("sync"), t.stalls[4]);
  EXPECT_FALSE(total.contains("start_cycle"));
  EXPECT_FALSE(total.contains("roofs"));
  EXPECT_EQ(total.at("dram_channel_busy_cycles").at("ch0"), 100.5);
  EXPECT_EQ(total.at("core_pe_busy_cycles").size(), std::size_t(a->cores));

  const auto m = metrics_of(r);
  ASSERT_EQ(m.size(), metric_catalog().size());
  EXPECT_DOUBLE_EQ(m.at("latency_s"), seconds);
  EXPECT_DOUBLE_EQ(m.at("cycles"), 5000);
  EXPECT_DOUBLE_EQ(m.at("stall_dram"), double(t.stalls[0]));
  EXPECT_DOUBLE_EQ(m.at("throughput_per_mm2"), 2 / seconds / a->area_mm2());
  EXPECT_DOUBLE_EQ(m.at("peak_tops"), 2.0 * double(a->peak_macs_per_cycle(r.dtype)) * a->clock_mhz * 1e6 * 1e-12);
}

TEST(StatTable, CoresAddWhatSumsOverCores) {
  const RunResult r = made_up("systemc", test::preset("edge-npu"));
  LayerStats layer = r.layers[0];
  const LayerStats before = layer, core = r.layers[1];
  add_core(layer, core);
  for (const Stat& s : stat_table()) {
    LayerStats l = layer, b = before, c = core;
    if (std::int64_t* p = layer_int_field(s, l)) {
      EXPECT_EQ(*p, *layer_int_field(s, b) + (s.over_cores == OverCores::Sum ? *layer_int_field(s, c) : 0)) << s.name;
    }
    if (double* p = layer_real_field(s, l)) {
      EXPECT_EQ(*p, *layer_real_field(s, b) + (s.over_cores == OverCores::Sum ? *layer_real_field(s, c) : 0)) << s.name;
    }
  }
  EXPECT_EQ(find_stat("macs")->over_cores, OverCores::Sum);
  EXPECT_EQ(find_stat("compute_cycles")->over_cores, OverCores::Critical);
}

TEST(StatTable, AnalyticResultsCarryTheCostModelsFigures) {
  const CompiledModel cm = test::compile_model("resnet50", "edge-npu");
  const RunResult r = analytic_result(cm);
  std::int64_t at = 0;
  for (std::size_t i = 0; i < cm.layers.size(); ++i) {
    const LayerCost& c = cm.layers[i].cost;
    const LayerResult& l = r.layers[i];
    EXPECT_EQ(l.cycles, c.cycles);
    EXPECT_EQ(l.start_cycle, at);
    EXPECT_EQ(l.end_cycle, at += c.cycles);
    EXPECT_EQ(l.stalls, c.stalls);
    EXPECT_EQ(l.roof_dram, c.roof_dram);
    EXPECT_EQ(l.energy.total(), c.energy.total());
    EXPECT_EQ(l.dram_bytes_saved, cm.layers[i].dram_bytes_saved);
  }
  EXPECT_EQ(r.total_cycles, at);
  EXPECT_EQ(r.totals().cycles, at);
}

TEST(StatTable, DocumentationIsUpToDate) {
  std::ifstream in(std::string(NPUSIM_SOURCE_DIR) + "/docs/STATS.md");
  ASSERT_TRUE(in) << "docs/STATS.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), stats_markdown()) << "regenerate with: npusim schema --stats > docs/STATS.md";
}

}  // namespace
}  // namespace npusim::compiler
