// The built-in model zoo and the --model argument: a zoo name, a SCALE-Sim layer-list CSV, or a
// single layer "gemm:M,N,K". Zoo names are stable: scripts use them.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/graph.h"

namespace npusim::workloads {

// The shape of one input of an imported model: `--input NAME=1x3x224x224`.
struct InputShape {
  std::string name;
  Shape shape;
  bool operator==(const InputShape&) const = default;
};
// Parses "NAME=D1xD2x..." (the name may hold '='; the last one separates it). Throws Error
// naming `what` and the text.
InputShape parse_input_shape(std::string_view what, std::string_view text);
std::string to_string(const InputShape& s);  // "NAME=1x3x224x224"

struct ModelParams {
  std::int64_t batch = 1;
  std::int64_t seq = 0;  // sequence / context length; 0 = the model's default
  DType dtype = DType::Int8;
  std::vector<InputShape> inputs;  // shapes of an ONNX model's inputs (bind its dynamic dimensions)
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

// Resolves --model: a zoo name, "gemm:M,N,K", "gpt:layers=L,hidden=H,heads=A,seq=S[,ffn=F][,vocab=V]"
// (workloads/models/llm.h), a path to an ONNX model (.onnx), or a path to a SCALE-Sim CSV (conv
// topology or GEMM M,N,K list, recognised by its header). Throws Error naming the thing and the
// value. `params.inputs` applies to ONNX models only.
Graph load_model(std::string_view spec, const ModelParams& params);

}  // namespace npusim::workloads
