#include "report/tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "arch/schema.h"
#include "report/format.h"
#include "npusim_version.h"

namespace npusim::report {

using compiler::LayerResult;
using compiler::RunResult;

std::string table_report(const RunResult& r) {
  const auto& A = *r.arch;
  std::string out = fmt::format("{} on {} ({} core{} x {}x{} {} {}, {} MHz), batch {}, engine {}\n\n", r.model, A.name,
                                A.cores, A.cores == 1 ? "" : "s", A.core.pe_array.rows, A.core.pe_array.cols,
                                arch::name_of(A.core.pe_array.dataflow), name_of(r.dtype), A.clock_mhz, r.batch,
                                r.engine);
  std::size_t w = 5;
  for (const auto& l : r.layers) w = std::max(w, l.name.size());
  w = std::min<std::size_t>(w, 40);
  out += fmt::format("{:<{}}  {:<14} {:>9} {:>12} {:>6} {:<13} {:>10} {:>10}\n", "layer", w, "op", "MACs", "cycles",
                     "util", "bound by", "DRAM", "energy");
  const compiler::StatContext ctx = r.context();
  const compiler::Stat& util = compiler::stat("utilization");
  for (const auto& l : r.layers) {
    std::string op(workloads::name_of(l.op));
    if (!l.fused.empty()) op += fmt::format("+{}", l.fused.size());
    out += fmt::format("{:<{}}  {:<14} {:>9} {:>12} {:>5.1f}% {:<13} {:>10} {:>8.1f}uJ\n", fit(l.name, w), w, op,
                       human_count(double(l.macs)), l.cycles,
                       100.0 * compiler::layer_value(util, l, ctx), compiler::dominant_stall(l),
                       human_bytes(double(l.dram_bytes())), l.energy.total() * 1e-6);
  }
  const auto t = r.totals();
  out += fmt::format("\ntotal: {} layers, {} MACs, {} cycles = {:.4f} ms at {} MHz, PE utilization {:.1f}%\n",
                     r.layers.size(), human_count(double(t.macs)), t.cycles, t.seconds * 1e3, A.clock_mhz,
                     100.0 * t.utilization);
  std::string stalls;
  std::int64_t layer_cycles = 0;
  for (const auto& l : r.layers) layer_cycles += l.cycles;
  for (std::size_t i = 0; i < compiler::kNumStalls; ++i)
    if (t.stalls[i] > 0)
      stalls += fmt::format("{}{} {:.1f}%", stalls.empty() ? "" : ", ", compiler::name_of(static_cast<compiler::Stall>(i)),
                            100.0 * double(t.stalls[i]) / double(std::max<std::int64_t>(layer_cycles, 1)));
  out += fmt::format("stalls (share of layer cycles): {}\n", stalls.empty() ? "none" : stalls);
  out += fmt::format("DRAM {} (read {}, written {}; {} saved by inter-layer reuse), SRAM {}\n",
                     human_bytes(double(t.dram_read_bytes + t.dram_write_bytes)), human_bytes(double(t.dram_read_bytes)),
                     human_bytes(double(t.dram_write_bytes)), human_bytes(double(t.dram_bytes_saved)),
                     human_bytes(double(t.sram_bytes())));
  const double e = std::max(t.energy.total(), 1e-30);
  out += fmt::format("energy {:.3f} mJ (MAC {:.0f}%, SRAM {:.0f}%, accumulator {:.0f}%, DRAM {:.0f}%, other {:.0f}%), "
                     "{:.2f} TOPS, {:.2f} TOPS/W\n",
                     t.energy.total() * 1e-9, 100 * t.energy.mac / e, 100 * t.energy.sram / e,
                     100 * t.energy.accumulator / e, 100 * t.energy.dram / e,
                     100 * (t.energy.noc + t.energy.vector + t.energy.leakage) / e, t.tops, t.tops_per_watt);
  out += fmt::format("throughput {:.1f} inferences/s", t.inferences_per_s);
  if (t.tokens_per_s > 0) out += fmt::format(", {:.1f} tokens/s", t.tokens_per_s);
  out += fmt::format("; area {:.2f} mm2\n", A.area_mm2());
  if (r.engine == "systemc")
    out += fmt::format("simulation: {} events in {:.3f} s ({:.2f} M events/s), peak memory {:.1f} MiB\n", r.sim_events,
                       r.sim_wall_seconds, r.sim_wall_seconds > 0 ? double(r.sim_events) / r.sim_wall_seconds * 1e-6 : 0.0,
                       r.sim_peak_rss_mib);
  return out;
}

namespace {
std::string csv_field(std::string s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

std::string csv_report(const RunResult& r) {
  using compiler::Stat;
  std::string out = "layer,op,class";
  for (const Stat& s : compiler::stat_table())
    if (s.per_layer()) out += "," + s.column;
  out += ",split,cores,tile_g,tile_m,tile_n,tile_k,loop_order,resident\n";
  const compiler::StatContext ctx = r.context();
  for (const auto& l : r.layers) {
    out += fmt::format("{},{},{}", csv_field(l.name), workloads::name_of(l.op), compiler::name_of(l.cls));
    for (const Stat& s : compiler::stat_table()) {
      if (!s.per_layer()) continue;
      out += ',';
      if (s.produced_by(r.engine)) out += compiler::stat_text(s, compiler::layer_value(s, l, ctx));
    }
    const auto& m = l.mapping;
    out += fmt::format(",{},{},{},{},{},{},{},{}\n", compiler::name_of(m.split), m.cores, m.tg, m.tm, m.tn, m.tk,
                       m.order.str(), compiler::name_of(m.resident));
  }
  return out;
}

std::string stats_csv(const RunResult& r) {
  using compiler::Stat;
  std::string out = "scope,name,value,unit,description\n";
  out += fmt::format("meta,version,{},,npusim version\n", kNpusimVersion);
  out += fmt::format("meta,engine,{},,timing engine\n", r.engine);
  out += fmt::format("meta,model,{},,model\n", csv_field(r.model));
  out += fmt::format("meta,arch,{},,architecture name\n", csv_field(r.arch->name));
  for (const auto& f : arch::arch_schema().fields()) {
    if (f.present_in && !f.present_in(*r.arch)) continue;
    std::string v = std::visit(
        [](const auto& x) -> std::string {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::string>) return x;
          else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
          else return fmt::format("{}", x);
        },
        f.get(*r.arch));
    out += fmt::format("config,{},{},{},{}\n", f.path, csv_field(v), csv_field(f.unit), csv_field(f.doc));
  }
  const compiler::StatContext ctx = r.context();
  auto row = [&](const std::string& scope, const std::string& name, const Stat& s, double v) {
    out += fmt::format("{},{},{},{},{}\n", csv_field(scope), csv_field(name), compiler::stat_text(s, v), s.unit,
                       csv_field(std::string(s.description)));
  };
  for (const auto& l : r.layers)
    for (const Stat& s : compiler::stat_table())
      if (s.per_layer() && s.produced_by(r.engine)) row("layer:" + l.name, std::string(s.name), s, compiler::layer_value(s, l, ctx));
  const compiler::ModelTotals t = r.totals();
  for (const Stat& s : compiler::stat_table()) {
    if (!s.produced_by(r.engine) || !(s.in_total() || s.section == compiler::Section::Simulation)) continue;
    const std::string scope = s.section == compiler::Section::Simulation ? "simulation" : "total";
    if (s.run_series) {
      const auto names = compiler::instance_names(s.instances, *r.arch);
      const std::vector<double>& v = *s.run_series(r);
      for (std::size_t i = 0; i < names.size() && i < v.size(); ++i)
        row(scope, fmt::format("{}[{}]", s.name, names[i]), s, v[i]);
    } else {
      row(scope, std::string(s.name), s, compiler::total_value(s, t, r, ctx));
    }
  }
  return out;
}

nlohmann::json comparison_json(const RunResult& a, const RunResult& s) {
  nlohmann::json layers = nlohmann::json::array();
  double abs_sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.layers.size() && i < s.layers.size(); ++i) {
    const double err = s.layers[i].cycles > 0 ? double(a.layers[i].cycles) / double(s.layers[i].cycles) - 1.0 : 0.0;
    abs_sum += std::abs(err);
    ++n;
    layers.push_back({{"name", a.layers[i].name},
                      {"analytic_cycles", a.layers[i].cycles},
                      {"systemc_cycles", s.layers[i].cycles},
                      {"analytic_error", err},
                      {"systemc_dominant_stall", std::string(compiler::dominant_stall(s.layers[i]))}});
  }
  const double total_err = s.total_cycles > 0 ? double(a.total_cycles) / double(s.total_cycles) - 1.0 : 0.0;
  return {{"layers", layers},
          {"total", {{"analytic_cycles", a.total_cycles},
                     {"systemc_cycles", s.total_cycles},
                     {"analytic_error", total_err},
                     {"mean_abs_layer_error", n ? abs_sum / double(n) : 0.0}}}};
}

std::string comparison_report(const RunResult& a, const RunResult& s) {
  std::string out = fmt::format("{} on {}: analytic estimate vs SystemC simulation (error = analytic / systemc - 1)\n\n",
                                a.model, a.arch->name);
  std::size_t w = 5;
  for (const auto& l : a.layers) w = std::max(w, l.name.size());
  w = std::min<std::size_t>(w, 40);
  out += fmt::format("{:<{}}  {:>12} {:>12} {:>8}  {}\n", "layer", w, "analytic", "systemc", "error", "systemc bound by");
  const auto j = comparison_json(a, s);
  for (const auto& l : j["layers"])
    out += fmt::format("{:<{}}  {:>12} {:>12} {:>7.1f}%  {}\n", fit(l["name"].get<std::string>(), w), w,
                       l["analytic_cycles"].get<std::int64_t>(), l["systemc_cycles"].get<std::int64_t>(),
                       100.0 * l["analytic_error"].get<double>(), l["systemc_dominant_stall"].get<std::string>());
  const auto& t = j["total"];
  out += fmt::format("\ntotal: analytic {} cycles, systemc {} cycles, error {:+.2f}%; mean absolute layer error {:.2f}%\n",
                     t["analytic_cycles"].get<std::int64_t>(), t["systemc_cycles"].get<std::int64_t>(),
                     100.0 * t["analytic_error"].get<double>(), 100.0 * t["mean_abs_layer_error"].get<double>());
  return out;
}

}  // namespace npusim::report
