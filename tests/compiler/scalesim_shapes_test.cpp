// SCALE-Sim users' own files: every shape of configuration and topology file SCALE-Sim v2 ships
// (configs/ and topologies/ of scalesim-project/scale-sim-v2, commit 6c524ac), re-created here
// with the same layout and quirks (not copied), runs with the memory ideal on the analytic
// engine (`npusim run --arch F.cfg --model F.csv --memory ideal --engine analytic`).
// docs/PE_TIMING.md lists the shipped files and which shape each has; scripts/scalesim_all.sh
// runs the real files when a SCALE-Sim checkout is at hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arch/loader.h"
#include "arch/scalesim_cfg.h"
#include "compiler/compile.h"
#include "workloads/scalesim_csv.h"

using namespace npusim;

namespace {

struct File {
  const char* name;
  const char* text;
};

// The three shipped configurations' shape: [general] run_name, [architecture_presets] with the
// array, the three SRAMs, the offsets, the dataflow, Bandwidth and MemoryBanks, [run_presets]
// InterfaceBandwidth CALC. The array sizes and dataflows are those of the shipped files (12x14
// ws, 256x256 ws, 32x32 os); a 128x128 os array is added (it needs no accumulator buffer for
// its partial sums, which stay in the PEs).
const File kConfigs[] = {
    {"eyeriss_like.cfg",
     "[general]\nrun_name = eyeriss_like\n\n[architecture_presets]\nArrayHeight:    12\nArrayWidth:     14\n"
     "IfmapSramSzkB:    36\nFilterSramSzkB:   36\nOfmapSramSzkB:    36\nIfmapOffset:    0\nFilterOffset:   10000000\n"
     "OfmapOffset:    20000000\nDataflow : ws\nBandwidth : 10\nMemoryBanks: 1\n\n[run_presets]\nInterfaceBandwidth: CALC\n"},
    {"tpu_like.cfg",
     "[general]\nrun_name = tpu_like_ws\n\n[architecture_presets]\nArrayHeight:    256\nArrayWidth:     256\n"
     "IfmapSramSzkB:    6144\nFilterSramSzkB:   6144\nOfmapSramSzkB:    2048\nIfmapOffset:    0\n"
     "FilterOffset:   10000000\nOfmapOffset:    20000000\nDataflow : ws\nBandwidth : 10\nMemoryBanks: 1\n\n"
     "[run_presets]\nInterfaceBandwidth: CALC\n"},
    {"os32.cfg",  // keys in the shipped scale.cfg's order, with its trailing spaces
     "[general]\nrun_name = os_32x32\n\n[architecture_presets]\nArrayHeight:    32\nArrayWidth:     32\n"
     "IfmapSramSzkB:   64 \nFilterSramSzkB:  64 \nOfmapSramSzkB:   64 \nIfmapOffset:    0\nFilterOffset:   10000000\n"
     "OfmapOffset:    20000000\nBandwidth : 10\nDataflow : os\nMemoryBanks:   1\n\n[run_presets]\nInterfaceBandwidth: CALC \n"},
    {"os128.cfg",
     "[general]\nrun_name = os_128x128\n\n[architecture_presets]\nArrayHeight:    128\nArrayWidth:     128\n"
     "IfmapSramSzkB:   64\nFilterSramSzkB:  64\nOfmapSramSzkB:   64\nIfmapOffset:    0\nFilterOffset:   10000000\n"
     "OfmapOffset:    20000000\nBandwidth : 10\nDataflow : os\nMemoryBanks:   1\n\n[run_presets]\nInterfaceBandwidth: CALC\n"},
};

// Every layout among the shipped topologies (the file that first has it in brackets).
const File kTopologies[] = {
    // 8 named columns, header and rows end in a comma (CSV/DeepBench.csv and 25 more)
    {"trailing_commas.csv",
     "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
     "Face_1,112,112,5,5,64,128,2,\nFace_2,56,56,3,3,128,256,1,\n"},
    // a blank line after the header, spaces after the commas (CSV/DeepBenchLSTM.csv)
    {"blank_and_spaces.csv",
     "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\n"
     "LSTM_1, 1, 64, 1, 1, 1024, 4096, 1,\nLSTM_2, 16, 1024, 1, 1, 2048, 1, 1,\n"},
    // name-only section titles between blank lines (CSV/MLPERF.csv)
    {"sections.csv",
     "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\n"
     "GameNet,\nConv, 19, 19, 3, 3, 17, 256, 1,\nRes_conv1, 19, 19, 3, 3, 256, 256, 1,\n\nRecommender,\n"
     "Embed, 1, 1, 1, 1, 256, 128, 1,\n"},
    // GEMM M, N, K with trailing commas (GEMM_mnk/NCF.csv and 4 more)
    {"gemm.csv", "Layer,M,N,K,\nQKT,512,512,64,\nQKTV,512,64,512,\nFF1,512,2048,512,\n"},
    // GEMM with spaces (GEMM_mnk/test_mnk_input.csv)
    {"gemm_spaces.csv", "Layer, M, N, K,\nTest 1, 256, 128, 256,\n"},
    // 13 columns, the last ones computed fields, a row of commas, strided 1x1 filters on even
    // IFMAPs (conv_nets/Resnet50.csv)
    {"extra_columns.csv",
     "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,,,Eh,Ew,e2\n"
     ",,,,,,,,,,,,\nConv1,224,224,7,7,3,64,2,,,110,110,12100\nCB2a_1,56,56,1,1,64,64,1,,,,,\n"
     "CB3a_1,56,56,1,1,256,128,2,,,,,\nCB3s,56,56,1,1,256,512,2,,,,,\nCB4a_1,28,28,1,1,512,256,2,,,,,\n"},
    // tab-separated, a trailing tab on every line (conv_nets/UNet_maestro.csv)
    {"tabs.csv",
     "Layer name\t IFMAP Height\t IFMAP Width\t Filter Height\t Filter Width\t Channels\t Num Filter\t Strides\t \n"
     "Conv1_1\t572\t572\t3\t3\t1\t64\t1\t\nConv1_2\t570\t570\t3\t3\t64\t64\t1\t\nTR_Conv1\t28\t28\t2\t2\t1024\t512\t1\t\n"},
    // comment lines and blank lines, very large IFMAPs (conv_nets/mobilnet_4k.csv)
    {"comments_4k.csv",
     "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\n"
     "Conv1, 2160, 4096, 3, 3, 3, 32, 2,\n# depthwise block\nConv2, 1080, 2048, 1, 1, 32, 64, 1,\n"
     "CB3s, 1080, 2048, 1, 1, 256, 512, 2,\n"},
    // a header without the trailing comma and rows of commas (mlperf/NCF_recommendation_short.csv)
    {"comma_rows.csv",
     "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides\n"
     "Embedding,1,1,1,1,256,64,1\n,,,,,,,\nFC1,1,1,1,1,64,128,1\n,,,,,,,\n"},
    // rows without a trailing comma after a header with one, blank lines (mlperf/div16q/AlphaGoZero.csv)
    {"mixed_trailing.csv",
     "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides\n\n"
     "Conv,19,19,3,3,17,16,1,\nFC,1,1,1,1,361,64,1,\n"},
    // a ninth column: the column stride (mlperf/div4q/Sentimental_seqLSTM_short.csv)
    {"column_stride.csv",
     "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\n"
     "Embedding_layer,1,256,1,1,300,1,1, \nConv_w,20,300,3,300,1,128,1,1,\n"},
    // a byte-order mark and a ninth column named "batch size" (transformer/transformer_fwd.csv)
    {"bom_batch_column.csv",
     "\xEF\xBB\xBFLayer name,Ifmap height,ifmap width,filter height,filter width,channels,num filters,strides,batch size,\n"
     "conv1,224,224,7,7,3,64,1,\nlayer_64_1_conv4,56,56,1,1,64,256,1,\n"},
};

arch::ArchConfigPtr load_cfg(const File& f) { return arch::load_arch(arch::scalesim_cfg_to_yaml(f.text, f.name), f.name); }

workloads::Graph load_topology(const File& f, const arch::ArchConfig& a) {
  workloads::ModelParams p;
  p.dtype = a.datatypes.default_dtype;
  return workloads::read_scalesim_csv(f.text, f.name, p);
}

}  // namespace

