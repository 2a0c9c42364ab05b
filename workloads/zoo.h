// The built-in model zoo and the --model argument: a zoo name, a SCALE-Sim layer-list CSV, or a
// single layer "gemm:M,N,K". Zoo names are stable: scripts use them.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "workloads/graph.h"

namespace npusim::workloads {

struct ModelParams {
  std::int64_t batch = 1;
  std::int64_t seq = 0;  // sequence / context length; 0 = the model's default
  DType dtype = DType::Int8;
};

struct ModelInfo {
  std::string name;         // e.g. "resnet50"
  std::string description;  // one line, with the figures it reproduces
  bool uses_seq = false;    // whether --seq applies
  std::int64_t default_seq = 0;
  std::string seq_meaning;  // e.g. "tokens", "context length (cached tokens)"
  std::function<Graph(const ModelParams&)> build;
};

// The zoo (an open extension point: add a ModelInfo here to add a model).
std::span<const ModelInfo> model_zoo();
const ModelInfo* find_model(std::string_view name);

// Resolves --model: a zoo name, "gemm:M,N,K", or a path to a SCALE-Sim CSV (conv topology or
// GEMM M,N,K list, recognised by its header). Throws Error naming the thing and the value.
Graph load_model(std::string_view spec, const ModelParams& params);

}  // namespace npusim::workloads
