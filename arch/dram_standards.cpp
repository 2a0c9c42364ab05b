#include "arch/dram_standards.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "base/error.h"

namespace npusim::arch {

namespace {
#include "arch/dram_parts.inc"

const DramStandardSpec& spec_of(DramStandard s) {
  switch (s) {
    case DramStandard::DDR3: return kDDR3Spec;
    case DramStandard::DDR4: return kDDR4Spec;
    case DramStandard::DDR5: return kDDR5Spec;
    case DramStandard::LPDDR5: return kLPDDR5Spec;
    case DramStandard::HBM2: return kHBM2Spec;
    case DramStandard::HBM3: return kHBM3Spec;
    case DramStandard::GDDR6: return kGDDR6Spec;
    case DramStandard::Generic: break;
  }
  throw Error("internal: a generic DRAM has no standard");
}

// The timing of the first name the standard has, in ticks; 0 if it has none of them.
int timing_of(const DramStandardSpec& s, const DramPart& p, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (int i = s.timing_index(n); i >= 0) return p.timing[static_cast<std::size_t>(i)];
  return 0;
}

}  // namespace

int DramConstraint::latency(std::span<const int> timing) const {
  int l = constant;
  for (const auto& [i, c] : terms) l += c * timing[static_cast<std::size_t>(i)];
  return l;
}

int DramStandardSpec::level(std::string_view level_name) const {
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (levels[i] == level_name) return static_cast<int>(i);
  return -1;
}

int DramStandardSpec::timing_index(std::string_view timing_name) const {
  for (std::size_t i = 0; i < timing_names.size(); ++i)
    if (timing_names[i] == timing_name) return static_cast<int>(i);
  return -1;
}

const DramStandardSpec& dram_standard(DramStandard s) { return spec_of(s); }

std::string_view name_of(DramStandard s) {
  switch (s) {
    case DramStandard::Generic: return "generic";
    case DramStandard::DDR3: return "ddr3";
    case DramStandard::DDR4: return "ddr4";
    case DramStandard::DDR5: return "ddr5";
    case DramStandard::LPDDR5: return "lpddr5";
    case DramStandard::HBM2: return "hbm2";
    case DramStandard::HBM3: return "hbm3";
    case DramStandard::GDDR6: return "gddr6";
  }
  return "?";
}

const DramPart* find_dram_part(DramStandard s, std::string_view device, std::string_view grade) {
  if (s == DramStandard::Generic) return nullptr;
  for (const DramPart& p : spec_of(s).parts)
    if (device == p.device && grade == p.grade) return &p;
  return nullptr;
}

std::vector<std::string> dram_devices(DramStandard s) {
  std::vector<std::string> v;
  for (const DramPart& p : spec_of(s).parts)
    if (v.empty() || v.back() != p.device) v.emplace_back(p.device);
  return v;
}

std::vector<std::string> dram_grades(DramStandard s, std::string_view device) {
  std::vector<std::string> v;
  for (const DramPart& p : spec_of(s).parts)
    if (device == p.device) v.emplace_back(p.grade);
  return v;
}

DramTiming derive_dram_timing(const DramConfig& cfg) {
  const DramStandardSpec& s = spec_of(cfg.standard);
  const DramPart* p = find_dram_part(cfg.standard, cfg.device, cfg.speed_grade);
  if (!p)
    throw Error(fmt::format("dram: no {} device '{}' at speed grade '{}'", name_of(cfg.standard), cfg.device,
                            cfg.speed_grade));
  // the organisation, with the given ranks, bank groups and banks in place of the device's
  std::vector<int> count = p->count;
  auto set = [&](const char* level, std::int32_t v) {
    if (int i = s.level(level); i >= 0 && v > 0) count[static_cast<std::size_t>(i)] = v;
  };
  set("Rank", cfg.ranks);
  set("BankGroup", cfg.bank_groups);
  set("Bank", cfg.banks_per_group);

  DramTiming t;
  const double tick_ns = timing_of(s, *p, {"tCK_ps"}) / 1000.0;
  auto ns = [&](std::initializer_list<std::string_view> names) { return timing_of(s, *p, names) * tick_ns; };
  t.tck_ns = tick_ns * s.tick_multiplier;
  t.rate_mtps = timing_of(s, *p, {"rate"});
  t.tx_bytes = p->channel_width * s.prefetch / 8;
  // the data bus: one per channel, or one per pseudo channel (HBM)
  const int bus_level = s.level("PseudoChannel") >= 0 ? s.level("PseudoChannel") : 0;
  const int bank_level = s.level("Bank"), row_level = s.level("Row"), col_level = s.level("Column");
  t.buses = 1;
  for (int l = 1; l <= bus_level; ++l) t.buses *= count[static_cast<std::size_t>(l)];
  t.banks_per_bus = 1;
  for (int l = bus_level + 1; l <= bank_level; ++l) t.banks_per_bus *= count[static_cast<std::size_t>(l)];
  t.bank_groups = s.level("BankGroup") >= 0 ? count[static_cast<std::size_t>(s.level("BankGroup"))] : 1;
  t.page_bytes = std::int64_t{count[static_cast<std::size_t>(col_level)]} * p->channel_width / 8;
  t.bus_gb_per_s = double(p->channel_width) * t.rate_mtps / 8.0 / 1000.0;
  t.burst_ns = ns({"nBL", "nBL_min"});
  t.cl_ns = ns({"nCL"});
  t.rcd_ns = ns({"nRCD", "nRCDRD"});
  t.rp_ns = ns({"nRP"});
  t.ras_ns = ns({"nRAS"});
  t.rc_ns = ns({"nRC"});
  t.ccd_s_ns = ns({"nCCDS", "nCCD"});
  t.ccd_l_ns = ns({"nCCDL", "nCCD"});
  t.rrd_s_ns = ns({"nRRDS", "nRRD"});
  t.rrd_l_ns = ns({"nRRDL", "nRRD"});
  t.faw_ns = ns({"nFAW"});
  t.wr_ns = ns({"nWR"});
  t.cwl_ns = ns({"nCWL"});
  t.wtr_s_ns = ns({"nWTRS", "nWTR"});
  t.wtr_l_ns = ns({"nWTRL", "nWTR"});
  t.rtp_ns = ns({"nRTP", "nRTPL"});
  t.rfc_ns = ns({"nRFC", "nRFCab", "nRFCpb"});
  t.refi_ns = ns({"nREFI"});
  if (s.timing_index("nREFIpb") >= 0 && std::find(s.commands.begin(), s.commands.end(), "REFpb") != s.commands.end()) {
    t.rfc_pb_ns = ns({"nRFCpb"});
    t.refi_pb_ns = ns({"nREFIpb"});
  }
  t.read_latency_ns = p->read_latency * tick_ns;
  t.rows = count[static_cast<std::size_t>(row_level)];
  return t;
}

}  // namespace npusim::arch
