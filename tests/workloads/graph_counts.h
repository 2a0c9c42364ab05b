// Counting a graph's ops and tensors by kind, for the workload tests.
#pragma once

#include "workloads/graph.h"

namespace npusim::testing_support {

inline int count_ops(const workloads::Graph& g, workloads::OpKind kind) {
  int n = 0;
  for (const workloads::Op& op : g.ops()) n += op.kind == kind;
  return n;
}

inline int count_tensors(const workloads::Graph& g, workloads::TensorKind kind) {
  int n = 0;
  for (const workloads::Tensor& t : g.tensors()) n += t.kind == kind;
  return n;
}

}  // namespace npusim::testing_support
