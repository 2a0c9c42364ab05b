#include "cli/common.h"

#include <fmt/format.h>

#include "base/error.h"
#include "configs/embedded.h"

namespace npusim::cli {

void add_arch_options(CLI::App& app, ModelOptions& o) {
  std::string presets;
  for (const auto& p : arch_presets()) presets += fmt::format("{}{}", presets.empty() ? "" : ", ", p.name);
  app.add_option("--arch", o.arch,
                 fmt::format("Architecture: a preset ({}), a YAML file, or a SCALE-Sim .cfg file [default: {}]", presets,
                             kDefaultArchPreset));
  app.add_option("--set", o.sets, "Override a key of the architecture, e.g. --set core.pe_array.rows=64 (repeatable)");
}

void add_model_options(CLI::App& app, ModelOptions& o) {
  app.add_option("--model", o.model,
                 "Model: a zoo name (npusim models), an ONNX file, a SCALE-Sim CSV file, or gemm:M,N,K")
      ->capture_default_str();
  app.add_option("--input", o.inputs,
                 "ONNX models: the shape of an input, binding its dynamic dimensions, e.g. --input "
                 "input_ids=1x128 (repeatable)");
  app.add_option("--batch", o.batch, "Batch size")->capture_default_str();
  app.add_option("--seq", o.seq, "Sequence or context length for sequence models [default: the model's]");
  app.add_option("--dtype", o.dtype, "Operand datatype [default: the architecture's datatypes.default]");
  app.add_flag("--no-layer-fusion", o.no_layer_fusion,
               "Do not keep a layer's output on chip for its consumer (inter-layer reuse), to compare");
  app.add_option("--objective", o.objective, "Mapping objective: latency, energy, edp or dram")->capture_default_str();
  app.add_option("--memory", o.memory,
                 "real, or ideal: buffers unbounded and transfers free, so each layer takes the PE array's own time "
                 "(compute cycles as SCALE-Sim counts them; analytic engine only)")
      ->capture_default_str();
}

driver::ModelSpec model_spec(const ModelOptions& o) {
  driver::ModelSpec s;
  s.model = o.model;
  s.batch = o.batch;
  s.seq = o.seq;
  s.inputs = parse_inputs(o.inputs);
  if (!o.dtype.empty()) s.dtype = driver::parse_operand_dtype("--dtype", o.dtype);
  return s;
}

driver::CompileRequest compile_request(const ModelOptions& o) {
  driver::CompileRequest r;
  r.arch = o.arch;
  r.sets = o.sets;
  r.model = model_spec(o);
  r.inter_layer_reuse = !o.no_layer_fusion;
  r.objective = driver::parse_objective("--objective", o.objective);
  r.memory = driver::parse_memory("--memory", o.memory);
  return r;
}

std::vector<workloads::InputShape> parse_inputs(const std::vector<std::string>& texts) {
  std::vector<workloads::InputShape> out;
  for (const auto& t : texts) {
    workloads::InputShape s = workloads::parse_input_shape("--input", t);
    for (const auto& o : out)
      if (o.name == s.name) throw Error(fmt::format("--input {}: input '{}' is given twice", t, s.name));
    out.push_back(std::move(s));
  }
  return out;
}

void print_model_warnings(const workloads::Graph& g) {
  for (const auto& w : g.warnings()) fmt::print(stderr, "npusim: warning: {}\n", w);
}

void check_choice(const char* opt, const std::string& v, std::initializer_list<const char*> ok) {
  std::string list;
  for (const char* x : ok) {
    if (v == x) return;
    list += fmt::format("{}{}", list.empty() ? "" : ", ", x);
  }
  throw Error(fmt::format("{} {}: expected one of {}", opt, v, list));
}

}  // namespace npusim::cli
