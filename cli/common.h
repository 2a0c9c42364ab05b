// Shared pieces of the npusim command line: resolving --arch and --model, output helpers.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "arch/raw_yaml.h"
#include "compiler/compile.h"
#include "workloads/zoo.h"

namespace npusim::cli {

// Options every command that compiles a model takes.
struct ModelOptions {
  std::string arch;  // preset name or YAML file; empty = the default preset
  std::vector<std::string> sets;  // --set key.path=value
  std::string model = "resnet50";
  std::int64_t batch = 1;
  std::int64_t seq = 0;
  std::string dtype;  // empty = the architecture's default datatype
  bool no_layer_fusion = false;
  std::string objective = "latency";
  std::string memory = "real";  // real | ideal (compiler::CompileOptions::ideal_memory)
};
void add_arch_options(CLI::App& app, ModelOptions& o);
void add_model_options(CLI::App& app, ModelOptions& o);

// Loads --arch (preset or file) with --set overrides applied. Throws Error / ValidationError.
arch::ArchConfigPtr load_arch_option(const std::string& arch, const std::vector<std::string>& sets);
// Reads a file, or throws Error("cannot read FILE: reason").
std::string read_file(const std::string& path);

struct LoadedModel {
  wl::Graph graph;
  std::int64_t tokens = 0;  // tokens processed per inference, for tokens/s
};
LoadedModel load_model_option(const ModelOptions& o, const arch::ArchConfig& arch);
compiler::CompiledModel compile_from_options(const ModelOptions& o);

// Throws Error("OPT V: expected one of A, B, C") unless `v` is one of `ok`.
void check_choice(const char* opt, const std::string& v, std::initializer_list<const char*> ok);
// Writes `text` to `p`, creating its parent folders; throws Error("cannot write 'P'").
void write_text_file(const std::filesystem::path& p, const std::string& text);

std::string human_bytes(double bytes);
std::string human_count(double n);  // 4.09G, 25.6M
// `s` cut to `width` characters, the last replaced by "~" when cut.
std::string fit(const std::string& s, std::size_t width);

}  // namespace npusim::cli
