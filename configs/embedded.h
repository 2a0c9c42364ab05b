// Text files compiled into the binary (architecture presets), so the main job runs on
// embedded defaults with no file on disk.
#pragma once

#include <span>
#include <string_view>

namespace npusim {

struct EmbeddedText {
  const char* name;  // file name without extension, e.g. "edge-npu"
  const char* file;  // file name, e.g. "edge-npu.yaml"
  const char* text;
};

std::span<const EmbeddedText> arch_presets();  // configs/arch/*.yaml
const EmbeddedText* find_arch_preset(std::string_view name);

inline constexpr std::string_view kDefaultArchPreset = "edge-npu";

std::span<const EmbeddedText> system_presets();  // configs/systems/*.yaml (system/system_config.h)
const EmbeddedText* find_system_preset(std::string_view name);

}  // namespace npusim
