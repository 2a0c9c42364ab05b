// npusim models / npusim model-info: the zoo and per-layer shapes, MACs, parameters and bytes.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "workloads/zoo.h"

namespace npusim::cli {

void register_model_commands(CLI::App& app) {
  CLI::App* models = app.add_subcommand("models", "List the built-in models");
  models->callback([] {
    for (const auto& m : workloads::model_zoo()) {
      std::string seq = m.uses_seq ? fmt::format(" [--seq: {}, default {}]", m.seq_meaning, m.default_seq) : "";
      fmt::print("{:<24} {}{}\n", m.name, m.description, seq);
    }
  });

  struct Opts {
    std::string model;
    std::int64_t batch = 1, seq = 0;
    std::string dtype = "int8";
    std::vector<std::string> inputs;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* info = app.add_subcommand("model-info", "Per-layer shapes, MACs, parameters and bytes of a model");
  info->add_option("model", o->model, "Zoo name, ONNX file, SCALE-Sim CSV file, or gemm:M,N,K")->required();
  info->add_option("--input", o->inputs,
                   "ONNX models: the shape of an input, binding its dynamic dimensions, e.g. --input "
                   "input_ids=1x128 (repeatable)");
  info->add_option("--batch", o->batch, "Batch size")->capture_default_str();
  info->add_option("--seq", o->seq, "Sequence or context length [default: the model's]");
  info->add_option("--dtype", o->dtype, "Operand datatype")->capture_default_str();
  info->callback([o] {
    workloads::ModelParams p;
    p.batch = o->batch;
    p.seq = o->seq;
    p.dtype = driver::parse_operand_dtype("--dtype", o->dtype);
    p.inputs = parse_inputs(o->inputs);
    workloads::Graph g = workloads::load_model(o->model, p);
    print_model_warnings(g);
    std::size_t w = 4;
    for (const auto& op : g.ops()) w = std::max(w, op.name.size());
    w = std::min<std::size_t>(w, 40);
    fmt::print("{} ({}), batch {}\n\n", g.name(), name_of(g.dtype()), o->batch);
    fmt::print("{:<{}} {:<15} {:<24} {:<20} {:>10} {:>10} {:>10}\n", "op", w, "kind", "output", "inputs", "MACs", "params",
               "out bytes");
    for (const auto& op : g.ops()) {
      std::int64_t params = 0;
      std::string ins;
      for (workloads::TensorId t : op.inputs) {
        const auto& tt = g.tensor(t);
        if (tt.kind == workloads::TensorKind::Weight) {
          params += tt.elements();
        } else {
          if (!ins.empty()) ins += ' ';
          ins += workloads::shape_str(tt.shape);
        }
      }
      const auto& out = g.tensor(op.output);
      std::string kind(workloads::name_of(op.kind));
      if (op.kind == workloads::OpKind::Elementwise) kind += ":" + std::string(workloads::name_of(op.as<workloads::EltwiseAttrs>().fn));
      std::string name = fit(op.name, w);
      fmt::print("{:<{}} {:<15} {:<24} {:<20} {:>10} {:>10} {:>10}\n", name, w, kind, workloads::shape_str(out.shape),
                 fit(ins, 20), human_count(double(op.macs)),
                 human_count(double(params)), human_count(double(out.bytes())));
    }
    std::int64_t in_bytes = 0;
    for (const auto& t : g.tensors())
      if (t.kind == workloads::TensorKind::Input || t.kind == workloads::TensorKind::KvCache) in_bytes += t.bytes();
    fmt::print("\ntotal: {} ops, {} MACs ({} exact), {} parameters ({} exact), weights {}, inputs and caches {}\n",
               g.ops().size(), human_count(double(g.total_macs())), g.total_macs(), human_count(double(g.total_params())),
               g.total_params(), human_bytes(double(g.total_params()) * bytes_of(g.dtype())), human_bytes(double(in_bytes)));
  });
}

}  // namespace npusim::cli
