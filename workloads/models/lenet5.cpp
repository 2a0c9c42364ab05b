// LeNet-5 (LeCun et al., "Gradient-based learning applied to document recognition", Proc. IEEE
// 1998) as most re-implementations run it: 32x32x1 input, C1 conv 5x5x6 -> 28x28, S2 2x2 pool ->
// 14x14, C3 conv 5x5x16 fully connected to S2 -> 10x10, S4 pool -> 5x5, C5 conv 5x5x120 -> 1x1,
// F6 120 -> 84, output 84 -> 10; ReLU and max pooling (the paper's squashing function and
// trainable subsampling differ; the MACs do not). 416,520 MACs and 61,706 parameters per image.
#include "workloads/models/models.h"

namespace npusim::workloads::models {

Graph lenet5(const ModelParams& params) {
  check_params("lenet5", params);
  Graph g("lenet5", params.dtype);
  const std::int64_t n = params.batch;
  TensorId x = g.input("image", {n, 1, 32, 32});
  x = g.conv2d("c1", x, {.out_channels = 6, .kh = 5, .kw = 5, .bias = true});
  x = g.eltwise("c1.relu", EltFn::Relu, x);
  x = g.pool("s2", PoolFn::Max, x, 2, 2);
  x = g.conv2d("c3", x, {.out_channels = 16, .kh = 5, .kw = 5, .bias = true});
  x = g.eltwise("c3.relu", EltFn::Relu, x);
  x = g.pool("s4", PoolFn::Max, x, 2, 2);
  x = g.conv2d("c5", x, {.out_channels = 120, .kh = 5, .kw = 5, .bias = true});  // [n, 120, 1, 1]
  x = g.eltwise("c5.relu", EltFn::Relu, x);
  x = g.reshape("flatten", x, {n, 120});
  x = g.matmul("f6", x, 84, /*bias=*/true);
  x = g.eltwise("f6.relu", EltFn::Relu, x);
  x = g.matmul("output", x, 10, /*bias=*/true);
  g.mark_output(x);
  return g;
}

}  // namespace npusim::workloads::models
