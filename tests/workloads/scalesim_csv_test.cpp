// SCALE-Sim layer lists: both formats with the quirks of real files, SCALE-Sim's no-padding
// OFMAP convention, depthwise "DP" rows, and FILE:LINE errors for malformed rows.
#include "workloads/scalesim_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "base/error.h"
#include "tests/error_of.h"

namespace npusim::workloads {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr const char* kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

using testing_support::error_of;

Graph read(const std::string& text, std::int64_t batch = 1, const std::string& file = "net.csv") {
  return read_scalesim_csv(text, file, ModelParams{batch, 0, DType::Int8, {}});
}

std::string read_error(const std::string& text, const std::string& file = "net.csv") {
  return error_of([&] { read(text, 1, file); });
}

const Op& op_named(const Graph& g, const std::string& name) {
  for (const Op& op : g.ops())
    if (op.name == name) return op;
  throw std::runtime_error("no op " + name);
}

// ---------------------------------------------------------------- header detection

TEST(ScaleSimCsv, DetectsTheKindFromTheHeader) {
  EXPECT_EQ(detect_csv_kind(kConvHeader, "a.csv"), CsvKind::ConvTopology);
  EXPECT_EQ(detect_csv_kind("layer name,ifmap height,ifmap width,filter height,filter width,channels,num filter,"
                            "strides",
                            "a.csv"),
            CsvKind::ConvTopology);
  EXPECT_EQ(detect_csv_kind("Layer,M,N,K", "a.csv"), CsvKind::Gemm);
  EXPECT_EQ(detect_csv_kind("Layer, m, n, k,", "a.csv"), CsvKind::Gemm);
  EXPECT_EQ(detect_csv_kind(" Layer , K , M , N \r", "a.csv"), CsvKind::Gemm);
}

TEST(ScaleSimCsv, RejectsAnUnrecognisedHeader) {
  EXPECT_THAT(error_of([] { detect_csv_kind("name,rows,cols", "topo.csv"); }),
              AllOf(HasSubstr("topo.csv:1: unrecognised header 'name,rows,cols'"), HasSubstr("Layer, M, N, K")));
  EXPECT_THAT(error_of([] { detect_csv_kind("Layer,M,N", "g.csv"); }), HasSubstr("g.csv:1: unrecognised header"));
  EXPECT_THAT(read_error("Conv1,224,224,7,7,3,64,2,\n", "x.csv"), HasSubstr("x.csv:1: unrecognised header 'Conv1,"));
}

// ---------------------------------------------------------------- conv topologies

TEST(ScaleSimCsv, ParsesARealConvTopologyWithItsQuirks) {
  const std::string text = std::string(kConvHeader) +
                           "Conv1,224,224,7,7,3,64,2,,,110,110,12100\n"  // extra columns are ignored
                           "CB2a_1,56,56,1,1,64,64,1,,,,,\n"           // trailing empty columns
                           "\n"                                          // blank line
                           "Conv2_dw, 112, 112, 3, 3, 1, 1, 1,#dw\n"    // spaces and a comment
                           "\tConv14_dw_0,14,14,3,3,1,1,1,\n"           // tab-indented
                           "   \t \n"                                    // whitespace-only line
                           "Conv11,28,28,1,1,256,256,1";                // no trailing comma, no newline
  Graph g = read(text);
  ASSERT_EQ(g.ops().size(), 5u);
  EXPECT_EQ(g.op(0).name, "Conv1");
  EXPECT_EQ(g.op(1).name, "CB2a_1");
  EXPECT_EQ(g.op(2).name, "Conv2_dw");
  EXPECT_EQ(g.op(3).name, "Conv14_dw_0");
  EXPECT_EQ(g.op(4).name, "Conv11");
  EXPECT_EQ(g.tensor(g.op(2).output).shape, (Shape{1, 1, 110, 110}));
  EXPECT_EQ(g.tensor(g.op(3).output).shape, (Shape{1, 1, 12, 12}));
  EXPECT_EQ(g.tensor(g.op(4).output).shape, (Shape{1, 256, 28, 28}));
  EXPECT_EQ(g.op(4).macs, 28 * 28 * 256 * 256);
  EXPECT_EQ(g.outputs().size(), 5u);
}

TEST(ScaleSimCsv, OfmapConventionIsScaleSims) {
  Graph g = read(std::string(kConvHeader) + "Conv1,224,224,7,7,3,64,2,\n");
  const Op& op = g.op(0);
  EXPECT_EQ(g.tensor(op.inputs[0]).shape, (Shape{1, 3, 224, 224}));
  // ceil((224 - 7 + 2) / 2) = 110: SCALE-Sim's last window reaches one column past the edge
  // (PyTorch with padding 3 gives 112, floor((224 - 7) / 2) + 1 would be 109)
  EXPECT_EQ(g.tensor(op.output).shape, (Shape{1, 64, 110, 110}));
  EXPECT_EQ(op.macs, 110 * 110 * 64 * 3 * 7 * 7);
  const auto& a = op.as<Conv2dAttrs>();
  EXPECT_EQ(a.pad_top, 0);
  EXPECT_EQ(a.pad_left, 0);
  EXPECT_EQ(a.pad_bottom, 1);
  EXPECT_EQ(a.pad_right, 1);
  EXPECT_EQ(a.stride_h, 2);
  EXPECT_EQ(a.stride_w, 2);
  EXPECT_EQ(g.total_params(), 64 * 3 * 7 * 7);
  // SCALE-Sim's golden AlexNet conv1 (224, 11x11, stride 4): 55x55, and an exact fit adds nothing
  Graph alex = read(std::string(kConvHeader) + "Conv1,224,224,11,11,3,96,4,\nC2,8,8,3,3,4,4,1,\n");
  EXPECT_EQ(alex.tensor(alex.op(0).output).shape, (Shape{1, 96, 55, 55}));
  EXPECT_EQ(alex.op(1).as<Conv2dAttrs>().pad_bottom, 0);
}

TEST(ScaleSimCsv, RowAndColumnStridesMayDiffer) {
  Graph g = read("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
                 "Stride Height, Stride Width,\nc,20,20,3,3,2,4,1,2,\n");
  const auto& a = g.op(0).as<Conv2dAttrs>();
  EXPECT_EQ(a.stride_h, 1);
  EXPECT_EQ(a.stride_w, 2);
  EXPECT_EQ(g.tensor(g.op(0).output).shape, (Shape{1, 4, 18, 10}));  // ceil(18/1), ceil(19/2)
}

TEST(ScaleSimCsv, EveryRowIsAnIndependentLayerAtTheBatch) {
  Graph g = read(std::string(kConvHeader) + "a,8,8,3,3,4,16,1,\nb,6,6,1,1,16,2,1,\n", 3);
  ASSERT_EQ(g.ops().size(), 2u);
  for (const Op& op : g.ops()) {
    const Tensor& in = g.tensor(op.inputs[0]);
    EXPECT_EQ(in.kind, TensorKind::Input) << op.name;
    EXPECT_EQ(in.shape.front(), 3) << op.name;
  }
  EXPECT_EQ(g.tensor(g.op(1).output).shape, (Shape{3, 2, 6, 6}));
  EXPECT_EQ(g.total_macs(), 3 * (6 * 6 * 16 * 4 * 9 + 6 * 6 * 2 * 16));
}

TEST(ScaleSimCsv, DepthwiseDpRows) {
  Graph g = read(std::string(kConvHeader) + "Conv2_DP,112,112,3,3,32,1,1,\nConv3_DP,10,10,3,3,8,2,1,\n");
  const Op& dw = g.op(0);
  const auto& a = dw.as<Conv2dAttrs>();
  EXPECT_EQ(a.groups, 32);
  EXPECT_EQ(g.tensor(dw.output).shape, (Shape{1, 32, 110, 110}));
  EXPECT_EQ(dw.macs, 110 * 110 * 32 * 3 * 3);  // one input channel per filter
  EXPECT_EQ(g.tensor(dw.inputs[1]).shape, (Shape{32, 1, 3, 3}));
  // F filters per channel: C*F output channels.
  EXPECT_EQ(g.tensor(g.op(1).output).shape, (Shape{1, 16, 8, 8}));
  EXPECT_EQ(g.op(1).as<Conv2dAttrs>().groups, 8);
  // Without "DP" the same row is a dense convolution.
  Graph dense = read(std::string(kConvHeader) + "Conv2_dw,112,112,3,3,32,1,1,\n");
  EXPECT_EQ(dense.op(0).as<Conv2dAttrs>().groups, 1);
  EXPECT_EQ(dense.tensor(dense.op(0).output).shape, (Shape{1, 1, 110, 110}));
}

TEST(ScaleSimCsv, OptionalColumnStride) {
  Graph g = read(std::string(kConvHeader) + "c,32,32,3,3,4,4,2,2,\n");
  EXPECT_EQ(g.tensor(g.op(0).output).shape, (Shape{1, 4, 16, 16}));  // ceil((32 - 3 + 2) / 2)
  Graph g2 = read(std::string(kConvHeader) + "c,32,32,3,3,4,4,2,1,\n");
  EXPECT_EQ(g2.tensor(g2.op(0).output).shape, (Shape{1, 4, 16, 30}));
  EXPECT_THAT(read_error(std::string(kConvHeader) + "c,32,32,3,3,4,4,2,0,\n"),
              HasSubstr("net.csv:2: layer 'c': Stride Width must be a positive integer, got '0'"));
}

TEST(ScaleSimCsv, RepeatedNamesAreMadeUnique) {
  Graph g = read(std::string(kConvHeader) + "c,8,8,1,1,1,1,1,\nc,8,8,1,1,1,1,1,\nc,8,8,1,1,1,1,1,\n");
  ASSERT_EQ(g.ops().size(), 3u);
  EXPECT_EQ(g.op(0).name, "c");
  EXPECT_EQ(g.op(1).name, "c_2");
  EXPECT_EQ(g.op(2).name, "c_3");
}

TEST(ScaleSimCsv, CrLfCommentLinesAndByteOrderMark) {
  Graph g = read("\xEF\xBB\xBF" + std::string("# exported from a notebook\r\n") +
                 "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\r\n"
                 "c1,16,16,3,3,8,8,1,\r\n"
                 "# a comment line\r\n"
                 "c2,14,14,3,3,8,8,1\r\n");
  ASSERT_EQ(g.ops().size(), 2u);
  EXPECT_EQ(g.op(1).name, "c2");
  EXPECT_EQ(g.tensor(g.op(1).output).shape, (Shape{1, 8, 12, 12}));
}

TEST(ScaleSimCsv, GraphIsNamedAfterTheFileStem) {
  EXPECT_EQ(read(std::string(kConvHeader) + "c,8,8,1,1,1,1,1,\n", 1, "topologies/conv_nets/alexnet.csv").name(),
            "alexnet");
}

TEST(ScaleSimCsv, ReadsTheRepositoryExample) {
  std::ifstream f(std::string(NPUSIM_SOURCE_DIR) + "/tests/workloads/data/scalesim_conv_quirks.csv");
  ASSERT_TRUE(f) << "missing test data";
  std::stringstream ss;
  ss << f.rdbuf();
  Graph g = read(ss.str(), 1, "scalesim_conv_quirks.csv");
  ASSERT_EQ(g.ops().size(), 5u);
  EXPECT_EQ(g.tensor(op_named(g, "Conv1").output).shape, (Shape{1, 64, 110, 110}));  // SCALE-Sim reports 110 too
  EXPECT_EQ(g.tensor(op_named(g, "Conv14_dw_0").output).shape, (Shape{1, 1, 12, 12}));
}

// ---------------------------------------------------------------- GEMM lists

TEST(ScaleSimCsv, ReadsTheRepositoryGemmExampleThroughLoadModel) {
  // through --model FILE: the kind is detected from the header, the graph named after the file
  ModelParams p;
  Graph g = load_model(std::string(NPUSIM_SOURCE_DIR) + "/tests/workloads/data/scalesim_gemm.csv", p);
  EXPECT_EQ(g.name(), "scalesim_gemm");
  ASSERT_EQ(g.ops().size(), 3u);
  EXPECT_EQ(g.op(0).macs, 1024LL * 1024 * 64);
  EXPECT_EQ(g.op(1).macs, 1024LL * 64 * 1024);
  EXPECT_EQ(g.op(2).macs, 1024LL * 4096 * 1024);
}

TEST(ScaleSimCsv, GemmRows) {
  Graph g = read("Layer,M,N,K\nQKT,1024,1024,64\nSV, 1024, 64, 1024,\n\n", 5);
  ASSERT_EQ(g.ops().size(), 2u);
  const Op& qkt = g.op(0);
  EXPECT_EQ(qkt.name, "QKT");
  EXPECT_EQ(qkt.kind, OpKind::MatMul);
  EXPECT_EQ(qkt.macs, 1024 * 1024 * 64);
  EXPECT_EQ(g.tensor(qkt.inputs[0]).shape, (Shape{1024, 64}));  // batch does not apply to M,N,K
  EXPECT_EQ(g.tensor(qkt.output).shape, (Shape{1024, 1024}));
  EXPECT_EQ(g.op(1).macs, 1024 * 64 * 1024);
  EXPECT_EQ(g.total_macs(), 2 * 1024 * 1024 * 64);
}

TEST(ScaleSimCsv, GemmColumnsFollowTheHeader) {
  Graph g = read("Layer, K, M, N,\nfc, 32, 8, 16,\n");
  EXPECT_EQ(g.tensor(g.op(0).inputs[0]).shape, (Shape{8, 32}));
  EXPECT_EQ(g.tensor(g.op(0).output).shape, (Shape{8, 16}));
  EXPECT_EQ(g.op(0).macs, 8 * 16 * 32);
}

// ---------------------------------------------------------------- malformed rows

TEST(ScaleSimCsv, MalformedConvRowsNameFileLineLayerAndColumn) {
  const std::string h = kConvHeader;
  EXPECT_THAT(read_error(h + "c,8,8,1,1,1,1,1,\nConv1,224,224,7,7,3,64\n", "topo.csv"),
              HasSubstr("topo.csv:3: layer 'Conv1': Strides must be a positive integer, got ''"));
  EXPECT_THAT(read_error(h + "Conv1,224,abc,7,7,3,64,2,\n", "topo.csv"),
              HasSubstr("topo.csv:2: layer 'Conv1': IFMAP Width must be a positive integer, got 'abc'"));
  EXPECT_THAT(read_error(h + "Conv1,224,224,7,7,0,64,2,\n"),
              HasSubstr("net.csv:2: layer 'Conv1': Channels must be a positive integer, got '0'"));
  EXPECT_THAT(read_error(h + "Conv1,224,224,7,7,3,-64,2,\n"),
              HasSubstr("net.csv:2: layer 'Conv1': Num Filter must be a positive integer, got '-64'"));
  EXPECT_THAT(read_error(h + "Conv1,224,224,7.5,7,3,64,2,\n"),
              HasSubstr("net.csv:2: layer 'Conv1': Filter Height must be a positive integer, got '7.5'"));
  EXPECT_THAT(read_error(h + "Conv1,224,224,7,,3,64,2,\n"),
              HasSubstr("net.csv:2: layer 'Conv1': Filter Width must be a positive integer, got ''"));
  EXPECT_THAT(read_error(h + "Conv1,99999999999999999999,224,7,7,3,64,2,\n"),
              HasSubstr("net.csv:2: layer 'Conv1': IFMAP Height must be a positive integer"));
  EXPECT_THAT(read_error(h + ",224,224,7,7,3,64,2,\n"), HasSubstr("net.csv:2: the layer name (first column) is empty"));
}

TEST(ScaleSimCsv, LineNumbersCountBlankLines) {
  EXPECT_THAT(read_error(std::string(kConvHeader) + "\n\nc,8,8,1,1,1,1,1,\n\nbad,8,8,1,1,1,x,1,\n"),
              HasSubstr("net.csv:6: layer 'bad': Num Filter must be a positive integer, got 'x'"));
}

TEST(ScaleSimCsv, FilterLargerThanIfmap) {
  EXPECT_THAT(read_error(std::string(kConvHeader) + "tiny,5,5,7,7,3,8,1,\n"),
              HasSubstr("net.csv:2: layer 'tiny': filter 7x7 is larger than the IFMAP 5x5"));
  EXPECT_THAT(read_error(std::string(kConvHeader) + "wide,8,2,1,3,3,8,1,\n"),
              HasSubstr("net.csv:2: layer 'wide': filter 1x3 is larger than the IFMAP 8x2"));
  // Equal is fine: a 1x1 output.
  EXPECT_EQ(read(std::string(kConvHeader) + "fc,7,7,7,7,512,4096,1,\n").tensor(0).shape, (Shape{1, 512, 7, 7}));
}

TEST(ScaleSimCsv, SizesThatOverflowAreReportedWithTheirLine) {
  EXPECT_THAT(read_error(std::string(kConvHeader) + "big,3000000000,3000000000,1,1,3000000000,1,1,\n"),
              AllOf(HasSubstr("net.csv:2: layer 'big'"), HasSubstr("overflows 64 bits")));
}

TEST(ScaleSimCsv, MalformedGemmRows) {
  EXPECT_THAT(read_error("Layer,M,N,K\nQKT,1024,1024,0\n", "g.csv"),
              HasSubstr("g.csv:2: layer 'QKT': K must be a positive integer, got '0'"));
  EXPECT_THAT(read_error("Layer,M,N,K\nQKT,1024,1024\n", "g.csv"),
              HasSubstr("g.csv:2: layer 'QKT': K must be a positive integer, got ''"));
  EXPECT_THAT(read_error("Layer,M,N,K\nok,1,1,1\nQKT,x,1024,64\n", "g.csv"),
              HasSubstr("g.csv:3: layer 'QKT': M must be a positive integer, got 'x'"));
}

TEST(ScaleSimCsv, EmptyFilesAndHeaderOnly) {
  EXPECT_THAT(read_error("", "e.csv"), HasSubstr("e.csv: empty file"));
  EXPECT_THAT(read_error("\n  \n", "e.csv"), HasSubstr("e.csv: empty file"));
  EXPECT_THAT(read_error(std::string(kConvHeader) + "\n\n", "h.csv"), HasSubstr("h.csv:1: no layers after the header"));
  EXPECT_THAT(read_error("Layer,M,N,K\n,,,\n", "h.csv"), HasSubstr("h.csv:1: no layers after the header"));
}

TEST(ScaleSimCsv, RejectsBadBatch) {
  EXPECT_THAT(error_of([] { read(std::string(kConvHeader) + "c,8,8,1,1,1,1,1,\n", 0); }),
              HasSubstr("net.csv: batch must be >= 1, got 0"));
}

}  // namespace
}  // namespace npusim::workloads
