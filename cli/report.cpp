#include "cli/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "arch/raw_yaml.h"
#include "arch/schema.h"
#include "cli/common.h"
#include "cli/version.h"

namespace npusim::cli {

using compiler::CompiledModel;
using compiler::LayerCost;
using nlohmann::json;

std::string dominant_stall(const LayerCost& c) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < compiler::kNumStalls; ++i)
    if (c.stalls[i] > c.stalls[best]) best = i;
  if (c.stalls[best] == 0) return "-";
  return std::string(compiler::name_of(static_cast<compiler::Stall>(best)));
}

static json stalls_json(const std::array<std::int64_t, compiler::kNumStalls>& s) {
  json j = json::object();
  for (std::size_t i = 0; i < compiler::kNumStalls; ++i)
    j[std::string(compiler::name_of(static_cast<compiler::Stall>(i)))] = s[i];
  return j;
}

static json energy_json(const compiler::EnergyBreakdown& e) {
  return {{"mac", e.mac},   {"sram", e.sram},     {"accumulator", e.accumulator}, {"dram", e.dram},
          {"noc", e.noc},   {"vector", e.vector}, {"leakage", e.leakage},         {"total", e.total()}};
}

json layer_json(const CompiledModel& cm, std::size_t i) {
  const auto& cl = cm.layers.at(i);
  const auto& L = cl.layer;
  const auto& c = cl.cost;
  const auto& m = cl.mapping;
  const double peak = double(cm.arch->peak_macs_per_cycle(cm.ctx.dtype));
  json t = {{"split", std::string(compiler::name_of(m.split))},
            {"cores", m.cores},
            {"tile", {{"g", m.tg}, {"m", m.tm}, {"n", m.tn}, {"k", m.tk}}},
            {"loop_order", m.order.str()},
            {"resident", std::string(compiler::name_of(m.resident))},
            {"input_on_chip", m.a_on_chip},
            {"output_on_chip", m.out_on_chip}};
  if (m.conv)
    t["conv_tile"] = {{"images", m.conv_m.images}, {"rows", m.conv_m.rows}, {"cols", m.conv_m.cols}, {"channels", m.tc}};
  json j = {{"name", L.name},
            {"op", std::string(wl::name_of(L.op))},
            {"class", std::string(compiler::name_of(L.cls))},
            {"fused", L.fused},
            {"macs", c.macs},
            {"cycles", c.cycles},
            {"compute_cycles", c.compute_cycles},
            {"utilization", c.cycles > 0 ? double(c.macs) / (double(c.cycles) * peak) : 0.0},
            {"sram_bytes", c.sram_bytes()},
            {"dram_bytes", c.dram_bytes()},
            {"dram_read_bytes", c.dram_read_bytes},
            {"dram_write_bytes", c.dram_write_bytes},
            {"compulsory_dram_bytes", c.compulsory_dram_bytes},
            {"dram_bytes_saved", cl.dram_bytes_saved},
            {"accumulator_bytes", c.acc_bytes},
            {"noc_byte_hops", c.noc_byte_hops},
            {"energy_pj", c.energy.total()},
            {"energy", energy_json(c.energy)},
            {"stalls", stalls_json(c.stalls)},
            {"dominant_stall", dominant_stall(c)},
            {"roofs", {{"compute", c.roof_compute}, {"vector", c.roof_vector}, {"sram", c.roof_sram},
                       {"dram", c.roof_dram}, {"noc", c.roof_noc}, {"prologue", c.prologue}, {"epilogue", c.epilogue}}},
            {"tiles", c.tiles},
            {"folds", c.folds},
            {"tiling", t}};
  if (L.cls == compiler::LayerClass::Gemm) j["gemm"] = {{"G", L.G}, {"M", L.M}, {"N", L.N}, {"K", L.K}};
  return j;
}

