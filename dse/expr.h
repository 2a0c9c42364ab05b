// The constraint language of sweep specs: `lhs OP rhs` (OP one of <= < >= > == !=) over numbers,
// quoted text, architecture key paths (core.pe_array.rows) and derived values (area_mm2,
// peak_tops, ...), with + - * / and parentheses. Parsed once, with the spec's file:line:col in
// every error; evaluated on each design point's validated configuration, or on the raw values of
// a point that does not validate (docs/SWEEPS.md).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "arch/raw_yaml.h"
#include "base/error.h"

namespace npusim::dse {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;
struct Constraint {
  std::string text;
  SourceLoc loc;
  ExprPtr lhs, rhs;
  std::string op;  // <= < >= > == !=
};
// Derived values a constraint may name besides config keys (name, unit, meaning).
struct DerivedValue {
  std::string name, unit, description;
  double (*value)(const arch::ArchConfig&);
};
const std::vector<DerivedValue>& derived_values();
// Parses `text`; throws ValidationError at `loc` naming an unknown name or a syntax error.
Constraint parse_constraint(const std::string& text, const SourceLoc& loc);
// Whether `cfg` satisfies the constraint. Throws Error when a key is absent from this config.
bool satisfies(const Constraint& c, const arch::ArchConfig& cfg);
// For a point that does not validate: the constraint over the raw values of its tree (the base
// with its overrides), or nullopt when it names a derived value or a key the tree lacks.
std::optional<bool> satisfies_raw(const Constraint& c, const RawNode& root);

}  // namespace npusim::dse
