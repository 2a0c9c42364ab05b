#include "arch/technology.h"

namespace npusim::arch {

namespace {

// 45 nm, 0.9 V. Sources (docs/ENERGY_AREA.md gives the derivation of every entry):
//  [H14] M. Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014:
//        8b int mult 0.2 pJ / 282 um2, 32b int add 0.1 pJ / 137 um2, 16b fp mult 1.1 pJ / 1640 um2,
//        16b fp add 0.4 pJ / 1360 um2, 32b fp mult 3.7 pJ / 7700 um2, 32b fp add 0.9 pJ / 4184 um2,
//        64b SRAM read: 8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ; DRAM 1.3-2.6 nJ per 64b.
//  [M07] K. Mistry et al., "A 45nm logic technology...", IEDM 2007: 6T SRAM cell 0.346 um2.
//  Entries marked (est.) are scaled from [H14] as docs/ENERGY_AREA.md explains, not measured.
TechnologyNode make_45nm() {
  TechnologyNode n;
  n.name = "45nm";
  n.energy = {
      {"mac_pj.int8", 0.3},     // 8b mult 0.2 + 32b add 0.1                         [H14]
      {"mac_pj.int16", 0.9},    // 16b mult ~0.8 (quadratic in width) + 32b add   (est.)
      {"mac_pj.fp8", 0.55},     // fp8 mult ~0.15 (mantissa^2) + fp16 add 0.4      (est.)
      {"mac_pj.bf16", 1.5},     // bf16 mult ~0.6 (mantissa^2) + fp32 add 0.9      (est.)
      {"mac_pj.fp16", 2.0},     // fp16 mult 1.1 + fp32 add 0.9                      [H14]
      {"mac_pj.fp32", 4.6},     // fp32 mult 3.7 + fp32 add 0.9                      [H14]
      {"mac_pj.tf32", 2.0},     // 11-bit mantissa like fp16: mult 1.1 + fp32 add 0.9 (est.)
      {"sram_read_pj_per_byte", 2.5},    // 32 KB bank: 20 pJ / 8 B                  [H14]
      {"sram_write_pj_per_byte", 2.5},   // taken equal to a read                    (est.)
      {"accumulator_pj_per_byte", 1.25}, // 8 KB bank: 10 pJ / 8 B                   [H14]
      {"dram_pj_per_byte", 160.0},       // DDR3-class: 1.3 nJ / 8 B                 [H14]
      {"noc_pj_per_byte_hop", 1.0},      // router + ~1 mm link                      (est.)
      {"vector_op_pj", 1.0},             // ~fp16 mult 1.1                           (est.)
      {"leakage_mw_per_mm2", 2.0},       // order of magnitude for 45 nm logic+SRAM  (est.)
  };
  n.area = {
      {"pe_mm2_per_mac.int8", 0.000419},   // 282 + 137 um2                          [H14]
      {"pe_mm2_per_mac.int16", 0.001265},  // 4 x 282 + 137 um2                      (est.)
      {"pe_mm2_per_mac.fp8", 0.001577},    // fp16 mult x (4/11)^2 + fp16 add        (est.)
      {"pe_mm2_per_mac.bf16", 0.005051},   // fp16 mult x (8/11)^2 + fp32 add        (est.)
      {"pe_mm2_per_mac.fp16", 0.005824},   // 1640 + 4184 um2                        [H14]
      {"pe_mm2_per_mac.fp32", 0.011884},   // 7700 + 4184 um2                        [H14]
      {"pe_mm2_per_mac.tf32", 0.005824},   // fp16-sized mult + fp32 add, as fp16    (est.)
      {"sram_mm2_per_kib", 0.004},         // 8192 x 0.346 um2 / 0.7 array efficiency [M07]
      {"vector_lane_mm2", 0.015},          // fp32 mult + add + registers            (est.)
  };
  return n;
}

const std::vector<TechnologyNode>& nodes() {
  static const std::vector<TechnologyNode> all = {make_45nm()};
  return all;
}

}  // namespace

const TechnologyNode* find_technology(std::string_view name) {
  for (const auto& n : nodes())
    if (n.name == name) return &n;
  return nullptr;
}

std::vector<std::string> technology_names() {
  std::vector<std::string> v;
  for (const auto& n : nodes()) v.push_back(n.name);
  return v;
}

}  // namespace npusim::arch
