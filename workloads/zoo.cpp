#include "workloads/zoo.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "base/error.h"
#include "workloads/models/llm.h"
#include "workloads/models/models.h"
#include "workloads/onnx/import.h"
#include "workloads/scalesim_csv.h"

namespace npusim::workloads {

namespace models {

std::int64_t check_params(std::string_view name, const ModelParams& params, std::int64_t default_seq) {
  if (params.batch <= 0) throw Error(fmt::format("model {}: batch must be >= 1, got {}", name, params.batch));
  if (params.seq < 0)
    throw Error(fmt::format("model {}: seq must be >= 1 (or 0 for the default), got {}", name, params.seq));
  return params.seq == 0 ? default_seq : params.seq;
}

}  // namespace models

namespace {

std::vector<ModelInfo> make_zoo() {
  std::vector<ModelInfo> z;
  auto add = [&z](std::string name, std::string description, std::function<Graph(const ModelParams&)> build,
                  std::int64_t default_seq = 0, std::string seq_meaning = {}) {
    ModelInfo m;
    m.name = std::move(name);
    m.description = std::move(description);
    m.uses_seq = default_seq > 0;
    m.default_seq = default_seq;
    m.seq_meaning = std::move(seq_meaning);
    m.build = std::move(build);
    z.push_back(std::move(m));
  };
  add("resnet50",
      "torchvision ResNet-50 v1.5, 224x224, BatchNorm folded into the convs; published 4.09 G MACs, 25.557 M params "
      "(25.50 M here without the folded BN's 53 k)",
      models::resnet50);
  add("mobilenetv2",
      "torchvision MobileNetV2 1.0, 224x224, BatchNorm folded into the convs; published 0.30 G MACs, 3.50 M params "
      "(3.47 M here without the folded BN's 34 k)",
      models::mobilenetv2);
  add("vgg16", "VGG-16 (configuration D) with its three FC layers, 224x224; published 15.47 G MACs, 138.36 M params",
      models::vgg16);
  add("bert-base",
      "BERT-base encoder (12 layers, 768 hidden, 12 heads, FFN 3072) with embeddings and pooler on [CLS]; published "
      "110 M params (109.48 M)",
      models::bert_base, models::kBertDefaultSeq, "tokens per sequence (at most 512)");
  add("gpt2-prefill",
      "GPT-2 small prefill (12 layers, 768 hidden, 12 heads), tied LM head on the last token only (one-hot "
      "selector); published 124 M params (124.44 M)",
      models::gpt2_prefill, models::kGpt2DefaultSeq, "prompt tokens (at most 1024)");
  add("gpt2-decode",
      "GPT-2 small decode: one new token per sequence attending over a KV cache, tied LM head; published 124 M "
      "params (124.44 M)",
      models::gpt2_decode, models::kGpt2DefaultSeq, "context length (cached tokens)");
  add("llama7b-layer-prefill",
      "one Llama-7B decoder layer, prefill (4096 hidden, 32 heads, SwiGLU FFN 11008, RMSNorm, RoPE, no biases); "
      "202,383,360 params per layer",
      models::llama7b_layer_prefill, models::kLlamaDefaultSeq, "prompt tokens");
  add("llama7b-layer-decode",
      "one Llama-7B decoder layer, decode: one new token per sequence attending over a KV cache; 202,383,360 params "
      "per layer",
      models::llama7b_layer_decode, models::kLlamaDefaultSeq, "context length (cached tokens)");
  add("vit-b16",
      "ViT-B/16 at 224x224 (196 patches + class token, 12 pre-LN layers, head on the class token); published 17.6 G "
      "MACs, 86.6 M params",
      models::vit_b16);
  add("mlp", "small MLP 1024 -> 4096 -> 4096 -> 1024 with biases and ReLU; 25.2 M MACs per sample, 25.2 M params",
      models::mlp);
  add("lenet5",
      "LeNet-5 (LeCun 1998) at 32x32x1, ReLU and max pooling; 416,520 MACs and 61,706 params per image: a small "
      "CNN, e.g. for --pe-model rtl",
      models::lenet5);
  for (const LlmSpec& spec : llm_specs())
    add(spec.name,
        fmt::format("{}: {} layers, hidden {}, {} heads{}, {}{}; a training forward pass (logits and loss on every "
                    "token). {}",
                    spec.name, spec.layers, spec.hidden, spec.heads,
                    spec.kv_heads > 0 ? fmt::format(" ({} key/value)", spec.kv_heads) : "",
                    spec.moe() ? fmt::format("{} experts of FFN {}, top-{}", spec.experts, spec.ffn, spec.top_k)
                               : fmt::format("FFN {}", spec.ffn),
                    fmt::format(", vocabulary {}", spec.vocab), spec.source),
        [spec](const ModelParams& p) { return llm_graph(spec, p); }, spec.seq, "tokens per sequence");
  return z;
}

std::string zoo_names() {
  std::string out;
  for (const ModelInfo& m : model_zoo()) out += (out.empty() ? "" : ", ") + m.name;
  return out;
}

// "gemm:M,N,K": one matmul [M, K] x [K, N]. The batch parameter does not apply (M is the row
// count); the dtype does.
Graph gemm_model(std::string_view spec, const ModelParams& params) {
  const std::string_view body = spec.substr(5);
  std::array<std::int64_t, 3> v{};
  std::size_t pos = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::size_t comma = body.find(',', pos);
    const bool last = i + 1 == v.size();
    if (last != (comma == std::string_view::npos))
      throw Error(fmt::format("--model {}: expected gemm:M,N,K with positive integers, got '{}'", spec, body));
    const std::string_view field = body.substr(pos, last ? std::string_view::npos : comma - pos);
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v[i]);
    if (field.empty() || ec != std::errc{} || end != field.data() + field.size() || v[i] <= 0)
      throw Error(fmt::format("--model {}: expected gemm:M,N,K with positive integers, got '{}'", spec, field));
    pos = comma + 1;
  }
  const auto [m, n, k] = v;
  Graph g(fmt::format("gemm_{}x{}x{}", m, n, k), params.dtype);
  TensorId a = g.input("A", {m, k});
  g.mark_output(g.matmul("gemm", a, n));
  return g;
}

}  // namespace

