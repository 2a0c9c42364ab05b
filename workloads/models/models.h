// Builders of the zoo models (private to workloads/): each returns the inference graph of one
// published architecture, layer by layer, at the batch / sequence length / dtype of `params`.
// zoo.cpp lists them; the numbers they must reproduce are in its descriptions and in
// tests/workloads/zoo_test.cpp.
#pragma once

#include <cstdint>
#include <string_view>

#include "workloads/graph.h"
#include "workloads/zoo.h"

namespace npusim::workloads::models {

// CNNs (NCHW, 224x224 RGB input). BatchNorm is folded into the preceding convolution, so those
// convolutions carry no bias and no BN op is emitted.
Graph resnet50(const ModelParams& params);
Graph mobilenetv2(const ModelParams& params);
Graph vgg16(const ModelParams& params);

// Transformers ([batch, seq, hidden] activations; transformers.cpp).
Graph bert_base(const ModelParams& params);
Graph gpt2_prefill(const ModelParams& params);
Graph gpt2_decode(const ModelParams& params);
Graph llama7b_layer_prefill(const ModelParams& params);
Graph llama7b_layer_decode(const ModelParams& params);
Graph vit_b16(const ModelParams& params);

Graph mlp(const ModelParams& params);
Graph lenet5(const ModelParams& params);  // 32x32 grey-scale input

// Default sequence / context lengths (also reported by the zoo).
inline constexpr std::int64_t kBertDefaultSeq = 128;
inline constexpr std::int64_t kGpt2DefaultSeq = 1024;
inline constexpr std::int64_t kLlamaDefaultSeq = 2048;

// Validates params for model `name`: batch >= 1 and seq >= 0 (throws Error otherwise). Returns
// the sequence length to use: params.seq, or `default_seq` when params.seq is 0.
std::int64_t check_params(std::string_view name, const ModelParams& params, std::int64_t default_seq = 0);

}  // namespace npusim::workloads::models