json totals_json(const CompiledModel& cm) {
  const auto t = cm.totals();
  return {{"cycles", t.cycles},
          {"seconds", t.seconds},
          {"compute_cycles", t.compute_cycles},
          {"macs", t.macs},
          {"utilization", t.utilization},
          {"energy_pj", t.energy.total()},
          {"energy", energy_json(t.energy)},
          {"stalls", stalls_json(t.stalls)},
          {"dram_bytes", t.dram_read_bytes + t.dram_write_bytes},
          {"dram_read_bytes", t.dram_read_bytes},
          {"dram_write_bytes", t.dram_write_bytes},
          {"dram_bytes_saved", t.dram_bytes_saved},
          {"sram_bytes", t.sram_bytes},
          {"accumulator_bytes", t.acc_bytes},
          {"noc_byte_hops", t.noc_byte_hops},
          {"tops", t.tops},
          {"tops_per_watt", t.tops_per_watt},
          {"inferences_per_s", t.inferences_per_s},
          {"tokens_per_s", t.tokens_per_s},
          {"area_mm2", cm.arch->area_mm2()}};
}

json config_json(const arch::ArchConfig& cfg) {
  json root = json::object();
  for (const auto& f : arch::arch_schema().fields()) {
    if (f.present_in && !f.present_in(cfg)) continue;
    arch::FieldValue v = f.get(cfg);
    json* node = &root;
    auto parts = split_path(f.path);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) node = &(*node)[std::string(parts[i])];
    json& leaf = (*node)[std::string(parts.back())];
    std::visit([&](const auto& x) { leaf = x; }, v);
  }
  return root;
}

json model_json(const CompiledModel& cm, const std::string& engine) {
  json layers = json::array();
  for (std::size_t i = 0; i < cm.layers.size(); ++i) layers.push_back(layer_json(cm, i));
  return {{"version", kVersion},
          {"arch", cm.arch->name},
          {"config", config_json(*cm.arch)},
          {"model", cm.graph.name()},
          {"dtype", std::string(name_of(cm.ctx.dtype))},
          {"batch", cm.batch},
          {"engine", engine},
          {"inter_layer_reuse", cm.options.inter_layer_reuse},
          {"objective", std::string(compiler::name_of(cm.options.objective))},
          {"layers", layers},
          {"total", totals_json(cm)}};
}