std::span<const ModelInfo> model_zoo() {
  static const std::vector<ModelInfo> zoo = make_zoo();
  return zoo;
}

const ModelInfo* find_model(std::string_view name) {
  for (const ModelInfo& m : model_zoo())
    if (m.name == name) return &m;
  return nullptr;
}

InputShape parse_input_shape(std::string_view what, std::string_view text) {
  const std::size_t eq = text.rfind('=');
  const auto bad = [&](std::string_view why) {
    return Error(fmt::format("{} {}: {}; expected NAME=D1xD2x... with positive sizes, e.g. input=1x3x224x224", what,
                             text, why));
  };
  if (eq == std::string_view::npos || eq == 0) throw bad("no input name");
  InputShape s;
  s.name = std::string(text.substr(0, eq));
  std::string_view dims = text.substr(eq + 1);
  while (!dims.empty()) {
    const std::size_t x = dims.find_first_of("x,");
    const std::string_view field = dims.substr(0, x);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
    if (field.empty() || ec != std::errc{} || end != field.data() + field.size() || v <= 0)
      throw bad(fmt::format("'{}' is not a positive size", field));
    s.shape.push_back(v);
    if (x == std::string_view::npos) break;
    dims.remove_prefix(x + 1);
    if (dims.empty()) throw bad("a size is missing at the end");
  }
  return s;
}

std::string to_string(const InputShape& s) {
  std::string out = s.name + "=";
  for (std::size_t i = 0; i < s.shape.size(); ++i) out += fmt::format("{}{}", i ? "x" : "", s.shape[i]);
  return out;
}

Graph load_model(std::string_view spec, const ModelParams& params) {
  const std::string path(spec);
  std::error_code ec;
  const bool file = !spec.empty() && std::filesystem::is_regular_file(path, ec);
  if (file && onnx::looks_like_onnx(path)) return onnx::import_file(path, params);
  if (!params.inputs.empty())
    throw Error(fmt::format("--input {}: input shapes apply to ONNX models; '{}' is not one", to_string(params.inputs.front()),
                            spec));
  if (const ModelInfo* m = find_model(spec)) return m->build(params);
  if (spec.starts_with("gemm:")) return gemm_model(spec, params);
  if (spec.starts_with("gpt:")) return llm_graph(parse_gpt_spec(spec), params);
  if (spec.ends_with(".onnx")) throw Error(fmt::format("--model {}: no such file", path));
  if (file) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("--model {}: cannot open the file for reading", path));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw Error(fmt::format("--model {}: error while reading the file", path));
    return read_scalesim_csv(text.str(), path, params);
  }
  throw Error(fmt::format("unknown model '{}': not a built-in model ({}), not gemm:M,N,K, not gpt:layers=L,hidden=H,"
                          "heads=A,seq=S[,ffn=F][,vocab=V], nor a readable file",
                          spec,
                          zoo_names()));
}

}  // namespace npusim::workloads
