#include "cli/common.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "arch/error.h"
#include "arch/loader.h"
#include "arch/scalesim_cfg.h"
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
  app.add_option("--model", o.model, "Model: a zoo name (npusim models), a SCALE-Sim CSV file, or gemm:M,N,K")
      ->capture_default_str();
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

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

arch::ArchConfigPtr load_arch_option(const std::string& arch, const std::vector<std::string>& sets) {
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

LoadedModel load_model_option(const ModelOptions& o, const arch::ArchConfig& arch) {
  wl::ModelParams p;
  p.batch = o.batch;
  p.seq = o.seq;
  p.dtype = arch.datatypes.default_dtype;
  if (!o.dtype.empty()) {
    auto d = parse_dtype(o.dtype);
    if (!d || *d == DType::Int32)
      throw Error(fmt::format("--dtype {}: unknown operand datatype (int8, int16, fp8, bf16, fp16, fp32, tf32)", o.dtype));
    p.dtype = *d;
  }
  LoadedModel m{wl::load_model(o.model, p), 0};
  if (const wl::ModelInfo* info = wl::find_model(o.model); info && info->uses_seq) {
    const std::int64_t seq = o.seq > 0 ? o.seq : info->default_seq;
    // decode models process one new token per sequence; the others every token
    m.tokens = o.model.find("decode") != std::string::npos ? o.batch : o.batch * seq;
  }
  return m;
}

compiler::CompiledModel compile_from_options(const ModelOptions& o) {
  auto arch = load_arch_option(o.arch, o.sets);
  LoadedModel m = load_model_option(o, *arch);
  compiler::CompileOptions co;
  co.inter_layer_reuse = !o.no_layer_fusion;
  auto obj = compiler::parse_objective(o.objective);
  if (!obj) throw Error(fmt::format("--objective {}: expected latency, energy, edp or dram", o.objective));
  co.objective = *obj;
  if (o.memory != "real" && o.memory != "ideal") throw Error(fmt::format("--memory {}: expected real or ideal", o.memory));
  co.ideal_memory = o.memory == "ideal";
  return compiler::compile(std::move(m.graph), arch, co, o.batch, m.tokens);
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024.0 && u < 4) b /= 1024.0, ++u;
  return u == 0 ? fmt::format("{:.0f} B", b) : fmt::format("{:.1f} {}", b, units[u]);
}

std::string human_count(double n) {
  const char* units[] = {"", "K", "M", "G", "T", "P"};
  int u = 0;
  while (std::abs(n) >= 1000.0 && u < 5) n /= 1000.0, ++u;
  return u == 0 ? fmt::format("{:.0f}", n) : fmt::format("{:.2f}{}", n, units[u]);
}

std::string fit(const std::string& s, std::size_t width) {
  if (s.size() <= width || width == 0) return s;
  std::string out(s, 0, width - 1);
  out.push_back('~');
  return out;
}

void check_choice(const char* opt, const std::string& v, std::initializer_list<const char*> ok) {
  std::string list;
  for (const char* x : ok) {
    if (v == x) return;
    list += fmt::format("{}{}", list.empty() ? "" : ", ", x);
  }
  throw Error(fmt::format("{} {}: expected one of {}", opt, v, list));
}

void write_text_file(const std::filesystem::path& p, const std::string& text) {
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  if (!f) throw Error(fmt::format("cannot write '{}'", p.string()));
  f << text;
  if (!f) throw Error(fmt::format("cannot write '{}'", p.string()));
}

}  // namespace npusim::cli
