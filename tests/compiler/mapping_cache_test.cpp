// The mapping cache (compiler/mapping_cache.h): compiles that reuse searches of earlier compiles
// on architectures differing only in buffer capacities give exactly the result of compiles from
// scratch: every layer's mapping, cost (cycles, stalls, traffic, energy to the last bit) and the
// count of mappings scored; and architectures that differ in anything else do not share.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/mapping_cache.h"
#include "tests/compiler/test_util.h"

namespace npusim::compiler {
namespace {

using test::preset;

CompiledModel compile_on(const arch::ArchConfigPtr& a, const std::string& model, Objective objective,
                         MappingCache* cache) {
  workloads::ModelParams p;
  p.dtype = a->datatypes.default_dtype;
  CompileOptions o;
  o.objective = objective;
  return compile(workloads::load_model(model, p), a, o, 1, 0, cache);
}

void expect_identical(const CompiledModel& cached, const CompiledModel& fresh, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(cached.layers.size(), fresh.layers.size());
  for (std::size_t i = 0; i < fresh.layers.size(); ++i) {
    const CompiledLayer& c = cached.layers[i];
    const CompiledLayer& f = fresh.layers[i];
    SCOPED_TRACE(f.layer.name);
    EXPECT_EQ(c.mapping, f.mapping) << c.mapping.str() << " vs " << f.mapping.str();
    EXPECT_EQ(c.evaluated, f.evaluated);
    EXPECT_EQ(c.dram_bytes_saved, f.dram_bytes_saved);
    EXPECT_EQ(c.cost.cycles, f.cost.cycles);
    EXPECT_EQ(c.cost.compute_cycles, f.cost.compute_cycles);
    EXPECT_EQ(c.cost.stalls, f.cost.stalls);
    EXPECT_EQ(c.cost.dram_read_bytes, f.cost.dram_read_bytes);
    EXPECT_EQ(c.cost.dram_write_bytes, f.cost.dram_write_bytes);
    EXPECT_EQ(c.cost.sram_read_bytes, f.cost.sram_read_bytes);
    EXPECT_EQ(c.cost.sram_write_bytes, f.cost.sram_write_bytes);
    EXPECT_EQ(c.cost.acc_bytes, f.cost.acc_bytes);
    EXPECT_EQ(c.cost.buffers.spad_total(), f.cost.buffers.spad_total());
    EXPECT_EQ(c.cost.energy.total(), f.cost.energy.total());  // to the last bit
    EXPECT_EQ(c.cost.energy.leakage, f.cost.energy.leakage);
  }
  const ModelTotals ct = cached.totals(), ft = fresh.totals();
  EXPECT_EQ(ct.cycles, ft.cycles);
  EXPECT_EQ(ct.energy.total(), ft.energy.total());
}

// Scratchpad sizes visited large, small, then in between: later compiles find candidates that
// earlier ones planned but could not fit, and ones they never reached.
void sweep_scratchpads(const std::string& model, Objective objective, const std::vector<std::string>& kib) {
  MappingCache cache;
  for (const std::string& k : kib) {
    const auto a = preset("edge-npu", {"core.scratchpad.size_kib=" + k, "core.pe_array.rows=32"});
    expect_identical(compile_on(a, model, objective, &cache), compile_on(a, model, objective, nullptr),
                     model + " on a " + k + " KiB scratchpad, objective " + std::string(name_of(objective)));
  }
  EXPECT_GT(cache.reused(), cache.lookups() / 2) << "the points did not share their searches";
}

TEST(MappingCache, PointsThatDifferOnlyInScratchpadSizeGetTheResultOfASearchFromScratch) {
  sweep_scratchpads("resnet50", Objective::Latency, {"2048", "128", "512", "192", "1024", "256"});
  sweep_scratchpads("mobilenetv2", Objective::Latency, {"128", "2048", "320"});
  // without pruning, and with the leakage (which follows the scratchpad's area) in the choice
  sweep_scratchpads("resnet50", Objective::Energy, {"2048", "128", "384"});
  sweep_scratchpads("mlp", Objective::Edp, {"64", "2048", "128"});
}

TEST(MappingCache, AccumulatorBufferAndPartitionedScratchpadsToo) {
  MappingCache cache;
  for (const std::string kib : {"32", "4", "8"}) {
    const auto a = preset("edge-npu", {"core.accumulator_buffer.size_kib=" + kib});
    expect_identical(compile_on(a, "resnet50", Objective::Latency, &cache),
                     compile_on(a, "resnet50", Objective::Latency, nullptr), "accumulator buffer " + kib + " KiB");
  }
  for (const std::string kib : {"12288", "256", "1024"}) {
    const auto a = preset("tpu-v1", {"core.scratchpad.partitions.inputs_kib=" + kib,
                                     "core.scratchpad.partitions.outputs_kib=" + kib});
    expect_identical(compile_on(a, "resnet50", Objective::Latency, &cache),
                     compile_on(a, "resnet50", Objective::Latency, nullptr), "tpu-v1 partitions " + kib + " KiB");
  }
  EXPECT_GT(cache.reused(), 0);
}

TEST(MappingCache, TheKeyHasEverythingButTheCapacities) {
  auto key = [](const std::vector<std::string>& sets, DType dtype = DType::Int8, bool ideal = false) {
    CostContext c = CostContext::make(preset("edge-npu", sets), dtype);
    c.ideal_memory = ideal;
    return MappingCache::arch_key(c);
  };
  const std::string base = key({});
  EXPECT_EQ(key({"core.scratchpad.size_kib=2048"}), base);
  EXPECT_EQ(key({"core.accumulator_buffer.size_kib=4"}), base);
  EXPECT_EQ(key({"name=other"}), base);
  EXPECT_NE(key({"core.pe_array.rows=32"}), base);
  EXPECT_NE(key({"core.scratchpad.banks=4"}), base);
  EXPECT_NE(key({"dram.bandwidth_gb_per_s=16"}), base);
  EXPECT_NE(key({"energy.leakage_mw_per_mm2=1"}), base);
  EXPECT_NE(key({"area.sram_mm2_per_kib=0.01"}), base);
  EXPECT_NE(key({}, DType::Int16), base);
  EXPECT_NE(key({}, DType::Int8, true), base);
}

TEST(MappingCache, ArchitecturesThatDifferInMoreDoNotShareAndTheOldestAreDropped) {
  MappingCache cache(2);
  for (const std::string rows : {"8", "16", "32"}) {
    const auto a = preset("edge-npu", {"core.pe_array.rows=" + rows});
    expect_identical(compile_on(a, "mlp", Objective::Latency, &cache), compile_on(a, "mlp", Objective::Latency, nullptr),
                     "rows " + rows);
  }
  EXPECT_EQ(cache.reused(), 0);
  const std::size_t per_arch = cache.memos() / 2;
  EXPECT_GT(per_arch, 0u);
  // rows 8 was dropped (two architectures kept): compiling it again learns anew, and stays exact
  const auto a = preset("edge-npu", {"core.pe_array.rows=8"});
  expect_identical(compile_on(a, "mlp", Objective::Latency, &cache), compile_on(a, "mlp", Objective::Latency, nullptr),
                   "rows 8 again");
  EXPECT_EQ(cache.reused(), 0);
  EXPECT_EQ(cache.memos(), 2 * per_arch);
}

}  // namespace
}  // namespace npusim::compiler
