// Documented per-node defaults for the energy and area tables. The figures and their sources
// are in docs/ENERGY_AREA.md; keys are schema paths relative to their group.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace npusim::arch {

struct TechnologyNode {
  std::string name;
  std::map<std::string, double, std::less<>> energy;  // e.g. "mac_pj.int8" -> 0.3
  std::map<std::string, double, std::less<>> area;    // e.g. "sram_mm2_per_kib" -> 0.004
};

const TechnologyNode* find_technology(std::string_view name);
std::vector<std::string> technology_names();

}  // namespace npusim::arch
