// Whole-model compilation: invariants over the zoo and the presets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compiler/schedule.h"
#include "test_util.h"

using namespace npusim;
using namespace npusim::compiler;
using ::testing::HasSubstr;

namespace {
const char* kModels[] = {"resnet50", "mobilenetv2", "vgg16", "bert-base", "gpt2-prefill", "gpt2-decode",
                         "llama7b-layer-prefill", "llama7b-layer-decode", "vit-b16", "mlp"};

std::int64_t seq_for(const std::string& model) {
  // keep the test quick: short sequences where the model takes one
  if (model == "gpt2-prefill" || model == "bert-base") return 64;
  if (model == "llama7b-layer-prefill") return 128;
  return 0;
}
}  // namespace

TEST(Compile, EveryZooModelOnEveryPreset) {
  for (const char* model : kModels)
    for (const auto& a : test::preset_names()) {
      auto cm = test::compile_model(model, a, {}, {}, 1, seq_for(model));
      std::int64_t macs = 0;
      for (const auto& l : cm.layers) {
        macs += l.cost.macs;
        EXPECT_GE(l.cost.dram_bytes(), l.cost.compulsory_dram_bytes) << model << " " << a << " " << l.layer.name;
        EXPECT_GT(l.cost.cycles, 0) << l.layer.name;
        EXPECT_GE(l.cost.cycles, l.cost.compute_cycles);
        EXPECT_GE(l.cost.energy.total(), 0.0);
      }
      EXPECT_EQ(macs, cm.graph.total_macs()) << model << " on " << a;
      const auto t = cm.totals();
      EXPECT_LE(t.utilization, 1.0);
      EXPECT_GT(t.tops_per_watt, 0.0);
    }
}

TEST(Compile, ResultsAreIdenticalAcrossRuns) {
  for (const char* model : {"resnet50", "bert-base", "mobilenetv2"}) {
    auto a = test::compile_model(model, "dc-npu", {}, {}, 1, seq_for(model));
    auto b = test::compile_model(model, "dc-npu", {}, {}, 1, seq_for(model));
    ASSERT_EQ(a.layers.size(), b.layers.size());
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
      EXPECT_EQ(a.layers[i].mapping, b.layers[i].mapping) << a.layers[i].layer.name;
      EXPECT_EQ(a.layers[i].cost.cycles, b.layers[i].cost.cycles);
      EXPECT_EQ(a.layers[i].cost.dram_bytes(), b.layers[i].cost.dram_bytes());
      EXPECT_EQ(a.layers[i].cost.energy.total(), b.layers[i].cost.energy.total());
    }
  }
}

// Doubling the scratchpad: under the DRAM objective the chosen mapping's traffic never rises;
// under the latency objective its cycles never rise (docs/MAPPING.md says why the two differ).
TEST(Compile, LargerScratchpadNeverRaisesTrafficOrLatency) {
  struct Case {
    const char* arch;
    int from_kib;
  };
  for (const Case& c : {Case{"edge-npu", 128}, Case{"dc-npu", 256}, Case{"eyeriss", 128}})
    for (const char* model : {"resnet50", "mobilenetv2", "bert-base", "gpt2-decode"})
      for (Objective obj : {Objective::Dram, Objective::Latency}) {
        CompileOptions opt;
        opt.inter_layer_reuse = false;  // per-layer mappings, not fusion decisions
        opt.objective = obj;
        std::vector<LayerCost> prev;
        for (int kib = c.from_kib; kib <= c.from_kib * 16; kib *= 2) {
          auto cm = test::compile_model(model, c.arch, {"core.scratchpad.size_kib=" + std::to_string(kib)}, opt, 1,
                                        seq_for(model));
          for (std::size_t i = 0; i < prev.size(); ++i) {
            const auto& now = cm.layers[i].cost;
            if (obj == Objective::Dram) {
              EXPECT_LE(now.dram_bytes(), prev[i].dram_bytes())
                  << model << " " << c.arch << " " << kib << " KiB " << cm.layers[i].layer.name;
            } else {
              EXPECT_LE(now.cycles, prev[i].cycles) << model << " " << c.arch << " " << kib << " KiB "
                                                    << cm.layers[i].layer.name;
            }
          }
          prev.clear();
          for (const auto& l : cm.layers) prev.push_back(l.cost);
        }
      }
}

