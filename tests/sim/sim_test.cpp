// The SystemC model: exact timing of a single tile, agreement with the analytic model where the
// PE array bounds, properties under bandwidth and core count, accounting, determinism, and the
// no-progress report.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "arch/loader.h"
#include "base/error.h"
#include "compiler/results.h"
#include "compiler/schedule.h"
#include "configs/embedded.h"
#include "sim/simulate.h"
#include "workloads/zoo.h"

using namespace npusim;
using namespace npusim::compiler;
using ::testing::HasSubstr;

namespace {

arch::ArchConfigPtr preset(const std::string& name, std::vector<std::string> sets = {}) {
  std::vector<Override> ov;
  for (const auto& s : sets) ov.push_back(parse_override(s));
  return arch::load_arch(find_arch_preset(name)->text, name + ".yaml", ov);
}

CompiledModel build(const std::string& model, arch::ArchConfigPtr a, std::int64_t seq = 0, CompileOptions opt = {}) {
  workloads::ModelParams p;
  p.seq = seq;
  p.dtype = a->datatypes.default_dtype;
  return compile(workloads::load_model(model, p), a, opt);
}

// The same compiled model (mapping and Schedule) on another architecture of identical buffers.
CompiledModel with_arch(const CompiledModel& cm, arch::ArchConfigPtr a) {
  CompiledModel c = cm;
  c.arch = a;
  c.ctx = CostContext::make(a, cm.ctx.dtype);
  return c;
}

// An architecture with every figure of the single-tile test stated here, at 1 GHz (1 cycle = 1 ns).
const char* kIdleArch = R"(
name: idle-test
clock_mhz: 1000
datatypes: {default: int8, accumulator: int32, macs_per_pe_per_cycle: {int8: 1}}
cores: 1
core:
  pe_array: {rows: 16, cols: 16, dataflow: ws, stationary_double_buffer: true, fold_overlap: true}
  vector_unit: {lanes: 16, latency_cycles: 4, ops_per_lane_per_cycle: {elementwise: 1, transcendental: 1, reduction: 1}}
  scratchpad: {size_kib: 64, banks: 8, bank_bytes_per_cycle: 32}
  accumulator_buffer: {size_kib: 16}
  dma: {burst_bytes: 4096, max_outstanding: 8}
interconnect: {topology: bus, link_bytes_per_cycle: 256, hop_latency_cycles: 2}
dram: {channels: 2, bandwidth_gb_per_s: 512, latency_ns: 100, capacity_gib: 1, interleave_bytes: 4096}
energy: {technology: 45nm}
area: {technology: 45nm, fixed_mm2: 1}
)";

// An HBM-class chip of `cores` 128x128 bf16 cores on a crossbar, at 1 GHz.
std::string hbm_arch(int cores) {
  return fmt::format(R"(
name: hbm-{0}
clock_mhz: 1000
datatypes: {{default: bf16, accumulator: fp32, macs_per_pe_per_cycle: {{bf16: 1}}}}
cores: {0}
core:
  pe_array: {{rows: 128, cols: 128, dataflow: ws, stationary_double_buffer: true, fold_overlap: true}}
  vector_unit: {{lanes: 128, latency_cycles: 8, ops_per_lane_per_cycle: {{elementwise: 1, transcendental: 1, reduction: 1}}}}
  scratchpad: {{size_kib: 4096, banks: 16, bank_bytes_per_cycle: 64}}
  accumulator_buffer: {{size_kib: 1024}}
  dma: {{burst_bytes: 4096, max_outstanding: 64}}
interconnect: {{topology: crossbar, link_bytes_per_cycle: 256, hop_latency_cycles: 2}}
dram: {{channels: 8, bandwidth_gb_per_s: 600, latency_ns: 100, capacity_gib: 8, interleave_bytes: 1024}}
energy: {{technology: 45nm}}
area: {{technology: 45nm, fixed_mm2: 1}}
)",
                     cores);
}

}  // namespace

