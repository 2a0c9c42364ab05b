// Sweep specs: a design space over an architecture, the workloads to run on every design point,
// constraints that prune points before they run, and the objectives the analysis ranks by.
// Parsed from YAML with file:line:col in every error (docs/SWEEPS.md is the reference).
//
//   name: edge-array-spm
//   base: edge-npu                      # a preset, or an architecture file (relative to the spec)
//   set: {dram.bandwidth_gb_per_s: 16}  # fixed overrides of the base
//   engine: analytic                    # or systemc
//   axes:                               # the product of its entries
//     - {key: core.pe_array.rows, values: [8, 16, 32]}
//     - {key: core.scratchpad.size_kib, pow2: {from: 64, to: 1024}}
//     - zip:                            # entries of equal length, taken together
//         - {key: cores, values: [1, 2, 4]}
//         - {key: interconnect.mesh.rows, values: [1, 1, 2]}
//   constraints: ["area_mm2 <= 50"]
//   workloads: [{model: resnet50, batch: 1}]
//   objectives: [latency, energy, area]
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arch/arch_config.h"
#include "arch/raw_yaml.h"
#include "workloads/zoo.h"
#include "arch/schema.h"
#include "base/hash.h"
#include "compiler/mapper.h"
#include "configs/embedded.h"
#include "driver/driver.h"
#include "dse/expr.h"

namespace npusim::dse {

// Example specs (configs/sweeps/*.yaml), compiled in: `npusim sweep edge-array-spm` runs one.
std::span<const EmbeddedText> sweep_examples();
const EmbeddedText* find_sweep_example(std::string_view name);

// ---- the spec ----
struct Axis {
  std::string key;
  const arch::Field* field = nullptr;
  std::vector<std::string> values;  // as they will be passed as overrides
  SourceLoc loc;
};

struct AxisGroup {
  enum class Kind { Axis, Product, Zip };
  Kind kind = Kind::Product;
  Axis axis;                       // Kind::Axis
  std::vector<AxisGroup> members;  // Product, Zip
  SourceLoc loc;
  std::size_t size() const;  // number of assignments it yields
};

struct Workload {
  std::string model;
  std::int64_t batch = 1;
  std::int64_t seq = 0;          // 0 = the model's default
  std::optional<DType> dtype;    // empty = the architecture's default
  std::vector<workloads::InputShape> inputs;  // ONNX models: input shapes, `inputs: {input_ids: 1x128}`
  SourceLoc loc;
  // A serving workload (npusim serve-plan): serving::request_to_json() of the pool and its
  // requests, run on the point's architecture; null for a chip run of `model`.
  nlohmann::json serving;
  // A training workload (npusim train-plan, dse/train_plan.h): the system, the model and a group
  // of splits sharing their block shape, played on the point's chip; null otherwise.
  nlohmann::json training;
  // The stable key stored in the database: "resnet50/b1", "bert-base/b1/s128", ".../bf16",
  // "bert.onnx/b1/input_ids=1x128"; serving: "serve/llama2-70b/tp4/pp1/r3/<16 hex digits of the request>";
  // training: "train/gpt3-175b/tp8/mb1/<16 hex digits of the group>".
  std::string key() const;
};

struct SweepSpec {
  std::string name, description;
  std::string source;     // the spec's file name, or the example's file name
  std::string text;       // the spec as given
  std::string base;       // as written
  std::string base_text;  // the architecture text the points start from
  std::string base_source;
  std::vector<Override> fixed;  // `set:`
  driver::Engine engine = driver::Engine::SystemC;
  compiler::Objective mapper_objective = compiler::Objective::Latency;
  AxisGroup axes;                     // a product group
  std::vector<std::string> axis_keys; // every axis key, in spec order
  std::vector<Constraint> constraints;
  std::vector<Workload> workloads;
  std::vector<std::string> objectives;  // metric names (aliases resolved)

  std::string hash() const { return hex64(fnv1a64(text)); }
};

// Sets the spec's base architecture (base, base_text, base_source) to a preset or a readable
// file `arch`; throws Error naming `flag` otherwise.
void set_base_arch(SweepSpec& s, const std::string& arch, const std::string& flag);

// Parses a spec. `base_dir` resolves a relative base file or layer list. Throws ValidationError
// (file:line:col) for any problem: unknown keys, unknown key paths, empty ranges, zip groups of
// unequal length, values out of a key's range, unknown models, an invalid base.
SweepSpec parse_spec(std::string_view text, const std::string& source, const std::string& base_dir);
// A spec file, or an embedded example by name.
SweepSpec load_spec(const std::string& file_or_example);

// One design point: the overrides of its axes, in spec order.
struct Point {
  std::vector<Override> overrides;
  nlohmann::json values;  // {key: value} typed by the key's schema type
};
// The design space in a stable order (the first axis varies slowest).
std::vector<Point> expand(const SweepSpec& spec);

}  // namespace npusim::dse