TEST(Compile, InterLayerReuseSavesWhatItReports) {
  for (const auto& a : test::preset_names()) {
    CompileOptions off;
    off.inter_layer_reuse = false;
    auto with = test::compile_model("resnet50", a);
    auto without = test::compile_model("resnet50", a, {}, off);
    const auto tw = with.totals(), to = without.totals();
    EXPECT_EQ(to.dram_bytes_saved, 0);
    EXPECT_EQ((to.dram_read_bytes + to.dram_write_bytes) - (tw.dram_read_bytes + tw.dram_write_bytes), tw.dram_bytes_saved)
        << a;
    EXPECT_LE(tw.cycles, to.cycles) << a;
  }
  // On the edge NPU some ResNet-50 activations fit on chip.
  EXPECT_GT(test::compile_model("resnet50", "edge-npu").totals().dram_bytes_saved, 0);
}

TEST(Compile, SplitsAcrossCoresAndSaturatesAtTheBandwidthRoof) {
  auto one = test::compile_model("gemm:4096,4096,4096", "dc-npu", {"cores=1", "interconnect.mesh.rows=1",
                                                                   "interconnect.mesh.cols=1"});
  auto four = test::compile_model("gemm:4096,4096,4096", "dc-npu");
  EXPECT_NE(four.layers[0].mapping.split, Split::None);
  EXPECT_LT(four.totals().cycles * 3, one.totals().cycles);  // compute-bound: ~4x faster
  // memory-bound (one token): more cores stop helping once DRAM is the limit
  auto mem1 = test::compile_model("gemm:1,8192,8192", "dc-npu", {"cores=1", "interconnect.mesh.rows=1",
                                                                 "interconnect.mesh.cols=1"});
  auto mem4 = test::compile_model("gemm:1,8192,8192", "dc-npu");
  const double bytes = 8192.0 * 8192.0 * 2;  // bf16 weights
  const double roof = bytes / mem4.arch->dram_bytes_per_cycle();
  EXPECT_GE(double(mem4.totals().cycles), roof);
  EXPECT_LE(double(mem4.totals().cycles), 1.1 * double(mem1.totals().cycles));
}

TEST(Compile, UnsupportedDatatypeIsAnError) {
  auto a = test::preset("edge-npu");
  workloads::ModelParams p;
  p.dtype = DType::Bf16;
  try {
    compile(workloads::load_model("mlp", p), a);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("does not support bf16 operands"));
  }
}

TEST(Compile, NothingFitsIsAClearError) {
  auto a = test::preset("eyeriss");
  workloads::Graph g("huge", DType::Int16);
  g.softmax("softmax", g.input("x", {1, 1, 1 << 20}));  // a 2 MiB row, read twice at best
  CompiledModel cm = compile(g, a);  // rows are cut in chunks: it fits
  EXPECT_GT(cm.layers[0].cost.dram_read_bytes, 2 * (1 << 20) * 2 - 1);
  // one filter of a 63x63 kernel on one channel is 7.9 KB of int16 weights: two do not fit in 4 KiB
  workloads::Graph big("big", DType::Int16);
  workloads::Graph::ConvSpec s;
  s.out_channels = 8, s.kh = s.kw = 63, s.pad = 31;
  big.conv2d("conv", big.input("x", {1, 1, 64, 64}), s);
  try {
    compile(big, test::preset("eyeriss", {"core.scratchpad.size_kib=4", "core.accumulator_buffer.size_kib=2"}));
    FAIL() << "expected no mapping to fit";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("layer 'conv': no mapping fits the buffers of 'eyeriss'"));
  }
}

TEST(Compile, ModelLargerThanDramIsAnError) {
  try {
    test::compile_model("llama7b-layer-prefill", "eyeriss", {"dram.capacity_gib=0.1"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("(dram.capacity_gib)"));
  }
}

TEST(Mapper, TheExhaustiveSearchCoversTheSearchAndIsNeverWorseOnOneCore) {
  // One core: the search's score is the exact cost, and the exhaustive grid contains every
  // candidate the search scores, so its best is at least as good (npusim bench --suite
  // mapping-optimality measures by how much).
  const std::pair<const char*, const char*> cases[] = {
      {"gemm:96,200,300", "edge-npu"}, {"gemm:1,768,768", "tpu-v1"}, {"lenet5", "eyeriss"}, {"mlp", "edge-npu"}};
  for (const auto& [model, arch] : cases) {
    auto cm = test::compile_model(model, arch);
    for (const auto& l : cm.layers) {
      const auto fast = search_mapping(cm.ctx, l.layer, {});
      const auto full = exhaustive_mapping(cm.ctx, l.layer, {});
      ASSERT_TRUE(fast && full) << model << " " << l.layer.name;
      EXPECT_LE(full->cost.cycles, fast->cost.cycles) << model << " " << l.layer.name;
      EXPECT_GT(full->evaluated, fast->evaluated) << model << " " << l.layer.name;
    }
  }
}