TEST(SystemC, SingleTileOnAnIdleSystemIsTheFormulaPlusTheDmaLatencies) {
  auto a = arch::load_arch(kIdleArch, "idle.yaml");
  auto cm = build("gemm:16,16,16", a);
  ASSERT_EQ(cm.layers.size(), 1u);
  ASSERT_EQ(cm.layers[0].cost.tiles, 1);
  // Every bandwidth on the way is 256 B/cycle (channel: 512 GB/s / 2 at 1 GHz; the bus; 8 banks
  // x 32 B). A (256 B at address 0) and B (256 B at 4096) sit on different channels and are
  // requested together; their data shares the one bus, so the later of the two lands after
  //   hop 2 + DRAM latency 100 + (256 + 256) B / 256 B/cycle + hop 2
  const std::int64_t load = 2 + 100 + 2 + 2;
  const std::int64_t compute = pe_tile_timing(cm.ctx.pe, 16, 16, 16).cycles;  // R + T + R + C - 2 = 62
  ASSERT_EQ(compute, 16 + 16 + 30);
  const std::int64_t vector = 4 + 256 / 16;  // latency + one conversion per element over 16 lanes
  const std::int64_t store = 1 + 2;          // 256 B at 256 B/cycle, then the hop into the channel
  auto r = sim::simulate(cm);
  EXPECT_EQ(r.total_cycles, load + compute + vector + store);
  EXPECT_EQ(r.layers[0].compute_cycles, compute);
}

// A PE-array timing variant of the test's own (sim/pe_timing_model.h): the formula plus a fixed
// delay per tile, counting its tiles into rtl_tiles so the result shows it ran.
class SlowerFormula final : public sim::PeTimingModel {
 public:
  static constexpr std::int64_t kExtra = 1000;
  std::string_view name() const override { return "slower"; }
  void check(const PeGeometry& g) const override {
    if (g.rows != 16) throw npusim::Error("slower: 16 rows only");
  }
  std::unique_ptr<sim::PeArrayTiming> make(const PeGeometry& g, std::string) const override {
    struct Timing final : sim::PeArrayTiming {
      explicit Timing(const PeGeometry& geom) : g(geom) {}
      std::int64_t tile_cycles(const Command& c, std::uint64_t, std::uint64_t) override {
        ++tiles;
        return pe_tile_timing(g, c.tm, c.tn, c.tk, c.tg).cycles + kExtra;
      }
      void add_counters(RunResult& r) const override { r.rtl_tiles += tiles; }
      PeGeometry g;
      std::int64_t tiles = 0;
    };
    return std::make_unique<Timing>(g);
  }
};

TEST(SystemC, ThePeArrayIsTimedByTheChosenVariant) {
  auto a = arch::load_arch(kIdleArch, "idle.yaml");
  auto cm = build("gemm:16,16,16", a);
  const RunResult f = sim::simulate(cm);
  EXPECT_EQ(f.pe_model, "formula");
  EXPECT_EQ(f.rtl_tiles, 0);
  sim::SimOptions o;
  o.pe_timing = std::make_shared<const SlowerFormula>();
  const RunResult s = sim::simulate(cm, o);
  EXPECT_EQ(s.pe_model, "slower");
  EXPECT_EQ(s.rtl_tiles, 1);
  EXPECT_EQ(s.layers[0].compute_cycles, f.layers[0].compute_cycles + SlowerFormula::kExtra);
  EXPECT_EQ(s.total_cycles, f.total_cycles + SlowerFormula::kExtra);
  // the variant's check runs before the simulation starts
  const std::vector<Override> rows8 = {parse_override("core.pe_array.rows=8")};
  auto other = build("gemm:16,16,16", arch::load_arch(kIdleArch, "idle.yaml", rows8));
  try {
    sim::simulate(other, o);
    ADD_FAILURE() << "expected the variant's check to refuse 8 rows";
  } catch (const npusim::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("slower: 16 rows only"));
  }
}

