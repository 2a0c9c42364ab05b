// The Schedule: exact MAC coverage, slot capacities, dependencies, and totals that equal the
// analytic cost's, on small layers under many mappings and architectures.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "compiler/results.h"
#include "compiler/schedule.h"
#include "test_util.h"

using namespace npusim;
using namespace npusim::compiler;

namespace {

// Graphs with odd sizes, strides, padding, groups and batches.
std::vector<workloads::Graph> small_layers() {
  std::vector<workloads::Graph> v;
  auto conv = [&](const char* name, workloads::Shape in, std::int64_t f, std::int64_t k, std::int64_t s, std::int64_t p,
                  std::int64_t groups, std::int64_t dil = 1) {
    workloads::Graph g(name, DType::Int8);
    workloads::Graph::ConvSpec c;
    c.out_channels = f, c.kh = c.kw = k, c.stride = s, c.pad = p, c.groups = groups, c.dilation = dil;
    auto y = g.conv2d(name, g.input("x", in), c);
    g.eltwise(std::string(name) + ".relu", workloads::EltFn::Relu, y);
    v.push_back(std::move(g));
  };
  conv("conv3x3", {2, 13, 11, 9}, 19, 3, 1, 1, 1);
  conv("conv_s2", {1, 7, 15, 13}, 33, 3, 2, 1, 1);
  conv("conv7x7", {3, 3, 23, 23}, 8, 7, 2, 3, 1);
  conv("pointwise_s2", {1, 24, 10, 10}, 40, 1, 2, 0, 1);
  conv("grouped", {1, 12, 9, 9}, 18, 3, 1, 1, 3);
  conv("depthwise", {2, 21, 10, 10}, 21, 3, 2, 1, 21);
  conv("dilated", {1, 5, 17, 17}, 6, 3, 1, 2, 1, 2);
  {
    workloads::Graph g("matmul", DType::Int8);
    auto x = g.input("x", {37, 91});
    g.matmul("fc", x, 53, true);
    v.push_back(std::move(g));
  }
  {
    workloads::Graph g("bmm", DType::Int8);
    auto a = g.input("a", {3, 17, 23});
    auto b = g.input("b", {3, 29, 23});
    auto s = g.batched_matmul("scores", a, b, true);
    g.softmax("softmax", s);
    v.push_back(std::move(g));
  }
  {
    workloads::Graph g("norm", DType::Int8);
    auto x = g.input("x", {5, 7, 300});
    auto n = g.norm("ln", workloads::NormFn::LayerNorm, x);
    g.eltwise("gelu", workloads::EltFn::Gelu, n);
    auto p = g.input("img", {2, 8, 11, 11});
    g.pool("pool", workloads::PoolFn::Max, p, 3, 2, 1);
    v.push_back(std::move(g));
  }
  return v;
}

// Architectures that force many tiles and every dataflow/double-buffer setting.
std::vector<std::vector<std::string>> variants() {
  return {
      {},
      {"core.pe_array.dataflow=os"},
      {"core.pe_array.dataflow=is"},
      {"core.pe_array.stationary_double_buffer=false", "core.pe_array.fold_overlap=false"},
      {"core.pe_array.rows=4", "core.pe_array.cols=8", "core.scratchpad.size_kib=2", "core.accumulator_buffer.size_kib=1"},
      {"cores=3", "interconnect.topology=ring"},
      {"cores=4", "interconnect.topology=crossbar", "core.scratchpad.size_kib=4"},
  };
}

void check_layer(const CompiledModel& cm, std::size_t li, const LayerSchedule& s, const std::string& what) {
  const CompiledLayer& cl = cm.layers[li];
  const Layer& L = cl.layer;
  const auto& sp = cm.arch->core.scratchpad;
  ScheduleTotals t = totals_of(cm, s);
  EXPECT_EQ(t.macs, L.macs) << what;
  EXPECT_EQ(t.dram_read_bytes, cl.cost.dram_read_bytes) << what;
  EXPECT_EQ(t.dram_write_bytes, cl.cost.dram_write_bytes) << what;
  EXPECT_EQ(t.vector_ops, cl.cost.vector_ops) << what;
  EXPECT_EQ(t.sram_read_bytes, cl.cost.sram_read_bytes) << what;
  EXPECT_EQ(t.sram_write_bytes, cl.cost.sram_write_bytes) << what;
  EXPECT_EQ(t.acc_bytes, cl.cost.acc_bytes) << what;
  EXPECT_GE(cl.cost.dram_bytes(), cl.cost.compulsory_dram_bytes) << what;

  // coverage: every (g, m, n, k) exactly once
  std::vector<std::uint8_t> hit;
  if (L.cls == LayerClass::Gemm) hit.assign(static_cast<std::size_t>(L.G * L.M * L.N * L.K), 0);
  for (const auto& core : s.cores) {
    const BufferPlan& b = core.buffers;
    EXPECT_LE(b.acc_total(), cm.arch->core.accumulator_buffer.bytes) << what;
    if (!sp.partitioned) {
      EXPECT_LE(b.spad_total(), sp.total_bytes) << what;
    }
    for (std::size_t i = 0; i < core.cmds.size(); ++i) {
      const Command& c = core.cmds[i];
      for (auto d : core.deps_of(c)) EXPECT_LT(d, i) << what << ": a command depends on a later one";
      // no slot overflows its capacity
      if (c.kind == CmdKind::Load || c.kind == CmdKind::Store) {
        std::int64_t cap = 0, slots = 1;
        switch (c.buf) {
          case Buf::SpadA: cap = b.a_slot, slots = b.a_slots; break;
          case Buf::SpadB: cap = b.b_slot, slots = b.b_slots; break;
          case Buf::SpadOut: cap = b.out_slot, slots = b.out_slots; break;
          case Buf::Acc: cap = b.acc_slot, slots = b.acc_slots; break;
          case Buf::Reserved: cap = b.reserved_out + b.reserved_in, slots = 1; break;
          case Buf::None: ADD_FAILURE() << what << ": DMA without a buffer"; break;
        }
        EXPECT_LE(c.bytes, cap) << what << " cmd " << i << " " << name_of(c.buf);
        EXPECT_LT(static_cast<std::int64_t>(c.slot), std::max<std::int64_t>(slots, 1)) << what;
      }
      if (c.kind != CmdKind::Compute) continue;
      for (std::int64_t g = c.g0; g < c.g0 + c.tg; ++g)
        for (std::int64_t mi = 0; mi < c.tm; ++mi) {
          std::int64_t m = c.m0 + mi;
          if (L.conv) {  // the tile is a rectangle of output pixels
            const auto& r = c.rect;
            const std::int64_t per = r.rows * r.cols;
            const std::int64_t img = r.img0 + mi / per, row = r.row0 + (mi % per) / r.cols, col = r.col0 + mi % r.cols;
            m = (img * L.conv->out_h + row) * L.conv->out_w + col;
          }
          for (std::int64_t n = c.n0; n < c.n0 + c.tn; ++n)
            for (std::int64_t k = c.k0; k < c.k0 + c.tk; ++k)
              hit[static_cast<std::size_t>(((g * L.M + m) * L.N + n) * L.K + k)]++;
        }
    }
  }
  if (L.cls == LayerClass::Gemm) {
    std::size_t bad = 0;
    for (auto h : hit) bad += h != 1 ? 1 : 0;
    EXPECT_EQ(bad, 0u) << what << ": elements not covered exactly once";
  }
}

}  // namespace

