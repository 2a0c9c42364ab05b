#include "compiler/mapping_cache.h"

#include <fmt/format.h>

#include <limits>

#include "arch/loader.h"

namespace npusim::compiler {

Score ScoredMapping::score_on(double leakage_mw, double cycle_ns) const {
  // as EnergyBreakdown::total(): dynamic() + leakage, the leakage as stats.h computes it
  return {cycles, dram_read_bytes, dram_write_bytes, dynamic_energy + leakage_pj(leakage_mw, double(cycles), cycle_ns)};
}

std::string mapping_signature(const Layer& L, bool a_on_chip, bool out_on_chip) {
  std::string s = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
                              static_cast<int>(L.cls), static_cast<int>(L.op), static_cast<int>(L.dtype), L.macs, L.G,
                              L.M, L.N, L.K, L.a_bytes, L.b_bytes, L.out_bytes, L.side_bytes, L.side_per_elem_bytes,
                              L.side_once_bytes, L.out_elems, L.in_bytes, L.in_row_bytes, L.in_once_bytes, L.rows,
                              L.row_elems, L.whole_rows, a_on_chip, out_on_chip, L.conv.has_value());
  for (std::size_t i = 0; i < L.ops_per_elem.size(); ++i) s += fmt::format("|{},{}", L.ops_per_elem[i], L.ops_per_row[i]);
  if (L.conv) {
    const auto& c = *L.conv;
    s += fmt::format("|c{},{},{},{},{},{},{},{},{},{},{},{},{},{}", c.batch, c.in_h, c.in_w, c.out_h, c.out_w, c.kh, c.kw,
                     c.stride_h, c.stride_w, c.pad_top, c.pad_left, c.dil_h, c.dil_w, c.channels);
  }
  return s;
}

void SearchMemo::grow(std::size_t tiles) {
  if (tiles <= bounds.size()) return;
  bounds.resize(tiles, std::numeric_limits<double>::quiet_NaN());
  probes.resize(tiles);
  first.resize(tiles, kNoOrders);
}

MappingCache::MappingCache(std::size_t architectures) : capacity_(std::max<std::size_t>(architectures, 1)) {}

std::string MappingCache::arch_key(const CostContext& ctx) { return arch_key(*ctx.arch, ctx.dtype, ctx.ideal_memory); }

std::string MappingCache::arch_key(const arch::ArchConfig& arch, DType dtype, bool ideal_memory) {
  // The capacities only decide which candidates fit, and reach the costs only through the area
  // (leakage): see the header. Name, description and origin reach nothing.
  arch::ArchConfig a = arch;
  a.name.clear();
  a.description.clear();
  a.origin.clear();
  a.core.scratchpad.total_bytes = 0;
  a.core.scratchpad.inputs_bytes = 0;
  a.core.scratchpad.weights_bytes = 0;
  a.core.scratchpad.outputs_bytes = 0;
  a.core.accumulator_buffer.bytes = 0;
  return fmt::format("dtype {} ideal_memory {}\n{}", name_of(dtype), ideal_memory, arch::to_yaml(a));
}

SearchMemo& MappingCache::memo(const std::string& arch_key, const Layer& L, bool a_on_chip, bool out_on_chip) {
  ++lookups_;
  auto it = archs_.begin();
  while (it != archs_.end() && it->first != arch_key) ++it;
  if (it == archs_.end()) {
    archs_.emplace_front(arch_key, Memos{});
    if (archs_.size() > capacity_) archs_.pop_back();
  } else if (it != archs_.begin()) {
    archs_.splice(archs_.begin(), archs_, it);
  }
  Memos& memos = archs_.front().second;
  auto [m, added] = memos.try_emplace(mapping_signature(L, a_on_chip, out_on_chip));
  reused_ += !added;
  return m->second;
}

std::size_t MappingCache::memos() const {
  std::size_t n = 0;
  for (const auto& a : archs_) n += a.second.size();
  return n;
}

}  // namespace npusim::compiler