std::string table_report(const CompiledModel& cm, const std::string& engine) {
  const auto& A = *cm.arch;
  std::string out = fmt::format("{} on {} ({} cores x {}x{} {} {}, {} MHz), {}, batch {}, engine {}\n\n", cm.graph.name(),
                                A.name, A.cores, A.core.pe_array.rows, A.core.pe_array.cols,
                                arch::name_of(A.core.pe_array.dataflow), name_of(cm.ctx.dtype), A.clock_mhz,
                                name_of(cm.ctx.dtype), cm.batch, engine);
  std::size_t w = 5;
  for (const auto& l : cm.layers) w = std::max(w, l.layer.name.size());
  w = std::min<std::size_t>(w, 40);
  out += fmt::format("{:<{}}  {:<14} {:>9} {:>12} {:>6} {:<13} {:>10} {:>10}\n", "layer", w, "op", "MACs", "cycles",
                     "util", "bound by", "DRAM", "energy");
  const double peak = double(A.peak_macs_per_cycle(cm.ctx.dtype));
  for (const auto& l : cm.layers) {
    const auto& c = l.cost;
    std::string name = fit(l.layer.name, w);
    std::string op(wl::name_of(l.layer.op));
    if (!l.layer.fused.empty()) op += "+" + std::to_string(l.layer.fused.size());
    out += fmt::format("{:<{}}  {:<14} {:>9} {:>12} {:>5.1f}% {:<13} {:>10} {:>8.1f}uJ\n", name, w, op,
                       human_count(double(c.macs)), c.cycles, c.cycles ? 100.0 * double(c.macs) / (double(c.cycles) * peak) : 0.0,
                       dominant_stall(c), human_bytes(double(c.dram_bytes())), c.energy.total() * 1e-6);
  }
  const auto t = cm.totals();
  out += fmt::format("\ntotal: {} layers, {} MACs, {} cycles = {:.4f} ms at {} MHz, PE utilization {:.1f}%\n",
                     cm.layers.size(), human_count(double(t.macs)), t.cycles, t.seconds * 1e3, A.clock_mhz,
                     100.0 * t.utilization);
  std::string stalls;
  for (std::size_t i = 0; i < compiler::kNumStalls; ++i)
    if (t.stalls[i] > 0)
      stalls += fmt::format("{}{} {:.1f}%", stalls.empty() ? "" : ", ", compiler::name_of(static_cast<compiler::Stall>(i)),
                            100.0 * double(t.stalls[i]) / double(std::max<std::int64_t>(t.cycles, 1)));
  out += fmt::format("stalls: {}\n", stalls.empty() ? "none" : stalls);
  out += fmt::format("DRAM {} (read {}, written {}; {} saved by inter-layer reuse), SRAM {}\n",
                     human_bytes(double(t.dram_read_bytes + t.dram_write_bytes)), human_bytes(double(t.dram_read_bytes)),
                     human_bytes(double(t.dram_write_bytes)), human_bytes(double(t.dram_bytes_saved)),
                     human_bytes(double(t.sram_bytes)));
  out += fmt::format("energy {:.3f} mJ (MAC {:.0f}%, SRAM {:.0f}%, DRAM {:.0f}%, other {:.0f}%), {:.2f} TOPS, {:.2f} TOPS/W\n",
                     t.energy.total() * 1e-9, 100 * t.energy.mac / t.energy.total(), 100 * t.energy.sram / t.energy.total(),
                     100 * t.energy.dram / t.energy.total(),
                     100 * (t.energy.total() - t.energy.mac - t.energy.sram - t.energy.dram) / t.energy.total(), t.tops,
                     t.tops_per_watt);
  out += fmt::format("throughput {:.1f} inferences/s", t.inferences_per_s);
  if (t.tokens_per_s > 0) out += fmt::format(", {:.1f} tokens/s", t.tokens_per_s);
  out += fmt::format("; area {:.2f} mm2\n", A.area_mm2());
  return out;
}

std::string csv_report(const CompiledModel& cm) {
  std::string out =
      "layer,op,class,macs,cycles,compute_cycles,utilization,sram_bytes,dram_bytes,dram_read_bytes,dram_write_bytes,"
      "dram_bytes_saved,accumulator_bytes,energy_pj,stall_dram,stall_interconnect,stall_sram_bank,stall_vector_unit,"
      "stall_sync,split,cores,tile_g,tile_m,tile_n,tile_k,loop_order,resident\n";
  const double peak = double(cm.arch->peak_macs_per_cycle(cm.ctx.dtype));
  for (const auto& l : cm.layers) {
    const auto& c = l.cost;
    const auto& m = l.mapping;
    out += fmt::format("{},{},{},{},{},{},{:.6f},{},{},{},{},{},{},{:.3f},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                       l.layer.name, wl::name_of(l.layer.op), compiler::name_of(l.layer.cls), c.macs, c.cycles,
                       c.compute_cycles, c.cycles ? double(c.macs) / (double(c.cycles) * peak) : 0.0, c.sram_bytes(),
                       c.dram_bytes(), c.dram_read_bytes, c.dram_write_bytes, l.dram_bytes_saved, c.acc_bytes,
                       c.energy.total(), c.stalls[0], c.stalls[1], c.stalls[2], c.stalls[3], c.stalls[4],
                       compiler::name_of(m.split), m.cores, m.tg, m.tm, m.tn, m.tk, m.order.str(),
                       compiler::name_of(m.resident));
  }
  return out;
}

}  // namespace npusim::cli
