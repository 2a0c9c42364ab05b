#include "arch/scalesim_cfg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "base/error.h"

namespace npusim::arch {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct Entry {
  std::string value;
  int line = 0;
};

// Keys of SCALE-Sim's sections that npusim reads, and those it accepts without modelling them.
const std::map<std::string, std::set<std::string>, std::less<>>& used_keys() {
  static const std::map<std::string, std::set<std::string>, std::less<>> k = {
      {"general", {"run_name"}},
      {"architecture_presets",
       {"arrayheight", "arraywidth", "ifmapsramszkb", "filtersramszkb", "ofmapsramszkb", "dataflow", "bandwidth",
        "memorybanks"}},
      {"run_presets", {"interfacebandwidth"}},
      {"sparsity", {"sparsitysupport"}},
  };
  return k;
}
const std::map<std::string, std::set<std::string>, std::less<>>& ignored_keys() {
  static const std::map<std::string, std::set<std::string>, std::less<>> k = {
      {"architecture_presets",
       {"ifmapoffset", "filteroffset", "ofmapoffset", "onchipmemorybanks", "onchipmemorybankports",
        "ifmapcustomlayout", "filtercustomlayout", "ifmapsrambankbandwidth", "ifmapsrambanknum",
        "filtersrambankbandwidth", "filtersrambanknum", "ifmapsrambankport", "filtersrambankport"}},
      {"run_presets", {"sram_row_size", "sram_bank_size", "dram_row_size", "dram_bank_size", "usememory"}},
      {"sparsity", {"sparserep", "optimizedmapping", "blocksize", "randomnumbergeneratorseed"}},
      {"network_presets", {"topologycsvloc"}},
  };
  return k;
}
// sections whose keys all describe what npusim does not model (SCALE-Sim v3's data layouts)
bool ignored_section(std::string_view s) { return s == "layout"; }

class Cfg {
 public:
  Cfg(std::string_view text, std::string file) : file_(std::move(file)) { parse(text); }

  const Entry* get(std::string_view section, std::string_view key) const {
    auto it = values_.find(std::string(section) + "." + std::string(key));
    return it == values_.end() ? nullptr : &it->second;
  }
  std::int64_t positive(std::string_view section, std::string_view key, std::string_view shown,
                        std::optional<std::int64_t> dflt = std::nullopt) const {
    const Entry* e = get(section, key);
    if (!e) {
      if (dflt) return *dflt;
      throw Error(fmt::format("{}: [{}] {}: missing (SCALE-Sim requires it)", file_, section, shown));
    }
    std::int64_t v = 0;
    const char* b = e->value.data();
    const char* end = b + e->value.size();
    auto [p, ec] = std::from_chars(b, end, v);
    if (ec != std::errc() || p != end)
      throw Error(fmt::format("{}:{}: {}: expected a positive integer, got '{}'", file_, e->line, shown, e->value));
    if (v < 1 || v > (1LL << 30))
      throw Error(fmt::format("{}:{}: {}: must be >= 1 and <= 2^30, got {}", file_, e->line, shown, v));
    return v;
  }
  const std::vector<std::string>& ignored() const { return ignored_; }
  const std::string& file() const { return file_; }

 private:
  void parse(std::string_view text) {
    std::string section;
    int line_no = 0;
    while (!text.empty()) {
      const std::size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
      ++line_no;
      line = trim(line);
      if (line.empty() || line.front() == '#' || line.front() == ';') continue;
      if (line.front() == '[') {
        if (line.back() != ']') throw Error(fmt::format("{}:{}: malformed section header '{}'", file_, line_no, line));
        section = lower(trim(line.substr(1, line.size() - 2)));
        if (!used_keys().contains(section) && !ignored_keys().contains(section) && !ignored_section(section))
          throw Error(fmt::format("{}:{}: unknown section [{}] (SCALE-Sim has [general], [architecture_presets], "
                                  "[run_presets], [sparsity], [layout], [network_presets])",
                                  file_, line_no, section));
        continue;
      }
      const std::size_t sep = line.find_first_of(":=");
      if (sep == std::string_view::npos)
        throw Error(fmt::format("{}:{}: expected 'key: value' or 'key = value', got '{}'", file_, line_no, line));
      if (section.empty()) throw Error(fmt::format("{}:{}: a key before any [section]", file_, line_no));
      const std::string key = lower(trim(line.substr(0, sep)));
      std::string value(trim(line.substr(sep + 1)));
      const auto in = [&](const auto& table) {
        auto it = table.find(section);
        return it != table.end() && it->second.contains(key);
      };
      if (in(used_keys())) {
        if (values_.contains(section + "." + key))
          throw Error(fmt::format("{}:{}: [{}] {} given twice", file_, line_no, section, key));
        values_[section + "." + key] = Entry{value, line_no};
      } else if (in(ignored_keys()) || ignored_section(section)) {
        ignored_.push_back(fmt::format("{} (line {})", std::string(trim(line.substr(0, sep))), line_no));
      } else {
        throw Error(fmt::format("{}:{}: [{}] {}: unknown SCALE-Sim key", file_, line_no, section,
                                std::string(trim(line.substr(0, sep)))));
      }
    }
  }

