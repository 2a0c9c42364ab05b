// torchvision ResNet-50 v1.5: the stride-2 of a down-sampling bottleneck sits in its 3x3 conv.
// Bottleneck stages [3, 4, 6, 3] with widths 64/128/256/512 and expansion 4; BatchNorm folded
// into the convolutions (no bias, no BN op); ReLU after every conv except the last of a block,
// which is followed by the residual Add and then ReLU.
#include <fmt/format.h>

#include <array>
#include <string>

#include "workloads/models/models.h"

namespace npusim::workloads::models {
namespace {

TensorId conv(Graph& g, const std::string& name, TensorId x, std::int64_t out, std::int64_t k, std::int64_t stride,
              std::int64_t pad) {
  Graph::ConvSpec s;
  s.out_channels = out;
  s.kh = s.kw = k;
  s.stride = stride;
  s.pad = pad;
  s.bias = false;  // BatchNorm follows (folded)
  return g.conv2d(name, x, s);
}

TensorId bottleneck(Graph& g, const std::string& p, TensorId x, std::int64_t width, std::int64_t stride,
                    bool downsample) {
  const std::int64_t out = width * 4;
  TensorId y = conv(g, p + ".conv1", x, width, 1, 1, 0);
  y = g.eltwise(p + ".relu1", EltFn::Relu, y);
  y = conv(g, p + ".conv2", y, width, 3, stride, 1);
  y = g.eltwise(p + ".relu2", EltFn::Relu, y);
  y = conv(g, p + ".conv3", y, out, 1, 1, 0);
  TensorId identity = downsample ? conv(g, p + ".downsample", x, out, 1, stride, 0) : x;
  y = g.eltwise(p + ".add", EltFn::Add, y, identity);
  return g.eltwise(p + ".relu3", EltFn::Relu, y);
}

}  // namespace

Graph resnet50(const ModelParams& params) {
  check_params("resnet50", params);
  Graph g("resnet50", params.dtype);
  const std::int64_t n = params.batch;
  TensorId x = g.input("image", {n, 3, 224, 224});
  x = conv(g, "conv1", x, 64, 7, 2, 3);  // 112x112
  x = g.eltwise("relu", EltFn::Relu, x);
  x = g.pool("maxpool", PoolFn::Max, x, 3, 2, 1);  // 56x56

  struct Stage {
    std::int64_t blocks, width, stride;
  };
  constexpr std::array<Stage, 4> stages{{{3, 64, 1}, {4, 128, 2}, {6, 256, 2}, {3, 512, 2}}};
  for (std::size_t s = 0; s < stages.size(); ++s) {
    for (std::int64_t b = 0; b < stages[s].blocks; ++b) {
      const std::string p = fmt::format("layer{}.{}", s + 1, b);
      // The first block of every stage changes the channel count (and stage 2-4 the resolution),
      // so it carries the 1x1 projection shortcut.
      x = bottleneck(g, p, x, stages[s].width, b == 0 ? stages[s].stride : 1, b == 0);
    }
  }
  x = g.global_avg_pool("avgpool", x);  // [n, 2048, 1, 1]
  x = g.reshape("flatten", x, {n, 2048});
  x = g.matmul("fc", x, 1000, /*bias=*/true);
  g.mark_output(x);
  return g;
}

}  // namespace npusim::workloads::models
