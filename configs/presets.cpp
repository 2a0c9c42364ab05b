#include "configs/embedded.h"

namespace npusim {

const EmbeddedText* find_arch_preset(std::string_view name) {
  for (const auto& p : arch_presets())
    if (name == p.name) return &p;
  return nullptr;
}

const EmbeddedText* find_system_preset(std::string_view name) {
  for (const auto& p : system_presets())
    if (name == p.name) return &p;
  return nullptr;
}

}  // namespace npusim
