// npusim run / npusim compile: compile a model for an architecture, run it on an engine, report.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

#include "base/error.h"
#include "arch/loader.h"
#include "base/files.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "report/tables.h"
#include "compiler/schedule.h"

namespace npusim::cli {

namespace {

struct RunOptions {
  ModelOptions m;
  std::string mode = "infer";
  std::string optimizer = "adamw";
  std::string recompute = "none";
  std::int64_t micro_batches = 1;
  std::string format = "table";
  std::string out_dir;
  std::string engine = "systemc";
  std::string trace;
  std::string pe_model = "formula";
};

}  // namespace

void emit(const compiler::RunResult& r, const std::string& format, const std::string& out_dir) {
  if (format == "json")
    fmt::print("{}\n", compiler::to_json(r).dump(2));
  else if (format == "csv")
    fmt::print("{}", report::csv_report(r));
  else if (format == "table")
    fmt::print("{}", report::table_report(r));
  if (!out_dir.empty()) {
    std::filesystem::create_directories(out_dir);
    const std::filesystem::path d(out_dir);
    write_text_file(d / "results.json", compiler::to_json(r).dump(2) + "\n");
    write_text_file(d / "layers.csv", report::csv_report(r));
    write_text_file(d / "stats.csv", report::stats_csv(r));
    write_text_file(d / "config.yaml", arch::to_yaml(*r.arch));
  }
}

// A training step: the run of its graph, then the time of each phase.
void emit_training(const compiler::RunResult& r, const workloads::PhaseSeconds& p, const driver::CompiledTraining& t,
                   const std::string& format, const std::string& out_dir) {
  const nlohmann::json training = {{"forward_seconds", p.forward},
                                   {"recompute_seconds", p.recompute},
                                   {"backward_seconds", p.backward},
                                   {"optimizer_seconds", p.optimizer},
                                   {"micro_batches", t.micro_batches},
                                   {"step_seconds", p.step(t.micro_batches)},
                                   {"trained_params", t.info.params},
                                   {"saved_activation_bytes", t.info.saved_bytes}};
  if (format == "json") {
    nlohmann::json j = compiler::to_json(r);
    j["training"] = training;
    fmt::print("{}\n", j.dump(2));
  } else {
    emit(r, format, "");
    if (format == "table")
      fmt::print("\ntraining step ({} micro-batch{} of batch {}, {} parameters trained): forward {}, recompute {}, "
                 "backward {}, optimizer {}; step {}\n",
                 t.micro_batches, t.micro_batches == 1 ? "" : "es", r.batch, human_count(double(t.info.params)),
                 report::human_seconds(p.forward), report::human_seconds(p.recompute),
                 report::human_seconds(p.backward), report::human_seconds(p.optimizer),
                 report::human_seconds(p.step(t.micro_batches)));
  }
  if (!out_dir.empty()) {
    emit(r, "none", out_dir);
    write_text_file(std::filesystem::path(out_dir) / "training.json", training.dump(2) + "\n");
  }
}

void register_run_commands(CLI::App& app) {
  auto ro = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Run a model on an architecture and report (the main job)");
  add_arch_options(*run, ro->m);
  add_model_options(*run, ro->m);
  run->add_option("--engine", ro->engine,
                  "Timing engine: systemc (the cycle-approximate model executing the Schedule), analytic, or both "
                  "(the two side by side, with the analytic model's error)")
      ->capture_default_str();
  run->add_option("--format", ro->format, "Output: table, json or csv")->capture_default_str();
  run->add_option("--pe-model", ro->pe_model,
                  "What times the PE array in the SystemC engine: formula (the timing formula), or rtl (every compute "
                  "tile runs on the verilated RTL array, int8, verilated sizes only; the run is repeated with the "
                  "formula, the cycles compared and the slowdown reported)")
      ->capture_default_str();
  run->add_option("--trace", ro->trace,
                  "With --engine systemc: write a timeline of every command (Chrome trace format, open in "
                  "ui.perfetto.dev) to this file");
  run->add_option("--mode", ro->mode,
                  "infer (the model's forward pass), or train: one training step on this chip (forward, backward, "
                  "optimizer; a floating-point datatype), with the time of each phase")
      ->capture_default_str();
  run->add_option("--optimizer", ro->optimizer, "With --mode train: sgd, adam or adamw")->capture_default_str();
  run->add_option("--recompute", ro->recompute, "With --mode train: activation recomputation none, selective or full")
      ->capture_default_str();
  run->add_option("--micro-batches", ro->micro_batches,
                  "With --mode train: micro-batches of --batch accumulated per optimizer step")
      ->capture_default_str();
  run->add_option("--out", ro->out_dir,
                  "Also write results.json, layers.csv, stats.csv (every statistic with its unit) and config.yaml here");
  run->callback([ro] {
    check_choice("--format", ro->format, {"table", "json", "csv"});
    check_choice("--engine", ro->engine, {"systemc", "analytic", "both"});
    driver::RunOptions o;
    o.pe_model = driver::parse_pe_model("--pe-model", ro->pe_model);
    o.trace = ro->trace;
    const bool both = ro->engine == "both";
    o.engine = both ? driver::Engine::SystemC : driver::parse_engine("--engine", ro->engine);
    const driver::CompileRequest req = compile_request(ro->m);
    check_choice("--mode", ro->mode, {"infer", "train"});
    if (ro->mode == "train") {
      if (both) throw Error("--mode train: choose one engine (--engine analytic or --engine systemc)");
      workloads::TrainingOptions to;
      to.optimizer = driver::parse_optimizer("--optimizer", ro->optimizer);
      to.recompute = driver::parse_recompute("--recompute", ro->recompute);
      if (ro->micro_batches < 1) throw Error(fmt::format("--micro-batches {}: must be >= 1", ro->micro_batches));
      to.micro_batches = ro->micro_batches;
      const driver::CompiledTraining t = driver::compile_training(req, to);
      const compiler::RunResult r = driver::run(t.model, o);
      emit_training(r, driver::phase_seconds(t, r), t, ro->format, ro->out_dir);
      return;
    }
    if (req.memory == driver::MemoryMode::Ideal && o.engine != driver::Engine::Analytic)
      throw Error("--memory ideal: an analysis of the analytic engine (the SystemC model has real memories); add "
                  "--engine analytic");
    if (o.pe_model == driver::PeModel::Rtl && (both || o.engine != driver::Engine::SystemC))
      throw Error("--pe-model rtl: the RTL runs inside the SystemC engine; use --engine systemc");
    auto cm = driver::compile(req);
    print_model_warnings(cm.graph);
    if (o.pe_model == driver::PeModel::Rtl) {
      std::string summary;
      const compiler::RunResult r = driver::run_rtl_checked(cm, ro->trace, summary);
      emit(r, ro->format, ro->out_dir);
      if (ro->format == "table")
        fmt::print("\n{}", summary);
      else
        fmt::print(stderr, "{}", summary);
      return;
    }
    if (both) {
      check_choice("--format", ro->format, {"table", "json"});
      const auto a = driver::run(cm, driver::run_options(driver::Engine::Analytic));
      const auto s = driver::run(cm, o);
      if (ro->format == "json")
        fmt::print("{}\n", nlohmann::json{{"analytic", compiler::to_json(a)},
                                          {"systemc", compiler::to_json(s)},
                                          {"comparison", report::comparison_json(a, s)}}
                               .dump(2));
      else
        fmt::print("{}", report::comparison_report(a, s));
      if (!ro->out_dir.empty()) emit(s, "none", ro->out_dir);
      return;
    }
    emit(driver::run(cm, o), ro->format, ro->out_dir);
  });

  struct CompileOptions {
    ModelOptions m;
    std::string format = "table";
    bool dump = false;
    std::string layer;
  };
  auto co = std::make_shared<CompileOptions>();
  CLI::App* comp = app.add_subcommand("compile", "Map a model: its tiling per layer, the analytic estimate, the Schedule");
  add_arch_options(*comp, co->m);
  add_model_options(*comp, co->m);
  comp->add_option("--format", co->format, "Output: table or json")->capture_default_str();
  comp->add_flag("--dump", co->dump, "Print the Schedule: every command of every core, with its dependencies");
  comp->add_option("--layer", co->layer, "With --dump: only this layer");
  comp->callback([co] {
    check_choice("--format", co->format, {"table", "json"});
    auto cm = driver::compile(compile_request(co->m));
    print_model_warnings(cm.graph);
    if (co->dump && cm.options.ideal_memory) throw Error("--dump: with --memory ideal there is no Schedule");
    if (co->dump) {
      const auto addr = compiler::dram_layout(cm);
      bool found = co->layer.empty();
      for (std::size_t i = 0; i < cm.layers.size(); ++i) {
        if (!co->layer.empty() && cm.layers[i].layer.name != co->layer) continue;
        found = true;
        fmt::print("{}\n", compiler::dump(cm, compiler::schedule_layer(cm, i, addr)));
      }
      if (!found) throw Error(fmt::format("--layer {}: no such layer in model '{}'", co->layer, cm.graph.name()));
      return;
    }
    if (co->format == "json") {
      fmt::print("{}\n", compiler::to_json(compiler::analytic_result(cm)).dump(2));
      return;
    }
    fmt::print("{} on {}: {} layers\n\n", cm.graph.name(), cm.arch->name, cm.layers.size());
    for (std::size_t i = 0; i < cm.layers.size(); ++i) {
      const auto& l = cm.layers[i];
      std::string shape = l.layer.cls == compiler::LayerClass::Gemm
                              ? fmt::format("G{} M{} N{} K{}", l.layer.G, l.layer.M, l.layer.N, l.layer.K)
                              : fmt::format("{} rows x {}", l.layer.rows, l.layer.row_elems);
      fmt::print("{:>3} {:<32} {:<14} {:<26} {}\n", i, l.layer.name, workloads::name_of(l.layer.op), shape, l.mapping.str());
    }
  });
}

}  // namespace npusim::cli
