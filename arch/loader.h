// Architecture files: raw parse -> --set overrides -> validate() -> immutable ArchConfig.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arch/arch_config.h"
#include "arch/raw_yaml.h"

namespace npusim::arch {

// Every problem in the description (empty = valid). `source` names the text in locations.
std::vector<Diagnostic> check_arch(std::string_view yaml_text, const std::string& source,
                                   std::span<const Override> overrides = {});

// The validated configuration, or throws ValidationError holding every problem, or Error for
// a malformed or unknown --set path.
ArchConfigPtr load_arch(std::string_view yaml_text, const std::string& source,
                        std::span<const Override> overrides = {});

// Validates an already-parsed tree (overrides applied). Fills `diags`; returns null if any.
ArchConfigPtr validate(const RawNode& root, std::vector<Diagnostic>& diags);

// Checks each override's path against the schema; throws Error naming an unknown path.
void check_override_paths(std::span<const Override> overrides);

// The effective configuration as YAML: every key, defaults filled, loadable by load_arch().
std::string to_yaml(const ArchConfig& cfg);

// Edit distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);
// " (did you mean 'NAME'?)" for the name of `names` closest to `key`, or "" when none is close.
std::string did_you_mean(const std::vector<std::string>& names, std::string_view key);

}  // namespace npusim::arch
