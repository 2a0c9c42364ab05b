// npusim run / npusim compile: compile a model for an architecture and report the estimate.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "arch/error.h"
#include "arch/loader.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/report.h"
#include "compiler/schedule.h"

namespace npusim::cli {

namespace {

struct RunOptions {
  ModelOptions m;
  std::string format = "table";
  std::string out_dir;
  std::string engine = "analytic";
};

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  if (!f) throw Error(fmt::format("cannot write '{}'", p.string()));
  f << text;
}

void emit(const compiler::CompiledModel& cm, const RunOptions& o) {
  if (o.format == "json")
    fmt::print("{}\n", model_json(cm, o.engine).dump(2));
  else if (o.format == "csv")
    fmt::print("{}", csv_report(cm));
  else
    fmt::print("{}", table_report(cm, o.engine));
  if (!o.out_dir.empty()) {
    std::filesystem::create_directories(o.out_dir);
    const std::filesystem::path d(o.out_dir);
    write_file(d / "results.json", model_json(cm, o.engine).dump(2) + "\n");
    write_file(d / "layers.csv", csv_report(cm));
    write_file(d / "config.yaml", arch::to_yaml(*cm.arch));
  }
}

void check_format(const std::string& f, std::initializer_list<const char*> ok) {
  for (const char* x : ok)
    if (f == x) return;
  throw Error(fmt::format("--format {}: expected one of table, json, csv", f));
}

}  // namespace

void register_run_commands(CLI::App& app) {
  auto ro = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Estimate a model on an architecture (the main job)");
  add_arch_options(*run, ro->m);
  add_model_options(*run, ro->m);
  run->add_option("--engine", ro->engine, "Timing engine: analytic")->capture_default_str();
  run->add_option("--format", ro->format, "Output: table, json or csv")->capture_default_str();
  run->add_option("--out", ro->out_dir, "Also write results.json, layers.csv and config.yaml to this directory");
  run->callback([ro] {
    check_format(ro->format, {"table", "json", "csv"});
    if (ro->engine != "analytic")
      throw Error(fmt::format("--engine {}: this build has the analytic engine only", ro->engine));
    emit(compile_from_options(ro->m), *ro);
  });

  struct CompileOptions {
    ModelOptions m;
    std::string format = "table";
    bool dump = false;
    std::string layer;
  };
  auto co = std::make_shared<CompileOptions>();
  CLI::App* comp = app.add_subcommand("compile", "Map a model and show its tiling and Schedule");
  add_arch_options(*comp, co->m);
  add_model_options(*comp, co->m);
  comp->add_option("--format", co->format, "Output: table or json")->capture_default_str();
  comp->add_flag("--dump", co->dump, "Print the Schedule: every command of every core, with its dependencies");
  comp->add_option("--layer", co->layer, "With --dump: only this layer");
  comp->callback([co] {
    check_format(co->format, {"table", "json"});
    auto cm = compile_from_options(co->m);
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
      fmt::print("{}\n", model_json(cm, "analytic").dump(2));
      return;
    }
    fmt::print("{} on {}: {} layers\n\n", cm.graph.name(), cm.arch->name, cm.layers.size());
    for (std::size_t i = 0; i < cm.layers.size(); ++i) {
      const auto& l = cm.layers[i];
      std::string shape = l.layer.cls == compiler::LayerClass::Gemm
                              ? fmt::format("G{} M{} N{} K{}", l.layer.G, l.layer.M, l.layer.N, l.layer.K)
                              : fmt::format("{} rows x {}", l.layer.rows, l.layer.row_elems);
      fmt::print("{:>3} {:<32} {:<14} {:<26} {}\n", i, l.layer.name, wl::name_of(l.layer.op), shape, l.mapping.str());
    }
  });
}

}  // namespace npusim::cli