TEST(SystemC, ComputeBoundLayersAgreeWithTheAnalyticModelWithinOnePercent) {
  // Ample bandwidth (100x DRAM and links): layers bound by the PE array alone (its time is >= 90%
  // of the estimate and no other roof is within 20% of it) of at least 20,000 cycles agree within
  // 1%. (Shorter ones differ by up to ~2% in how the first transfers of every core and stream
  // start, which the analytic prologue simplifies: docs/SIMULATION.md.)
  struct Case {
    const char* arch;
    const char* model;
    std::int64_t seq;
  };
  int checked = 0;
  for (const Case& c : {Case{"edge-npu", "resnet50", 0}, Case{"edge-npu", "mobilenetv2", 0}, Case{"tpu-v1", "vgg16", 0},
                        Case{"tpu-v1", "bert-base", 128}, Case{"dc-npu", "vgg16", 0}, Case{"dc-npu", "gemm:2048,2048,2048", 0},
                        Case{"eyeriss", "mobilenetv2", 0}}) {
    auto base = preset(c.arch);
    auto a = preset(c.arch, {"dram.bandwidth_gb_per_s=" + std::to_string(base->dram.bandwidth_gb_per_s * 100),
                             "interconnect.link_bytes_per_cycle=" + std::to_string(base->interconnect.link_bytes_per_cycle * 100)});
    auto cm = build(c.model, a, c.seq);
    const RunResult an = analytic_result(cm);
    const RunResult sc = sim::simulate(cm);
    for (std::size_t i = 0; i < an.layers.size(); ++i) {
      const auto& l = an.layers[i];
      const double others = std::max({l.roof_vector, l.roof_sram, l.roof_dram, l.roof_noc, l.roof_dma,
                                      l.roof_burst == l.roof_compute ? 0.0 : l.roof_burst});
      if (l.cycles < 20000 || double(l.compute_cycles) < 0.9 * double(l.cycles) || others > 0.8 * l.roof_compute) continue;
      ++checked;
      EXPECT_NEAR(double(sc.layers[i].cycles) / double(l.cycles), 1.0, 0.01)
          << c.model << " on " << c.arch << ": " << l.name << " analytic " << l.cycles << " systemc " << sc.layers[i].cycles;
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(SystemC, DramStallGrowsAsBandwidthShrinks) {
  auto base = preset("tpu-v1");
  auto cm = build("resnet50", base);
  std::int64_t prev_stall = -1, prev_cycles = -1;
  for (double scale : {4.0, 1.0, 0.25, 1.0 / 16}) {
    auto a = preset("tpu-v1", {"dram.bandwidth_gb_per_s=" + std::to_string(34 * scale)});
    const RunResult r = sim::simulate(with_arch(cm, a));
    const std::int64_t stall = r.totals().stalls[static_cast<std::size_t>(Stall::Dram)];
    EXPECT_GE(stall, prev_stall) << "bandwidth x" << scale;
    EXPECT_GE(r.total_cycles, prev_cycles) << "bandwidth x" << scale;
    prev_stall = stall, prev_cycles = r.total_cycles;
    // the analytic model's error at this bandwidth, reported (docs/SIMULATION.md tabulates it)
    const double err = double(analytic_result(with_arch(cm, a)).total_cycles) / double(r.total_cycles) - 1.0;
    RecordProperty("analytic_error_at_bandwidth_x" + std::to_string(scale), std::to_string(err));
  }
}

TEST(SystemC, DoublingDramBandwidthNeverIncreasesCycles) {
  for (const char* arch : {"edge-npu", "tpu-v1", "dc-npu"})
    for (const char* model : {"resnet50", "mobilenetv2"}) {
      auto a = preset(arch);
      auto cm = build(model, a);
      const std::string doubled = "dram.bandwidth_gb_per_s=" + std::to_string(a->dram.bandwidth_gb_per_s * 2);
      // the same Schedule on twice the bandwidth
      const RunResult once = sim::simulate(cm);
      const RunResult twice = sim::simulate(with_arch(cm, preset(arch, {doubled})));
      EXPECT_LE(twice.total_cycles, once.total_cycles) << model << " on " << arch;
      // Compiled anew for it, the mapper (which scores with the analytic model, where more bandwidth
      // never hurts) may pick mappings the simulation finds marginally slower: measured +0.02% once
      // (mobilenetv2 on dc-npu). Bounded here, not claimed to be zero.
      const RunResult recompiled = sim::simulate(build(model, preset(arch, {doubled})));
      EXPECT_LE(double(recompiled.total_cycles), 1.005 * double(once.total_cycles)) << model << " on " << arch;
    }
}

TEST(SystemC, AddingCoresToAMemoryBoundLayerSaturatesAtTheBandwidthRoof) {
  // One token through an 8192x8192 bf16 projection streams 128 MiB of weights. Each core has a
  // 256 B/cycle crossbar link; the DRAM gives 600 B/cycle in all: one or two cores are limited by
  // their links, from three on the DRAM is the roof and more cores cannot beat it.
  const double roof = 8192.0 * 8192.0 * 2 / 600.0;
  std::vector<std::int64_t> cycles;
  for (int cores : {1, 2, 4, 8}) {
    auto a = arch::load_arch(hbm_arch(cores), "hbm.yaml");
    const RunResult r = sim::simulate(build("gemm:1,8192,8192", a));
    EXPECT_GE(double(r.total_cycles), roof) << cores << " cores";
    cycles.push_back(r.total_cycles);
  }
  EXPECT_LT(cycles[1], 0.6 * double(cycles[0]));  // 2 cores: about twice as fast
  EXPECT_LE(double(cycles[2]), 1.1 * roof);        // 4 cores: at the roof
  EXPECT_LE(double(cycles[3]), 1.1 * roof);        // 8 cores: still at the roof
  EXPECT_GE(double(cycles[3]), 0.95 * double(cycles[2]));
}

TEST(SystemC, StatisticsEqualTheSchedule) {
  auto cm = build("resnet50", preset("dc-npu"));
  const RunResult r = sim::simulate(cm);
  const auto addr = dram_layout(cm);
  for (std::size_t i = 0; i < cm.layers.size(); ++i) {
    const ScheduleTotals t = totals_of(cm, schedule_layer(cm, i, addr));
    const auto& l = r.layers[i];
    EXPECT_EQ(l.macs, t.macs) << l.name;
    EXPECT_EQ(l.dram_read_bytes, t.dram_read_bytes) << l.name;
    EXPECT_EQ(l.dram_write_bytes, t.dram_write_bytes) << l.name;
    EXPECT_EQ(l.sram_read_bytes, t.sram_read_bytes) << l.name;
    EXPECT_EQ(l.sram_write_bytes, t.sram_write_bytes) << l.name;
    EXPECT_EQ(l.acc_bytes, t.acc_bytes) << l.name;
    EXPECT_EQ(l.vector_ops, t.vector_ops) << l.name;
    std::int64_t stalls = 0;
    for (auto s : l.stalls) stalls += s;
    EXPECT_EQ(stalls, l.cycles - l.compute_cycles) << l.name;
  }
  EXPECT_EQ(r.totals().macs, cm.graph.total_macs());
}

TEST(SystemC, TwoRunsGiveIdenticalOutput) {
  auto cm = build("bert-base", preset("dc-npu"), 64);
  auto strip = [](RunResult r) {
    r.sim_wall_seconds = 0, r.sim_peak_rss_mib = 0;
    return to_json(r).dump();
  };
  EXPECT_EQ(strip(sim::simulate(cm)), strip(sim::simulate(cm)));
}

TEST(SystemC, AScheduleThatCannotFinishIsReported) {
  auto cm = build("gemm:64,64,64", preset("edge-npu"));
  const auto addr = dram_layout(cm);
  LayerSchedule s = schedule_layer(cm, 0, addr);
  CoreProgram& p = s.cores.at(0);
  // the first load waits for the last command, which depends (through the compute) on that load
  Command& first_load = p.cmds.at(1);
  ASSERT_EQ(first_load.kind, CmdKind::Load);
  first_load.dep_begin = static_cast<std::uint32_t>(p.deps.size());
  first_load.dep_count = 1;
  p.deps.push_back(static_cast<std::uint32_t>(p.cmds.size() - 1));
  sim::SimOptions o;
  o.schedule = std::vector<LayerSchedule>{s};
  try {
    sim::simulate(cm, o);
    FAIL() << "the simulation should report no progress";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_THAT(m, HasSubstr("no progress"));
    EXPECT_THAT(m, HasSubstr("core 0"));
    EXPECT_THAT(m, HasSubstr("command #"));
    EXPECT_THAT(m, HasSubstr("simulated cycle"));
  }
}

TEST(SystemC, ADependencyOnAMissingCommandIsRejected) {
  auto cm = build("gemm:64,64,64", preset("edge-npu"));
  LayerSchedule s = schedule_layer(cm, 0, dram_layout(cm));
  CoreProgram& p = s.cores.at(0);
  p.cmds.back().dep_begin = static_cast<std::uint32_t>(p.deps.size());
  p.cmds.back().dep_count = 1;
  p.deps.push_back(999);
  sim::SimOptions o;
  o.schedule = std::vector<LayerSchedule>{s};
  EXPECT_THROW(
      {
        try {
          sim::simulate(cm, o);
        } catch (const Error& e) {
          EXPECT_THAT(e.what(), HasSubstr("depends on #999, which does not exist"));
          throw;
        }
      },
      Error);
}

TEST(SystemC, ABarrierThatCanNeverOpenIsReported) {
  auto cm = build("mlp", preset("edge-npu"));
  const auto addr = dram_layout(cm);
  std::vector<LayerSchedule> s;
  for (std::size_t i = 0; i < cm.layers.size(); ++i) s.push_back(schedule_layer(cm, i, addr));
  s.at(0).wait_layers = {2};  // the first layer waits for the last, which waits for it
  sim::SimOptions o;
  o.schedule = s;
  try {
    sim::simulate(cm, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("waits at the barrier of layer 'fc1'"));
  }
}

TEST(SystemC, TraceHoldsEveryCommand) {
  auto cm = build("mlp", preset("edge-npu"));
  const std::string path = ::testing::TempDir() + "/npusim_trace.json";
  sim::SimOptions o;
  o.trace_path = path;
  sim::simulate(cm, o);
  std::ifstream f(path);
  ASSERT_TRUE(f);
  const auto j = nlohmann::json::parse(f);
  std::int64_t executed = 0, commands = 0;
  for (const auto& e : j.at("traceEvents"))
    if (e.at("ph") == "X") ++executed;
  const auto addr = dram_layout(cm);
  for (std::size_t i = 0; i < cm.layers.size(); ++i)
    for (const auto& c : schedule_layer(cm, i, addr).cores) commands += static_cast<std::int64_t>(c.cmds.size()) - 1;
  EXPECT_EQ(executed, commands);  // every command but the barriers
}

TEST(SystemC, EveryStatisticItProducesIsWrittenAndReadBack) {
  auto cm = build("mlp", preset("edge-npu"));
  const RunResult r = sim::simulate(cm);
  const auto j = to_json(r);
  for (const Stat& s : stat_table()) {
    EXPECT_EQ(j.at("stats").contains(std::string(s.name)), s.produced_by("systemc")) << s.name;
    if (!s.produced_by("systemc")) continue;
    const auto& obj = s.section == Section::Simulation ? j.at("simulation") : s.per_layer() ? j.at("layers").at(0) : j.at("total");
    EXPECT_TRUE(s.group.empty() ? obj.contains(std::string(s.key)) : obj.at(std::string(s.group)).contains(std::string(s.key)))
        << s.name;
  }
  EXPECT_EQ(j.at("engine"), "systemc");
  EXPECT_TRUE(j.contains("config"));
  EXPECT_TRUE(j.contains("version"));
  // what the child process sends its parent is what the parent reads
  EXPECT_EQ(to_json(from_json(j, cm.arch)).dump(), j.dump());
}

// What the SystemC model counts beyond the engines' shared statistics: DRAM row-buffer outcomes,
// busy cycles per DRAM channel, link and core unit. Consistency checks of the counters with each
// other and with the traffic, not a validation.
TEST(SystemC, BlockCountersAreConsistent) {
  for (const char* a : {"edge-npu", "dc-npu"}) {
    auto arch = preset(a);
    ASSERT_TRUE(arch->dram.row_buffer.enabled) << a;
    auto cm = build("mobilenetv2", arch);
    const RunResult r = sim::simulate(cm);
    const ModelTotals t = r.totals();
    for (const auto& l : r.layers) {
      EXPECT_EQ(l.dram_row_hits + l.dram_row_misses, l.dram_accesses) << a << " " << l.name;
      // an access moves at least one byte and at most a DMA burst
      EXPECT_LE(l.dram_accesses, l.dram_bytes()) << l.name;
      EXPECT_GE(l.dram_accesses * arch->core.dma.burst_bytes, l.dram_bytes()) << l.name;
    }
    EXPECT_EQ(t.dram_row_hits + t.dram_row_misses, t.dram_accesses) << a;
    EXPECT_GT(t.dram_row_hits, 0) << a;
    EXPECT_GT(t.dram_row_misses, 0) << a;
    // each channel's bus is busy for its bytes at its bandwidth, within the run
    ASSERT_EQ(r.dram_channel_busy_cycles.size(), std::size_t(arch->dram.channels));
    const double per_channel = arch->dram.bandwidth_gb_per_s * arch->cycle_ns() / arch->dram.channels;  // B/cycle
    double busy = 0;
    for (double b : r.dram_channel_busy_cycles) {
      EXPECT_GT(b, 0) << a;
      EXPECT_LE(b, double(r.total_cycles)) << a;
      busy += b;
    }
    EXPECT_NEAR(busy * per_channel, double(t.dram_bytes()), 1e-6 * double(t.dram_bytes())) << a;
    ASSERT_EQ(r.link_busy_cycles.size(), instance_names(Instances::Links, *arch).size());
    for (double b : r.link_busy_cycles) { EXPECT_LE(b, double(r.total_cycles)) << a; }
    EXPECT_GT(*std::max_element(r.link_busy_cycles.begin(), r.link_busy_cycles.end()), 0) << a;
    ASSERT_EQ(r.core_pe_busy_cycles.size(), std::size_t(arch->cores));
    for (std::size_t c = 0; c < r.core_pe_busy_cycles.size(); ++c) {
      EXPECT_LE(r.core_pe_busy_cycles[c], double(r.total_cycles)) << a;
      EXPECT_LE(r.core_vector_busy_cycles[c], double(r.total_cycles)) << a;
      EXPECT_GT(r.core_sram_busy_cycles[c], 0) << a;
    }
    // one core: the PE array's busy time is the layers' compute plus the bank stalls it caused
    if (arch->cores == 1) {
      const double pe = double(t.compute_cycles + t.stalls[static_cast<std::size_t>(Stall::SramBank)]);
      EXPECT_NEAR(r.core_pe_busy_cycles[0], pe, double(r.layers.size()) + 1e-6 * pe) << a;
    }
  }
}

TEST(SystemC, WithoutARowBufferModelNoAccessIsAHitOrAMiss) {
  auto arch = arch::load_arch(kIdleArch, "idle.yaml");
  ASSERT_FALSE(arch->dram.row_buffer.enabled);
  const RunResult r = sim::simulate(build("mlp", arch));
  const ModelTotals t = r.totals();
  EXPECT_GT(t.dram_accesses, 0);
  EXPECT_EQ(t.dram_row_hits, 0);
  EXPECT_EQ(t.dram_row_misses, 0);
}
