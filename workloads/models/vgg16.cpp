// VGG-16 (configuration D, Simonyan & Zisserman 2014; torchvision vgg16 without BN): 13 3x3
// convolutions with bias and ReLU in five blocks, each closed by a 2x2/2 max pool, then the
// classifier 25088->4096->4096->1000 with ReLU between (dropout is the identity at inference;
// torchvision's adaptive 7x7 average pool is the identity at 224x224 and is not emitted).
#include <fmt/format.h>

#include <array>
#include <string>

#include "workloads/models/models.h"

namespace npusim::workloads::models {

Graph vgg16(const ModelParams& params) {
  check_params("vgg16", params);
  Graph g("vgg16", params.dtype);
  const std::int64_t n = params.batch;
  TensorId x = g.input("image", {n, 3, 224, 224});

  struct Block {
    int convs;
    std::int64_t channels;
  };
  constexpr std::array<Block, 5> blocks{{{2, 64}, {2, 128}, {3, 256}, {3, 512}, {3, 512}}};
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    for (int i = 1; i <= blocks[b].convs; ++i) {
      const std::string name = fmt::format("conv{}_{}", b + 1, i);
      Graph::ConvSpec s;
      s.out_channels = blocks[b].channels;
      s.kh = s.kw = 3;
      s.pad = 1;
      s.bias = true;
      x = g.conv2d(name, x, s);
      x = g.eltwise(name + ".relu", EltFn::Relu, x);
    }
    x = g.pool(fmt::format("pool{}", b + 1), PoolFn::Max, x, 2, 2);
  }
  x = g.reshape("flatten", x, {n, 512 * 7 * 7});
  x = g.matmul("fc6", x, 4096, /*bias=*/true);
  x = g.eltwise("fc6.relu", EltFn::Relu, x);
  x = g.matmul("fc7", x, 4096, /*bias=*/true);
  x = g.eltwise("fc7.relu", EltFn::Relu, x);
  x = g.matmul("fc8", x, 1000, /*bias=*/true);
  g.mark_output(x);
  return g;
}

}  // namespace npusim::workloads::models