TEST(ScaleSimFiles, EveryShippedConfigShapeRunsEveryShippedTopologyShapeWithTheMemoryIdeal) {
  for (const File& c : kConfigs) {
    const arch::ArchConfigPtr a = load_cfg(c);
    for (const File& t : kTopologies) {
      SCOPED_TRACE(std::string(c.name) + " x " + t.name);
      workloads::Graph g = load_topology(t, *a);
      const std::int64_t macs = g.total_macs();
      compiler::CompileOptions o;
      o.ideal_memory = true;
      compiler::CompiledModel cm = compiler::compile(std::move(g), a, o);
      ASSERT_FALSE(cm.layers.empty());
      std::int64_t sum = 0;
      for (const auto& l : cm.layers) {
        EXPECT_GT(l.cost.compute_cycles, 0) << l.layer.name;
        EXPECT_EQ(l.cost.prologue, 0) << l.layer.name;  // nothing waits for memory
        sum += l.cost.macs;
      }
      EXPECT_EQ(sum, macs);
    }
  }
}

TEST(ScaleSimFiles, SectionTitlesAndTabsAreRead) {
  const arch::ArchConfigPtr a = load_cfg(kConfigs[0]);
  workloads::Graph s = load_topology(kTopologies[2], *a);
  ASSERT_EQ(s.ops().size(), 3u);  // the titles GameNet and Recommender are not layers
  EXPECT_EQ(s.op(0).name, "Conv");
  workloads::Graph tabs = load_topology(kTopologies[6], *a);
  ASSERT_EQ(tabs.ops().size(), 3u);
  EXPECT_EQ(tabs.tensor(tabs.op(0).output).shape, (workloads::Shape{1, 64, 570, 570}));
}

