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
    for (const auto& m : wl::model_zoo()) {
      std::string seq = m.uses_seq ? fmt::format(" [--seq: {}, default {}]", m.seq_meaning, m.default_seq) : "";
      fmt::print("{:<24} {}{}\n", m.name, m.description, seq);
    }
  });

  struct Opts {
    std::string model;
    std::int64_t batch = 1, seq = 0;
    std::string dtype = "int8";
  };
  auto o = std::make_shared<Opts>();
  CLI::App* info = app.add_subcommand("model-info", "Per-layer shapes, MACs, parameters and bytes of a model");
  info->add_option("model", o->model, "Zoo name, SCALE-Sim CSV file, or gemm:M,N,K")->required();
  info->add_option("--batch", o->batch, "Batch size")->capture_default_str();
  info->add_option("--seq", o->seq, "Sequence or context length [default: the model's]");
  info->add_option("--dtype", o->dtype, "Operand datatype")->capture_default_str();
  info->callback([o] {
    wl::ModelParams p;
    p.batch = o->batch;
    p.seq = o->seq;
    auto d = parse_dtype(o->dtype);
    if (!d || *d == DType::Int32) throw Error(fmt::format("--dtype {}: unknown operand datatype", o->dtype));
    p.dtype = *d;
    wl::Graph g = wl::load_model(o->model, p);
    std::size_t w = 4;
    for (const auto& op : g.ops()) w = std::max(w, op.name.size());
    w = std::min<std::size_t>(w, 40);
    fmt::print("{} ({}), batch {}\n\n", g.name(), name_of(g.dtype()), o->batch);
    fmt::print("{:<{}} {:<15} {:<24} {:<20} {:>10} {:>10} {:>10}\n", "op", w, "kind", "output", "inputs", "MACs", "params",
               "out bytes");
    for (const auto& op : g.ops()) {
      std::int64_t params = 0;
      std::string ins;
      for (wl::TensorId t : op.inputs) {
        const auto& tt = g.tensor(t);
        if (tt.kind == wl::TensorKind::Weight) {
          params += tt.elements();
        } else {
          if (!ins.empty()) ins += ' ';
          ins += wl::shape_str(tt.shape);
        }
      }
      const auto& out = g.tensor(op.output);
      std::string kind(wl::name_of(op.kind));
      if (op.kind == wl::OpKind::Elementwise) kind += ":" + std::string(wl::name_of(op.as<wl::EltwiseAttrs>().fn));
      std::string name = fit(op.name, w);
      fmt::print("{:<{}} {:<15} {:<24} {:<20} {:>10} {:>10} {:>10}\n", name, w, kind, wl::shape_str(out.shape),
                 fit(ins, 20), human_count(double(op.macs)),
                 human_count(double(params)), human_count(double(out.bytes())));
    }
    std::int64_t in_bytes = 0;
    for (const auto& t : g.tensors())
      if (t.kind == wl::TensorKind::Input || t.kind == wl::TensorKind::KvCache) in_bytes += t.bytes();
    fmt::print("\ntotal: {} ops, {} MACs ({} exact), {} parameters ({} exact), weights {}, inputs and caches {}\n",
               g.ops().size(), human_count(double(g.total_macs())), g.total_macs(), human_count(double(g.total_params())),
               g.total_params(), human_bytes(double(g.total_params()) * bytes_of(g.dtype())), human_bytes(double(in_bytes)));
  });
}

}  // namespace npusim::cli
