// The spelling of YAML/command-line scalars that npusim accepts, shared by the architecture
// loader (`--set`, config files) and the sweep specs, so a value means the same thing in both.
#pragma once

#include <cstdint>
#include <string_view>

namespace npusim::text {

// true/yes/on and false/no/off, any case.
bool parse_bool(std::string_view s, bool& out);
// A whole decimal integer, an optional leading '+'; nothing else on the line.
bool parse_int(std::string_view s, std::int64_t& out);
// A whole finite real number (fixed or scientific), an optional leading '+'.
bool parse_real(std::string_view s, double& out);

}  // namespace npusim::text
