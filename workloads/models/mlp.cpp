// A small multi-layer perceptron, the simplest matmul-bound workload:
// [batch, 1024] -> 4096 (ReLU) -> 4096 (ReLU) -> 1024, all with bias.
#include "workloads/models/models.h"

namespace npusim::workloads::models {

Graph mlp(const ModelParams& params) {
  check_params("mlp", params);
  Graph g("mlp", params.dtype);
  TensorId x = g.input("x", {params.batch, 1024});
  x = g.matmul("fc1", x, 4096, /*bias=*/true);
  x = g.eltwise("fc1.relu", EltFn::Relu, x);
  x = g.matmul("fc2", x, 4096, /*bias=*/true);
  x = g.eltwise("fc2.relu", EltFn::Relu, x);
  x = g.matmul("fc3", x, 1024, /*bias=*/true);
  g.mark_output(x);
  return g;
}

}  // namespace npusim::workloads::models
