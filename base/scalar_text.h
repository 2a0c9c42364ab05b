// The spelling of YAML/command-line scalars that npusim accepts, shared by the architecture
// loader (`--set`, config files) and the sweep specs, so a value means the same thing in both;
// and the way a value is printed back (reports, tables).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace npusim::text {

// true/yes/on and false/no/off, any case.
bool parse_bool(std::string_view s, bool& out);
// A whole decimal integer, an optional leading '+'; nothing else on the line.
bool parse_int(std::string_view s, std::int64_t& out);
// A whole finite real number (fixed or scientific), an optional leading '+'.
bool parse_real(std::string_view s, double& out);

// A scalar as a person writes it: "16" for 16, "0.5" for 0.5, "ws" for "ws", "true" for true
// (a design point's axis value in tables and reports).
std::string value_text(const nlohmann::json& v);

}  // namespace npusim::text