TEST(Schedule, TilesCoverEveryMacOnceAndTotalsMatchTheCostModel) {
  for (const auto& sets : variants()) {
    std::string vname;
    for (const auto& s : sets) vname += s + " ";
    for (const auto& proto : small_layers()) {
      auto arch = test::preset("edge-npu", sets);
      CompiledModel cm = compile(proto, arch);
      const auto addr = dram_layout(cm);
      for (std::size_t i = 0; i < cm.layers.size(); ++i)
        check_layer(cm, i, schedule_layer(cm, i, addr), proto.name() + "/" + cm.layers[i].layer.name + " on " + vname);
    }
  }
}

TEST(Schedule, EveryMappingOfALayerIsCovered) {
  // Not only the chosen mapping: every order and residency over a grid of tiles.
  auto arch = test::preset("edge-npu", {"cores=2", "interconnect.topology=crossbar"});
  for (const auto& proto : small_layers()) {
    CompiledModel cm = compile(proto, arch);
    const auto addr = dram_layout(cm);
    for (std::size_t i = 0; i < cm.layers.size(); ++i) {
      if (cm.layers[i].layer.cls != LayerClass::Gemm) continue;
      const Mapping chosen = cm.layers[i].mapping;
      for (const LoopOrder& o : kAllOrders)
        for (Resident r : {Resident::None, Resident::A, Resident::B, Resident::C})
          for (Split sp : {Split::None, Split::M, Split::N}) {
            Mapping m = chosen;
            m.order = o, m.resident = r, m.split = sp, m.cores = sp == Split::None ? 1 : 2;
            auto cost = evaluate(cm.ctx, cm.layers[i].layer, m);
            if (!cost) continue;
            cm.layers[i].mapping = m;
            cm.layers[i].cost = *cost;
            check_layer(cm, i, schedule_layer(cm, i, addr),
                        proto.name() + " order " + o.str() + " resident " + std::string(name_of(r)) + " split " +
                            std::string(name_of(sp)));
          }
    }
  }
}

TEST(Schedule, ZooModelsMatchTheirCosts) {
  for (const char* model : {"resnet50", "mobilenetv2", "bert-base", "gpt2-decode", "llama7b-layer-decode"})
    for (const auto& a : test::preset_names()) {
      auto cm = test::compile_model(model, a);
      const auto addr = dram_layout(cm);
      for (std::size_t i = 0; i < cm.layers.size(); ++i) {
        auto t = totals_of(cm, schedule_layer(cm, i, addr));
        EXPECT_EQ(t.macs, cm.layers[i].layer.macs) << model << " " << a << " " << cm.layers[i].layer.name;
        EXPECT_EQ(t.dram_read_bytes + t.dram_write_bytes, cm.layers[i].cost.dram_bytes()) << model << " " << a;
      }
    }
}