TEST(ScaleSimFiles, AStrided1x1FilterOnAnEvenIfmapHasScaleSimsOutputs) {
  // SCALE-Sim: OFMAP = ceil((IFMAP - Filter + Stride) / Stride) = ceil(57 / 2) = 29 for 56 rows;
  // its last window lies past the edge, so the IFMAP is taken as 57 x 57 (no padding needed)
  const arch::ArchConfigPtr a = load_cfg(kConfigs[1]);
  workloads::Graph g = load_topology(kTopologies[5], *a);
  const workloads::Op& cb3 = g.op(2);
  ASSERT_EQ(cb3.name, "CB3a_1");
  EXPECT_EQ(g.tensor(cb3.output).shape, (workloads::Shape{1, 128, 29, 29}));
  EXPECT_EQ(cb3.macs, 29 * 29 * 128 * 256);
  EXPECT_EQ(g.tensor(cb3.inputs[0]).shape, (workloads::Shape{1, 256, 57, 57}));
}

TEST(ScaleSimFiles, AnOutputStationaryArrayNeedsNoAccumulatorBufferForItsSums) {
  // 128 x 128 x 4 B of sums, double-buffered, is 128 KiB: more than the 64 KiB OFMAP SRAM that
  // becomes the accumulator buffer. The sums stay in the PEs, so the configuration is legal
  // and, with the real memory, every layer maps; a tile with K whole uses no accumulator buffer.
  const arch::ArchConfigPtr a = load_cfg(kConfigs[3]);
  EXPECT_EQ(a->core.accumulator_buffer.bytes, 64 * 1024);
  workloads::Graph g = load_topology(kTopologies[3], *a);
  compiler::CompiledModel cm = compiler::compile(std::move(g), a);
  int whole_k = 0;
  for (const auto& l : cm.layers) {
    EXPECT_GT(l.cost.cycles, 0);
    if (l.mapping.tk < l.layer.K) continue;
    ++whole_k;
    EXPECT_EQ(l.cost.buffers.acc_total(), 0) << l.layer.name;
  }
  EXPECT_GE(whole_k, 1);
}
