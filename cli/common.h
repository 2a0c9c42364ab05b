// Shared pieces of the npusim command line: the options every compiling command takes, parsed
// into the driver's typed request.
#pragma once

#include <CLI/CLI.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "driver/driver.h"
#include "report/format.h"

namespace npusim::cli {

using report::fit;
using report::human_bytes;
using report::human_count;

// What the command line gives for an architecture and a model, as typed.
struct ModelOptions {
  std::string arch;  // preset name or YAML file; empty = the default preset
  std::vector<std::string> sets;  // --set key.path=value
  std::string model = "resnet50";
  std::int64_t batch = 1;
  std::int64_t seq = 0;
  std::string dtype;  // empty = the architecture's default datatype
  std::vector<std::string> inputs;  // --input NAME=1x3x224x224 (ONNX models)
  bool no_layer_fusion = false;
  std::string objective = "latency";
  std::string memory = "real";
};
void add_arch_options(CLI::App& app, ModelOptions& o);
void add_model_options(CLI::App& app, ModelOptions& o);
// Prints the notes a model carries (e.g. ops an importer could not map) to stderr, one line each.
void print_model_warnings(const workloads::Graph& g);
// --input NAME=DxD... options, parsed.
std::vector<workloads::InputShape> parse_inputs(const std::vector<std::string>& texts);

// The driver's request for these options (names parsed into enums; throws Error naming the option).
driver::ModelSpec model_spec(const ModelOptions& o);
driver::CompileRequest compile_request(const ModelOptions& o);

// Throws Error("OPT V: expected one of A, B, C") unless `v` is one of `ok`.
void check_choice(const char* opt, const std::string& v, std::initializer_list<const char*> ok);

}  // namespace npusim::cli
