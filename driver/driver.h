// The driver: from what a user asked for (an architecture, a model, options) to a compiled model
// and a run on one engine. The command line, the design-space exploration and, later, the
// multi-chip and serving models all start runs through here; the closed sets they choose from
// are enums, parsed from their names at the edge (parse_choice).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arch/arch_config.h"
#include "base/dtype.h"
#include "base/error.h"
#include "compiler/compile.h"
#include "compiler/mapper.h"
#include "compiler/results.h"
#include "sim/pe_timing_model.h"
#include "workloads/graph.h"
#include "workloads/zoo.h"
#include "workloads/training.h"

namespace npusim::driver {

// Which engine times a compiled model.
enum class Engine : std::uint8_t { Analytic, SystemC };
// Real memories, or the analytic engine's ideal-memory analysis (compiler::CompileOptions).
enum class MemoryMode : std::uint8_t { Real, Ideal };
// What times the PE array inside the SystemC engine: the timing formula, or the verilated RTL.
enum class PeModel : std::uint8_t { Formula, Rtl };

inline constexpr std::array<Engine, 2> kEngines = {Engine::Analytic, Engine::SystemC};
inline constexpr std::array<MemoryMode, 2> kMemoryModes = {MemoryMode::Real, MemoryMode::Ideal};
inline constexpr std::array<PeModel, 2> kPeModels = {PeModel::Formula, PeModel::Rtl};
inline constexpr std::array<compiler::Objective, 4> kObjectives = {
    compiler::Objective::Latency, compiler::Objective::Energy, compiler::Objective::Edp, compiler::Objective::Dram};

std::string_view name_of(Engine e);      // "analytic", "systemc"
std::string_view name_of(MemoryMode m);  // "real", "ideal"
std::string_view name_of(PeModel p);     // "formula", "rtl"

// The enum value named `value` (name_of), or nullopt.
template <class E, std::size_t N>
std::optional<E> find_choice(std::string_view value, const std::array<E, N>& all) {
  for (E e : all)
    if (name_of(e) == value) return e;
  return std::nullopt;
}
// "A, B, C": the names of `all`, for messages.
template <class E, std::size_t N>
std::string choice_list(const std::array<E, N>& all) {
  std::string list;
  for (E e : all) list += std::string(list.empty() ? "" : ", ") + std::string(name_of(e));
  return list;
}
// The enum value named `value`, or throws Error("WHAT VALUE: expected one of A, B, C").
template <class E, std::size_t N>
E parse_choice(std::string_view what, std::string_view value, const std::array<E, N>& all) {
  if (auto e = find_choice(value, all)) return *e;
  throw Error(std::string(what) + " " + std::string(value) + ": expected one of " + choice_list(all));
}
Engine parse_engine(std::string_view what, std::string_view value);
MemoryMode parse_memory(std::string_view what, std::string_view value);
PeModel parse_pe_model(std::string_view what, std::string_view value);
compiler::Objective parse_objective(std::string_view what, std::string_view value);
// An operand datatype (int32 is an accumulator type only).
DType parse_operand_dtype(std::string_view what, std::string_view value);

// ---- architecture ----
// A preset name, a YAML file or a SCALE-Sim .cfg, with `--set key.path=value` overrides; empty =
// the default preset. Throws Error / ValidationError.
arch::ArchConfigPtr load_arch(const std::string& arch, const std::vector<std::string>& sets = {});

// ---- model ----
struct ModelSpec {
  std::string model = "resnet50";  // zoo name, ONNX file, layer-list CSV, gemm:M,N,K
  std::int64_t batch = 1;
  std::int64_t seq = 0;            // 0 = the model's default
  std::optional<DType> dtype;      // empty = the architecture's datatypes.default
  std::vector<workloads::InputShape> inputs;  // ONNX models: input shapes (--input NAME=1x3x224x224)
};
struct LoadedModel {
  workloads::Graph graph;
  std::int64_t tokens = 0;  // tokens processed per inference, for tokens/s
};
LoadedModel load_model(const ModelSpec& spec, const arch::ArchConfig& arch);

// ---- compile ----
struct CompileRequest {
  std::string arch;               // as load_arch
  std::vector<std::string> sets;  // --set overrides
  ModelSpec model;
  bool inter_layer_reuse = true;
  compiler::Objective objective = compiler::Objective::Latency;
  MemoryMode memory = MemoryMode::Real;
};
compiler::CompileOptions compile_options(const CompileRequest& r);
compiler::CompiledModel compile(const CompileRequest& r);
// A model already loaded, on an architecture already validated; `mappings`: searches remembered
// across compiles (compiler/mapping_cache.h), the same result with or without.
compiler::CompiledModel compile(LoadedModel m, arch::ArchConfigPtr arch, const compiler::CompileOptions& o,
                                std::int64_t batch, compiler::MappingCache* mappings = nullptr);

// ---- training on one chip ----
// The datatype a training run computes in: `asked`, or the architecture's default when it is a
// floating-point type, else the first of bf16, fp16, fp32 the PE supports. Throws Error when the
// architecture supports none.
DType training_dtype(const arch::ArchConfig& arch, std::optional<DType> asked);
workloads::Recompute parse_recompute(std::string_view what, std::string_view value);
workloads::OptimizerKind parse_optimizer(std::string_view what, std::string_view value);

struct CompiledTraining {
  compiler::CompiledModel model;     // the training graph, compiled
  std::vector<workloads::Phase> phase;  // of each op of model.graph
  workloads::TrainingFigures info;
  std::int64_t micro_batches = 1;
};
// The model of `r` turned into one training step (workloads/training.h) and compiled.
CompiledTraining compile_training(const CompileRequest& r, const workloads::TrainingOptions& o);
// Seconds per phase of a run of the training graph: each layer counts for the phase of its
// first op.
workloads::PhaseSeconds phase_seconds(const CompiledTraining& t, const compiler::RunResult& r);

// ---- run ----
struct RunOptions {
  Engine engine = Engine::SystemC;
  PeModel pe_model = PeModel::Formula;  // SystemC only
  std::string trace;                    // SystemC only: a Chrome-trace timeline to this file
  // SystemC only: simulate in this process (sim::simulate_in_process) instead of a child of its
  // own; for a process that is itself a fresh child (a sweep's worker) and runs one simulation.
  bool in_this_process = false;
};
inline RunOptions run_options(Engine e) {
  RunOptions o;
  o.engine = e;
  return o;
}
// The variant of the SystemC model's PE-array timing that `p` names (sim/pe_timing_model.h).
std::shared_ptr<const sim::PeTimingModel> pe_timing(PeModel p);
// Throws Error when the options do not apply to the engine (a trace or the RTL with the
// analytic engine, ideal memory with the SystemC engine).
compiler::RunResult run(const compiler::CompiledModel& cm, const RunOptions& o);

// With PeModel::Rtl: the run with every compute tile on the verilated PE array, beside the same
// run with the timing formula. `summary` says what ran, whether the cycles are equal and the
// slowdown; throws Error when they differ.
compiler::RunResult run_rtl_checked(const compiler::CompiledModel& cm, const std::string& trace, std::string& summary);

}  // namespace npusim::driver
