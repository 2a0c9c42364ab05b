#include "driver/driver.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>

#include "arch/loader.h"
#include "arch/scalesim_cfg.h"
#include "base/error.h"
#include "base/files.h"
#include "configs/embedded.h"
#include "sim/simulate.h"
#include "validate/rtl/pe_timing_rtl.h"
#include "workloads/models/llm.h"
#include "workloads/zoo.h"

namespace npusim::driver {

std::string_view name_of(Engine e) { return e == Engine::Analytic ? "analytic" : "systemc"; }
std::string_view name_of(MemoryMode m) { return m == MemoryMode::Real ? "real" : "ideal"; }
std::string_view name_of(PeModel p) { return p == PeModel::Formula ? "formula" : "rtl"; }

Engine parse_engine(std::string_view what, std::string_view v) { return parse_choice(what, v, kEngines); }
MemoryMode parse_memory(std::string_view what, std::string_view v) { return parse_choice(what, v, kMemoryModes); }
PeModel parse_pe_model(std::string_view what, std::string_view v) { return parse_choice(what, v, kPeModels); }
compiler::Objective parse_objective(std::string_view what, std::string_view v) {
  using compiler::name_of;
  return parse_choice(what, v, kObjectives);
}

DType parse_operand_dtype(std::string_view what, std::string_view value) {
  auto d = npusim::parse_dtype(value);
  if (!d || *d == DType::Int32) {
    std::string list;
    for (DType t : kOperandDTypes) list += fmt::format("{}{}", list.empty() ? "" : ", ", npusim::name_of(t));
    throw Error(fmt::format("{} {}: unknown operand datatype ({})", what, value, list));
  }
  return *d;
}

arch::ArchConfigPtr load_arch(const std::string& arch, const std::vector<std::string>& sets) {
  std::vector<Override> ov;
  for (const auto& s : sets) ov.push_back(parse_override(s));
  const std::string name = arch.empty() ? std::string(kDefaultArchPreset) : arch;
  if (const EmbeddedText* p = find_arch_preset(name)) return arch::load_arch(p->text, p->file, ov);
  std::ifstream probe(name);
  if (!probe) {
    std::string presets;
    for (const auto& p : arch_presets()) presets += fmt::format("{}{}", presets.empty() ? "" : ", ", p.name);
    throw Error(fmt::format("unknown architecture '{}': not a preset ({}) nor a readable file", name, presets));
  }
  if (arch::is_scalesim_cfg(name))  // a SCALE-Sim configuration: its description in SCALE-Sim's setting
    return arch::load_arch(arch::scalesim_cfg_to_yaml(read_file(name), name), name + " (as npusim YAML)", ov);
  return arch::load_arch(read_file(name), name, ov);
}

LoadedModel load_model(const ModelSpec& s, const arch::ArchConfig& arch) {
  workloads::ModelParams p;
  p.batch = s.batch;
  p.seq = s.seq;
  p.dtype = s.dtype.value_or(arch.datatypes.default_dtype);
  p.inputs = s.inputs;
  LoadedModel m{workloads::load_model(s.model, p), 0};
  if (const workloads::ModelInfo* info = workloads::find_model(s.model); info && info->uses_seq) {
    const std::int64_t seq = s.seq > 0 ? s.seq : info->default_seq;
    // decode models process one new token per sequence; the others every token
    m.tokens = s.model.find("decode") != std::string::npos ? s.batch : s.batch * seq;
  } else if (auto llm = workloads::resolve_llm(s.model)) {
    m.tokens = s.batch * (s.seq > 0 ? s.seq : llm->seq);
  }
  return m;
}

compiler::CompileOptions compile_options(const CompileRequest& r) {
  compiler::CompileOptions co;
  co.inter_layer_reuse = r.inter_layer_reuse;
  co.objective = r.objective;
  co.ideal_memory = r.memory == MemoryMode::Ideal;
  return co;
}

compiler::CompiledModel compile(LoadedModel m, arch::ArchConfigPtr arch, const compiler::CompileOptions& o,
                                std::int64_t batch, compiler::MappingCache* mappings) {
  return compiler::compile(std::move(m.graph), std::move(arch), o, batch, m.tokens, mappings);
}

compiler::CompiledModel compile(const CompileRequest& r) {
  auto arch = load_arch(r.arch, r.sets);
  LoadedModel m = load_model(r.model, *arch);
  return compile(std::move(m), std::move(arch), compile_options(r), r.model.batch);
}

std::shared_ptr<const sim::PeTimingModel> pe_timing(PeModel p) {
  switch (p) {
    case PeModel::Formula: return sim::formula_pe_timing();
    case PeModel::Rtl: return validate::rtl::rtl_pe_timing();
  }
  throw Error("unknown PE model");
}

DType training_dtype(const arch::ArchConfig& arch, std::optional<DType> asked) {
  auto floating = [](DType t) { return t == DType::Bf16 || t == DType::Fp16 || t == DType::Fp32; };
  if (asked) {
    if (!floating(*asked))
      throw Error(fmt::format("--dtype {}: training computes in bf16, fp16 or fp32", npusim::name_of(*asked)));
    return *asked;
  }
  if (floating(arch.datatypes.default_dtype)) return arch.datatypes.default_dtype;
  for (DType t : {DType::Bf16, DType::Fp16, DType::Fp32})
    if (arch.datatypes.supports(t)) return t;
  throw Error(fmt::format("--mode train: architecture '{}' supports no floating-point datatype (bf16, fp16, fp32 all "
                          "have datatypes.macs_per_pe_per_cycle 0); use e.g. --arch dc-npu",
                          arch.name));
}

workloads::Recompute parse_recompute(std::string_view what, std::string_view v) {
  return parse_choice(what, v, workloads::kRecomputes);
}
workloads::OptimizerKind parse_optimizer(std::string_view what, std::string_view v) {
  return parse_choice(what, v, workloads::kOptimizers);
}

CompiledTraining compile_training(const CompileRequest& r, const workloads::TrainingOptions& o) {
  auto arch = load_arch(r.arch, r.sets);
  ModelSpec spec = r.model;
  spec.dtype = training_dtype(*arch, spec.dtype);
  LoadedModel m = load_model(spec, *arch);
  workloads::TrainingGraph tg = workloads::make_training_graph(m.graph, o);
  m.graph = std::move(tg.graph);
  return CompiledTraining{compile(std::move(m), std::move(arch), compile_options(r), r.model.batch), std::move(tg.phase),
                          tg.figures, o.micro_batches};
}

workloads::PhaseSeconds phase_seconds(const CompiledTraining& t, const compiler::RunResult& r) {
  workloads::PhaseSeconds s;
  const double hz = t.model.arch->clock_mhz * 1e6;
  for (std::size_t i = 0; i < r.layers.size() && i < t.model.layers.size(); ++i) {
    const double sec = double(r.layers[i].cycles) / hz;
    switch (t.phase.at(static_cast<std::size_t>(t.model.layers[i].layer.graph_ops.front()))) {
      case workloads::Phase::Forward: s.forward += sec; break;
      case workloads::Phase::Recompute: s.recompute += sec; break;
      case workloads::Phase::Backward: s.backward += sec; break;
      case workloads::Phase::Optimizer: s.optimizer += sec; break;
    }
  }
  return s;
}

compiler::RunResult run(const compiler::CompiledModel& cm, const RunOptions& o) {
  if (o.engine == Engine::Analytic) {
    if (!o.trace.empty()) throw Error("--trace: the analytic engine has no timeline; use --engine systemc");
    if (o.pe_model == PeModel::Rtl) throw Error("--pe-model rtl: the RTL runs inside the SystemC engine; use --engine systemc");
    return compiler::analytic_result(cm);
  }
  if (cm.options.ideal_memory)
    throw Error("--memory ideal: an analysis of the analytic engine (the SystemC model has real memories); add "
                "--engine analytic");
  if (o.pe_model == PeModel::Rtl) {
    if (o.in_this_process) throw Error("--pe-model rtl: runs two simulations, each in a child process of its own");
    std::string summary;
    return run_rtl_checked(cm, o.trace, summary);
  }
  sim::SimOptions so;
  so.trace_path = o.trace;
  return o.in_this_process ? sim::simulate_in_process(cm, so) : sim::simulate(cm, so);
}

compiler::RunResult run_rtl_checked(const compiler::CompiledModel& cm, const std::string& trace, std::string& summary) {
  if (cm.ctx.dtype != DType::Int8)
    throw Error(fmt::format("--pe-model rtl: the RTL array computes int8 operands, the run uses {}; add --dtype int8",
                            npusim::name_of(cm.ctx.dtype)));
  const auto rtl = pe_timing(PeModel::Rtl);
  rtl->check(cm.ctx.pe);
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const compiler::RunResult ref = sim::simulate(cm);
  const auto t1 = clock::now();
  sim::SimOptions o;
  o.pe_timing = rtl;
  o.trace_path = trace;
  compiler::RunResult r = sim::simulate(cm, o);
  const auto t2 = clock::now();
  const double w_formula = std::chrono::duration<double>(t1 - t0).count();
  const double w_rtl = std::chrono::duration<double>(t2 - t1).count();
  std::size_t differ = 0;
  for (std::size_t i = 0; i < r.layers.size() && i < ref.layers.size(); ++i)
    differ += r.layers[i].cycles != ref.layers[i].cycles || r.layers[i].compute_cycles != ref.layers[i].compute_cycles;
  const bool equal = differ == 0 && r.total_cycles == ref.total_cycles;
  const auto& pe = cm.arch->core.pe_array;
  summary = fmt::format(
      "PE model rtl: {} compute tiles ran on the verilated {}x{} {} array ({} array cycles), results equal to the "
      "reference GEMM; total cycles {} {} the timing formula's {}{}; wall {:.3f} s against {:.3f} s: slowdown {:.1f}x\n",
      r.rtl_tiles, pe.rows, pe.cols, arch::name_of(pe.dataflow), r.rtl_cycles, r.total_cycles,
      equal ? "equal to" : "DIFFER from", ref.total_cycles,
      equal ? "" : fmt::format(" ({} layers differ)", differ), w_rtl, w_formula, w_formula > 0 ? w_rtl / w_formula : 0.0);
  if (!equal)
    throw Error("--pe-model rtl: the RTL's cycles differ from the timing formula's: " + summary.substr(0, summary.size() - 1));
  return r;
}

}  // namespace npusim::driver
