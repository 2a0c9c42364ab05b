#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "compiler/gpu_tiling.h"
#include "validate/harness/columns.h"
#include "validate/harness/suite.h"
#include "validate/kernels/tile_rules.h"
#include "workloads/zoo.h"

namespace {

namespace gb = npusim::validate::harness;
namespace gk = npusim::validate::kernels;
namespace compiler = npusim::compiler;

std::vector<gb::GemmShape> of_category(gb::Category c) {
  std::vector<gb::GemmShape> v;
  for (const auto& g : gb::gemm_suite())
    if (g.category == c) v.push_back(g);
  return v;
}

TEST(GemmSuite, HasAtLeast300DistinctShapesWithUniqueNames) {
  const auto suite = gb::gemm_suite();
  EXPECT_GE(suite.size(), 300u);
  std::set<std::string> names;
  std::set<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>> dims;
  for (const auto& g : suite) {
    EXPECT_TRUE(names.insert(g.name).second) << g.name;
    EXPECT_TRUE(dims.insert({g.m, g.n, g.k, g.batch}).second) << g.name;
    EXPECT_GE(g.m, 1);
    EXPECT_GE(g.n, 1);
    EXPECT_GE(g.k, 1);
    EXPECT_GE(g.batch, 1);
  }
}

TEST(GemmSuite, CoversEveryCategory) {
  for (gb::Category c : gb::kCategories) EXPECT_GE(of_category(c).size(), 10u) << gb::name(c);
}

TEST(GemmSuite, SquaresSpan256To16384) {
  std::set<std::int64_t> sq;
  for (const auto& g : of_category(gb::Category::square)) {
    EXPECT_TRUE(g.m == g.n && g.n == g.k) << g.name;
    sq.insert(g.m);
  }
  EXPECT_EQ(*sq.begin(), 256);
  EXPECT_EQ(*sq.rbegin(), 16384);
  for (std::int64_t p = 256; p <= 16384; p *= 2) EXPECT_TRUE(sq.count(p)) << p;
}

TEST(GemmSuite, DecodeShapesAreSkinny) {
  std::set<std::int64_t> ms;
  for (const auto& g : of_category(gb::Category::decode)) {
    EXPECT_LE(g.m, 16) << g.name;
    EXPECT_GE(g.n, 768) << g.name;
    EXPECT_GE(g.k, 768) << g.name;
    ms.insert(g.m);
  }
  EXPECT_TRUE(ms.count(1));
  EXPECT_TRUE(ms.count(16));
}

TEST(GemmSuite, AttentionIsBatchedScoresAndContext) {
  int qk = 0, pv = 0;
  for (const auto& g : of_category(gb::Category::attention)) {
    EXPECT_GT(g.batch, 1) << g.name;
    if (g.name.find(".qk.") != std::string::npos) {
      ++qk;
      EXPECT_EQ(g.m, g.n) << g.name;  // seq x seq scores
    } else if (g.name.find(".pv.") != std::string::npos) {
      ++pv;
      EXPECT_EQ(g.m, g.k) << g.name;  // seq x head_dim, reducing over seq
    } else {
      ADD_FAILURE() << g.name;
    }
  }
  EXPECT_GE(qk, 10);
  EXPECT_EQ(qk, pv);
}

TEST(GemmSuite, ProjectionsOfSeveralModels) {
  std::set<std::string> models;
  for (const auto& g : of_category(gb::Category::projection)) models.insert(g.name.substr(0, g.name.find('.')));
  for (const char* m : {"bert-base", "gpt2-xl", "llama-7b", "vit-b16"}) EXPECT_TRUE(models.count(m)) << m;
  // Llama-7B's MLP down projection over 2048 tokens
  bool found = false;
  for (const auto& g : gb::gemm_suite())
    if (g.name == "llama-7b.mlp_down.t2048") {
      found = true;
      EXPECT_EQ(std::tie(g.m, g.n, g.k), std::make_tuple(std::int64_t{2048}, std::int64_t{4096}, std::int64_t{11008}));
    }
  EXPECT_TRUE(found);
}

TEST(GemmSuite, OddShapesAreNotMultiplesOf128AndSomeNotOf8) {
  int k_not_8 = 0, n_not_8 = 0;
  for (const auto& g : of_category(gb::Category::odd)) {
    EXPECT_TRUE(g.m % 128 || g.n % 128 || g.k % 128) << g.name;
    k_not_8 += g.k % 8 != 0;
    n_not_8 += g.n % 8 != 0;
  }
  EXPECT_GE(k_not_8, 3);  // the kernel's element-wise A path
  EXPECT_GE(n_not_8, 3);  // ... and B path
  int names_with_1021 = 0;
  for (const auto& g : gb::gemm_suite()) names_with_1021 += (g.m == 1021 || g.n == 1021 || g.k == 1021);
  EXPECT_GE(names_with_1021, 3);
}

// the plans: every shape of the suite gets a configuration the kernels are instantiated with,
// under the H100 defaults and under the limits of a device with less shared memory
TEST(GemmPlans, EveryPlanNamesAnInstantiatedConfiguration) {
  compiler::GpuLimits small;
  small.sms = 114;  // an H100 PCIe
  small.smem_per_sm = 100 * 1024;
  small.smem_per_block = 99 * 1024;
  for (const compiler::GpuLimits& limits : {compiler::GpuLimits{}, small})
    for (gb::DType t : {gb::DType::bf16, gb::DType::fp16})
      for (const auto& g : gb::gemm_suite()) {
        const compiler::Plan p = gb::plan_for(g, t, limits);
        ASSERT_TRUE(gk::is_instantiated(p.cfg.id)) << g.name << " config " << p.cfg.id;
        const compiler::TileConfig& c = compiler::kGemmConfigs[static_cast<std::size_t>(p.cfg.id)];
        EXPECT_EQ(std::tie(p.cfg.bm, p.cfg.bn, p.cfg.bk, p.cfg.stages, p.cfg.regs),
                  std::tie(c.bm, c.bn, c.bk, c.stages, c.regs));
        EXPECT_GT(p.ctas_per_sm, 0) << g.name;
        EXPECT_EQ(p.batch, g.batch) << g.name;
        EXPECT_EQ(p.ctas, compiler::div_up(g.m, c.bm) * compiler::div_up(g.n, c.bn) * p.split_k * g.batch) << g.name;
        EXPECT_GE(p.k_per_split * p.split_k, g.k) << g.name;
        EXPECT_EQ(p.k_per_split % c.bk, 0) << g.name;
        EXPECT_EQ(p.waves, compiler::div_up(p.ctas, std::int64_t{limits.sms} * p.ctas_per_sm)) << g.name;
        EXPECT_LE(p.ctas_m * p.ctas_n, std::int64_t{1} << 31) << g.name;
        EXPECT_LE(p.batch, 65535) << g.name;
      }
}

TEST(GemmPlans, TheSuiteExercisesSplitK) {
  int split = 0, one = 0;
  for (const auto& g : gb::gemm_suite()) {
    const compiler::Plan p = gb::plan_for(g, gb::DType::bf16, {});
    (p.split_k > 1 ? split : one) += 1;
  }
  EXPECT_GE(split, 10);
  EXPECT_GE(one, 100);
}

TEST(GemmPlans, ABatchThatFillsTheGpuNeedsNoSplitK) {
  // one 512 x 512 x 4096 product is a small grid (split-K); 64 of them fill an H100
  EXPECT_GT(compiler::choose_plan(512, 512, 4096, 2, {}, 1).split_k, 1);
  const compiler::Plan batched = compiler::choose_plan(512, 512, 4096, 2, {}, 64);
  EXPECT_EQ(batched.split_k, 1);
  EXPECT_EQ(batched.ctas, batched.ctas_m * batched.ctas_n * 64);
}

TEST(TileRules, EveryConfigurationSatisfiesTheKernelsRules) {
  for (const compiler::TileConfig& c : compiler::kGemmConfigs) {
    EXPECT_TRUE(gk::tile_config_ok(c)) << "config " << c.id;
    EXPECT_TRUE(gk::is_instantiated(c.id)) << "config " << c.id;
    // the register budget gives the CTAs per SM that the plan counts
    compiler::GpuLimits roomy;
    roomy.smem_per_sm = roomy.smem_per_block = 1 << 30;
    roomy.max_threads_per_sm = 1 << 20;
    roomy.max_ctas_per_sm = 1 << 20;
    EXPECT_EQ(compiler::ctas_per_sm(c, 2, roomy), gk::min_ctas_for_regs(c)) << "config " << c.id;
  }
  for (std::size_t i = 0; i < compiler::kGemmConfigs.size(); ++i) EXPECT_EQ(compiler::kGemmConfigs[i].id, static_cast<int>(i));
}

TEST(TileRules, RejectsConfigurationsTheKernelCannotRun) {
  const compiler::TileConfig good = compiler::kGemmConfigs[0];
  EXPECT_TRUE(gk::tile_config_ok(good));
  auto broken = [&](auto mutate) {
    compiler::TileConfig c = good;
    mutate(c);
    return !gk::tile_config_ok(c);
  };
  EXPECT_TRUE(broken([](compiler::TileConfig& c) { c.bm = 80; }));       // 40-row warp tiles: not whole m16 tiles
  EXPECT_TRUE(broken([](compiler::TileConfig& c) { c.bn = 136; }));      // not whole n16 pairs per warp
  EXPECT_TRUE(broken([](compiler::TileConfig& c) { c.bk = 24; }));       // not whole k16 steps
  EXPECT_TRUE(broken([](compiler::TileConfig& c) { c.stages = 1; }));    // no pipeline
  EXPECT_TRUE(broken([](compiler::TileConfig& c) { c.regs = 300; }));    // past the register file
  EXPECT_TRUE(broken([](compiler::TileConfig& c) { c.regs = 100; }));    // not an allocation unit
  EXPECT_TRUE(broken([](compiler::TileConfig& c) { c.warps_m = 64; }));  // > 1024 threads
}

// the conv suite is ResNet-50 as the model zoo builds it (so npusim predicts the same layers)
TEST(ConvSuite, MatchesTheZoosResNet50) {
  for (std::int64_t batch : {1, 32}) {
    const auto convs = gb::resnet50_convs(batch);
    int total = 0;
    for (const auto& c : convs) total += c.count;
    EXPECT_EQ(total, 53);  // conv1, 16 bottlenecks x 3, 4 projection shortcuts
    npusim::workloads::ModelParams mp;
    mp.batch = batch;
    const npusim::workloads::Graph g = npusim::workloads::find_model("resnet50")->build(mp);
    int zoo_convs = 0;
    for (const auto& op : g.ops()) {
      if (op.kind != npusim::workloads::OpKind::Conv2d) continue;
      ++zoo_convs;
      const auto& x = g.tensor(op.inputs[0]).shape;  // NCHW
      const auto& y = g.tensor(op.output).shape;
      const auto& a = op.as<npusim::workloads::Conv2dAttrs>();
      const gb::ConvShape* mine = nullptr;
      for (const auto& c : convs)
        if ((";" + c.layers + ";").find(";" + op.name + ";") != std::string::npos) mine = &c;
      ASSERT_NE(mine, nullptr) << op.name;
      EXPECT_EQ(mine->n, x[0]) << op.name;
      EXPECT_EQ(mine->c, x[1]) << op.name;
      EXPECT_EQ(mine->h, x[2]) << op.name;
      EXPECT_EQ(mine->w, x[3]) << op.name;
      EXPECT_EQ(mine->k, y[1]) << op.name;
      EXPECT_EQ(mine->p(), y[2]) << op.name;
      EXPECT_EQ(mine->q(), y[3]) << op.name;
      EXPECT_EQ(mine->r, a.kh) << op.name;
      EXPECT_EQ(mine->s, a.kw) << op.name;
      EXPECT_EQ(mine->stride, a.stride_h) << op.name;
      EXPECT_EQ(mine->pad, a.pad_top) << op.name;
      EXPECT_EQ(a.groups, 1) << op.name;
    }
    EXPECT_EQ(zoo_convs, total);
  }
}

TEST(ConvSuite, DistinctShapesWithImplicitGemmDimensions) {
  const auto convs = gb::resnet50_convs(1);
  EXPECT_GE(convs.size(), 15u);
  EXPECT_LE(convs.size(), 30u);
  const gb::ConvShape& c1 = convs.front();
  EXPECT_EQ(c1.name, "conv1");
  EXPECT_EQ(c1.p(), 112);
  EXPECT_EQ(c1.gemm_m(), 112 * 112);
  EXPECT_EQ(c1.gemm_n(), 64);
  EXPECT_EQ(c1.gemm_k(), 7 * 7 * 3);
  for (const auto& c : convs)
    for (gb::DType t : {gb::DType::bf16, gb::DType::fp16})
      EXPECT_TRUE(gk::is_instantiated(gb::plan_for(c, t, {}).cfg.id)) << c.name;
  EXPECT_EQ(gb::conv_suite().size(), 2 * convs.size());
}

TEST(GpuSlug, FolderNames) {
  EXPECT_EQ(gb::gpu_slug("NVIDIA H100 80GB HBM3"), "nvidia-h100-80gb-hbm3");
  EXPECT_EQ(gb::gpu_slug("NVIDIA H200"), "nvidia-h200");
  EXPECT_EQ(gb::gpu_slug("  A/B  "), "a-b");
  EXPECT_EQ(gb::gpu_slug(""), "unknown-gpu");
}

TEST(Columns, GemmRowsCarryShapePlanCheckAndTiming) {
  const auto cols = gb::gemm_columns();
  std::set<std::string> uniq(cols.begin(), cols.end());
  EXPECT_EQ(uniq.size(), cols.size());
  for (const char* c : {"family", "dtype", "m", "n", "k", "batch", "config_id", "bm", "bn", "bk", "stages", "warps_m",
                        "warps_n", "split_k", "ctas", "ctas_per_sm", "waves", "verified", "max_rel_err", "runs",
                        "median_us", "p25_us", "p75_us", "tflops", "sm_clock_mhz"})
    EXPECT_TRUE(uniq.count(c)) << c;
  const auto conv = gb::conv_columns();
  for (const char* c : {"n", "h", "w", "c", "k", "r", "s", "stride", "pad", "dilation", "gemm_m", "gemm_n", "gemm_k",
                        "config_id", "split_k", "median_us"})
    EXPECT_NE(std::find(conv.begin(), conv.end(), c), conv.end()) << c;
}

TEST(Columns, RowsAreAssembledByName) {
  gb::Row r(gb::gemm_columns());
  r.set("m", "7").set("family", "cublas");
  const compiler::Plan p = compiler::choose_plan(4096, 4096, 4096, 2);
  r.set_plan(p);
  const auto f = r.fields();
  const auto cols = gb::gemm_columns();
  ASSERT_EQ(f.size(), cols.size());
  auto at = [&](const std::string& c) { return f[static_cast<std::size_t>(std::find(cols.begin(), cols.end(), c) - cols.begin())]; };
  EXPECT_EQ(at("m"), "7");
  EXPECT_EQ(at("family"), "cublas");
  EXPECT_EQ(at("config_id"), std::to_string(p.cfg.id));
  EXPECT_EQ(at("waves"), std::to_string(p.waves));
  EXPECT_EQ(at("median_us"), "");
  EXPECT_THROW(r.set("no_such_column", "x"), std::out_of_range);
}

}  // namespace