  std::string file_;
  std::map<std::string, Entry> values_;
  std::vector<std::string> ignored_;
};

std::string yaml_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

bool is_scalesim_cfg(std::string_view path) { return path.size() > 4 && lower(path.substr(path.size() - 4)) == ".cfg"; }

std::string scalesim_cfg_to_yaml(std::string_view text, const std::string& file) {
  const Cfg cfg(text, file);
  const std::int64_t rows = cfg.positive("architecture_presets", "arrayheight", "ArrayHeight");
  const std::int64_t cols = cfg.positive("architecture_presets", "arraywidth", "ArrayWidth");
  const std::int64_t ifmap = cfg.positive("architecture_presets", "ifmapsramszkb", "IfmapSramSzkB");
  const std::int64_t filter = cfg.positive("architecture_presets", "filtersramszkb", "FilterSramSzkB");
  const std::int64_t ofmap = cfg.positive("architecture_presets", "ofmapsramszkb", "OfmapSramSzkB");
  const std::int64_t banks = cfg.positive("architecture_presets", "memorybanks", "MemoryBanks", 1);

  const Entry* df = cfg.get("architecture_presets", "dataflow");
  if (!df) throw Error(fmt::format("{}: [architecture_presets] Dataflow: missing (SCALE-Sim requires it)", file));
  const std::string dataflow = lower(df->value);
  if (dataflow != "ws" && dataflow != "os" && dataflow != "is")
    throw Error(fmt::format("{}:{}: Dataflow: expected ws, os or is, got '{}'", file, df->line, df->value));

  std::string mode = "CALC";
  int mode_line = 0;
  if (const Entry* e = cfg.get("run_presets", "interfacebandwidth")) {
    mode = e->value;
    for (char& c : mode) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    mode_line = e->line;
    if (mode != "CALC" && mode != "USER")
      throw Error(fmt::format("{}:{}: InterfaceBandwidth: expected USER or CALC, got '{}'", file, e->line, e->value));
  }
  // the array's full operand rate: a row of inputs and a row of weights in, a row of int32 sums out
  const std::int64_t full_rate = rows + cols + 4 * cols;
  std::int64_t bw = full_rate;
  std::string bw_note = fmt::format("InterfaceBandwidth CALC{}: the array's full operand rate, rows + cols + 4 cols",
                                    mode_line ? fmt::format(" (line {})", mode_line) : " (the default)");
  if (mode == "USER") {
    bw = cfg.positive("architecture_presets", "bandwidth", "Bandwidth");
    bw_note = fmt::format("Bandwidth (line {}) words/cycle x 1 B, InterfaceBandwidth USER",
                          cfg.get("architecture_presets", "bandwidth")->line);
  }
  if (const Entry* e = cfg.get("sparsity", "sparsitysupport"); e && lower(e->value) != "false")
    throw Error(fmt::format("{}:{}: SparsitySupport: npusim does not model sparse operands; set it to false", file, e->line));

  std::string name = "scalesim";
  if (const Entry* e = cfg.get("general", "run_name"); e && !e->value.empty()) name = e->value;
  const std::int64_t bank_bytes = (2 * full_rate + banks - 1) / banks;

  std::string y;
  y += fmt::format("# Generated by npusim from the SCALE-Sim configuration {} (arch/scalesim_cfg.h).\n", file);
  if (!cfg.ignored().empty()) {
    y += "# Accepted but not modelled:";
    for (const auto& k : cfg.ignored()) y += " " + k;
    y += "\n";
  }
  y += fmt::format("name: {}\n", yaml_quote(name));
  y += fmt::format("description: {}\n",
                   yaml_quote(fmt::format("SCALE-Sim {}: {}x{} {} array, ifmap/filter/ofmap SRAM {}/{}/{} KiB, "
                                          "interface {} B/cycle",
                                          file, rows, cols, dataflow, ifmap, filter, ofmap, bw)));
  y += "clock_mhz: 1000                   # SCALE-Sim counts cycles; 1 GHz makes ns = cycles\n";
  y += "datatypes:\n  default: int8                   # SCALE-Sim's 1-byte words\n  accumulator: int32\n"
       "  macs_per_pe_per_cycle:\n    int8: 1\n";
  y += "cores: 1\ncore:\n  pe_array:\n";
  y += fmt::format("    rows: {}                       # ArrayHeight\n    cols: {}                       # ArrayWidth\n",
                   rows, cols);
  y += fmt::format("    dataflow: {}\n", dataflow);
  y += "    stationary_double_buffer: false # SCALE-Sim: the stationary operand loads before streaming\n"
       "    fold_overlap: false             # SCALE-Sim: consecutive folds do not overlap\n";
  y += "  vector_unit:                      # SCALE-Sim models no post-processing: one that never delays\n"
       "    lanes: 65536                    # the array (results leave as they are computed)\n"
       "    latency_cycles: 0\n    ops_per_lane_per_cycle:\n      elementwise: 64\n      transcendental: 64\n"
       "      reduction: 64\n";
  y += fmt::format("  scratchpad:\n    partitions:\n      inputs_kib: {}               # IfmapSramSzkB\n"
                   "      weights_kib: {}              # FilterSramSzkB\n      outputs_kib: {}              # OfmapSramSzkB\n"
                   "    banks: {}                        # MemoryBanks\n"
                   "    bank_bytes_per_cycle: {}         # SCALE-Sim's SRAMs keep up with the array\n",
                   ifmap, filter, ofmap, banks, bank_bytes);
  y += fmt::format("  accumulator_buffer:\n    size_kib: {}                   # OfmapSramSzkB\n", ofmap);
  y += "  dma:\n    burst_bytes: 64\n    max_outstanding: 64\n";
  y += fmt::format("interconnect:\n  topology: bus\n  link_bytes_per_cycle: {}\n  hop_latency_cycles: 0\n", bw);
  y += fmt::format("dram:\n  channels: 1\n  bandwidth_gb_per_s: {}          # {}\n"
                   "  latency_ns: 0                   # SCALE-Sim's prefetching hides the DRAM latency\n"
                   "  capacity_gib: 64\n  interleave_bytes: 4096\n",
                   bw, bw_note);
  y += "energy:\n  technology: 45nm\narea:\n  technology: 45nm\n  fixed_mm2: 0\n";
  return y;
}

}  // namespace npusim::arch
