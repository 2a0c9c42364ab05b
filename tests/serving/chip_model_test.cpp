// The chip-backed iteration model: memory arithmetic against published parameter counts, the
// shape grid against exact shapes, and an iteration as the sum of its pieces.
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "driver/driver.h"
#include "serving/chip_model.h"
#include "serving/simulator.h"
#include "system/collectives.h"
#include "system/network.h"

namespace npusim::serving {
namespace {

ChipModelOptions options(const std::string& arch, const std::string& model, int tp, int pp = 1) {
  ChipModelOptions o;
  o.arch = driver::load_arch(arch);
  o.model = find_llm_shape(model);
  o.tp = tp;
  o.pp = pp;
  o.chip_link = {450e9, 2e-6};
  o.replica_link = {50e9, 5e-6};
  o.host_bytes_per_s = 32e9;
  return o;
}

// A small Llama-shaped model, so that NPU pieces compile quickly.
LlmShape tiny() { return {"tiny", "test", 2, 512, 8, 2, 1024, 1000}; }

TEST(ChipModel, WeightsMatchThePublishedParameterCounts) {
  // Llama 2 (Touvron et al. 2023): 6,738,415,616 and 68,976,648,192 parameters (bf16: 2 bytes each).
  for (auto [name, params] : {std::pair{"llama2-7b", 6738415616.0}, {"llama2-70b", 68976648192.0}}) {
    for (int tp : {1, 2, 4, 8}) {
      ChipModelOptions o = options("h200", name, tp);
      if (std::string(name) == "llama2-70b" && tp == 1) continue;  // does not fit one H200 with room for the cache
      ChipIterationModel m(o);
      const double norms = (tp - 1) * (2.0 * m.info().pp * 0 + 2.0 * o.model.layers * o.model.hidden + o.model.hidden);
      EXPECT_NEAR(m.info().weight_bytes_per_chip * tp, 2 * (params + norms), 2.0 * 8 * o.model.hidden * o.model.head_dim() * (tp - 1) + 1)
          << name << " tp " << tp;
    }
  }
}

TEST(ChipModel, KvCacheSizeAndErrors) {
  ChipIterationModel m(options("h100_sxm", "llama2-70b", 4));
  // 80 layers x 8 KV heads / 4 chips x 128 x 2 (K and V) x 2 bytes
  EXPECT_DOUBLE_EQ(m.info().kv_bytes_per_token_per_chip, 80 * 2 * 128 * 2 * 2);
  EXPECT_GT(m.info().kv_tokens, 100000);
  ChipIterationModel m8(options("h100_sxm", "llama2-70b", 8));
  EXPECT_GT(m8.info().kv_tokens, m.info().kv_tokens);
  EXPECT_THROW(ChipIterationModel(options("h100_sxm", "llama2-70b", 1)), Error);  // 138 GB of weights
  EXPECT_THROW(ChipIterationModel(options("h100_sxm", "llama2-70b", 3)), Error);  // 64 heads
  EXPECT_THROW(find_llm_shape("gpt5"), Error);
}

TEST(ChipModel, MixedPrecisionSizesEachTensorInItsDatatype) {
  // TensorRT-LLM's FP8 recipe: FP8 weights and GEMMs, FP8 KV cache, FP16 activations.
  ChipModelOptions o = options("h100_sxm", "llama2-70b", 4);
  o.dtype = DType::Fp16;
  ChipIterationModel half(o);
  o.dtype = DType::Fp8;
  o.activation_dtype = DType::Fp16;
  o.kv_dtype = DType::Fp8;
  ChipIterationModel fp8(o);
  EXPECT_DOUBLE_EQ(fp8.info().weight_bytes_per_chip, half.info().weight_bytes_per_chip / 2);
  EXPECT_DOUBLE_EQ(fp8.info().kv_bytes_per_token_per_chip, 80 * 2 * 128 * 2 * 1);
  EXPECT_DOUBLE_EQ(fp8.info().activation_bytes_per_chip, half.info().activation_bytes_per_chip);
  EXPECT_DOUBLE_EQ(fp8.allreduce_seconds(1000), half.allreduce_seconds(1000));  // FP16 activations
  // the weights and the cache stream in half the bytes: a decode step of a large batch is faster
  BatchComposition b;
  b.decode = std::vector<std::int64_t>(64, 2000);
  EXPECT_LT(fp8.step(b).seconds, 0.75 * half.step(b).seconds);
  EXPECT_LT(fp8.decode_attention(64, 2000).seconds, 0.7 * half.decode_attention(64, 2000).seconds);
  // an NPU runs its graphs in one datatype
  ChipModelOptions n = options("dc-npu", "llama2-7b", 4);
  n.model = tiny();
  n.dtype = DType::Int8;
  n.kv_dtype = DType::Bf16;
  EXPECT_THROW(ChipIterationModel{n}, Error);
}

TEST(ChipModel, ASystemCarriesTheParallelTrafficOnItsNetwork) {
  // Consistency with system/: the TP all-reduce and the stage send are its collectives on the
  // system's network, the replica on its first chips.
  system::SystemRequest sr;
  sr.system = "dgx-h100";
  sr.sets = {"nodes=2"};
  ChipModelOptions o = options("h100_sxm", "llama2-70b", 4, 2);
  o.system = system::load_system(sr);
  o.chip_link = {};  // not used
  ChipIterationModel m(o);
  const system::Network net(*o.system);
  system::CommModel comm(net);
  const double bytes = 1000.0 * 8192 * 2;
  const double ar = comm.time(system::CollectiveKind::AllReduce, system::Algorithm::Auto, {{0, 1, 2, 3}}, bytes).seconds;
  EXPECT_DOUBLE_EQ(m.allreduce_seconds(1000), ar);
  EXPECT_DOUBLE_EQ(m.stage_send_seconds(1000),
                   comm.time(system::CollectiveKind::SendRecv, system::Algorithm::Direct, {{0, 4}}, bytes).seconds);
  // the fastest algorithm is no slower than a ring over the node's NVLink (450 GB/s, 0.93625 us)
  EXPECT_LE(ar, system::ring_seconds(system::CollectiveKind::AllReduce, 4, bytes, 1, 0.93625e-6, 450e9) * (1 + 1e-9));
  EXPECT_GT(ar, 2.0 * 3 / 4 * bytes / 450e9);  // the bandwidth term of any all-reduce
  // a replica larger than the system
  o.tp = 8;
  o.pp = 4;
  EXPECT_THROW(ChipIterationModel{o}, Error);
}

TEST(ChipModel, AnIterationIsTheSumOfItsPieces) {
  ChipIterationModel m(options("h100_sxm", "llama2-70b", 4));
  BatchComposition b;
  b.prefill.push_back({300, 0, true});
  b.decode = {100, 900};
  const StepCost s = m.step(b);
  const double layer = m.dense(302).seconds + m.prefill_attention(300, 0).seconds +
                       m.decode_attention(2, 500).seconds + 2 * m.allreduce_seconds(302);
  const double expected = 80 * layer + m.head(3).seconds;
  EXPECT_NEAR(s.seconds, expected, 1e-12 * expected);
}

TEST(ChipModel, TheGridIsCloseToExactShapes) {
  for (const char* arch : {"h100_sxm", "dc-npu"}) {
    ChipModelOptions o = options(arch, "llama2-7b", 2);
    if (std::string(arch) == "dc-npu") o.model = tiny();
    ChipIterationModel grid(o);
    o.grid = ShapeGrid::Exact;
    ChipIterationModel exact(o);
    for (std::int64_t t : {33, 50, 77, 130, 333, 1000, 1500}) {
      const double g = grid.dense(t).seconds, e = exact.dense(t).seconds;
      EXPECT_NEAR(g, e, 0.03 * e) << arch << " dense " << t;
    }
    BatchComposition b;
    b.prefill.push_back({250, 0, true});
    b.decode = {40, 400, 700, 1200, 90};
    EXPECT_NEAR(grid.step(b).seconds, exact.step(b).seconds, 0.02 * exact.step(b).seconds) << arch;
  }
}

TEST(ChipModel, OneRequestAloneTakesItsIterationsExactly) {
  // TTFT = the prefill iteration (which emits the first token); TPOT = the mean of the decode
  // iterations, each over its own context.
  for (const char* arch : {"h100_sxm", "dc-npu"}) {
    ChipModelOptions o = options(arch, "llama2-7b", 4);
    ChipIterationModel m(o);
    const std::int64_t p = 900, n = 12;
    const std::vector<Request> in{{0, 0.0, p, n}};
    ServeConfig c;
    const ServeResult r = simulate(in, c, {&m});
    BatchComposition pre;
    pre.prefill.push_back({p, 0, true});
    double decode = 0;
    for (std::int64_t k = 1; k < n; ++k) {
      BatchComposition b;
      b.decode.push_back(p + k - 1);
      decode += m.step(b).seconds;
    }
    EXPECT_NEAR(r.requests[0].ttft(), m.step(pre).seconds, 1e-15) << arch;
    EXPECT_NEAR(r.requests[0].tpot(), decode / double(n - 1), 1e-15) << arch;
  }
}

TEST(ChipModel, LongerContextsAndMoreTokensCostMore) {
  ChipIterationModel m(options("h100_sxm", "llama2-70b", 4));
  BatchComposition a, b;
  a.decode = std::vector<std::int64_t>(32, 500);
  b.decode = std::vector<std::int64_t>(32, 4000);
  EXPECT_GT(m.step(b).seconds, m.step(a).seconds);
  BatchComposition p1, p2;
  p1.prefill.push_back({512, 0, true});
  p2.prefill.push_back({4096, 0, true});
  EXPECT_GT(m.step(p2).seconds, 4 * m.step(p1).seconds);
}

}  // namespace
}  // namespace npusim::serving
