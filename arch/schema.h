// The architecture schema: every key of an architecture file declared once, with its type,
// unit, legal range, whether it is required, its documentation, and where it lands in
// ArchConfig. Validation, --set, the effective-config dump and docs/CONFIG.md all read it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "arch/arch_config.h"

namespace npusim::arch {

enum class FieldType { Integer, Real, Boolean, Choice, Text };

enum class Presence {
  Required,     // must be given
  Optional,     // may be absent; Field::absent_meaning says what absence means
  TechDefault,  // may be absent when <group>.technology names a node with a default for it
};

using FieldValue = std::variant<std::int64_t, double, bool, std::string>;

struct Field {
  std::string path;  // dotted key path, e.g. core.pe_array.rows
  FieldType type = FieldType::Integer;
  std::string unit;  // "" for dimensionless
  std::string doc;
  Presence presence = Presence::Required;
  std::string absent_meaning;         // Optional only
  std::string tech_group;             // TechDefault only: "energy" or "area"
  std::optional<DType> for_dtype;     // per-datatype entries: only needed when that datatype is supported
  std::optional<double> min, max;     // inclusive bounds
  bool min_exclusive = false;         // min is a strict bound (> min)
  std::vector<std::string> choices;   // Choice only

  std::function<void(ArchConfig&, const FieldValue&)> set;
  std::function<FieldValue(const ArchConfig&)> get;
  // For Optional fields: whether the effective config holds a value (e.g. partitions vs size).
  std::function<bool(const ArchConfig&)> present_in;

  std::string type_name() const;
  std::string range_text() const;  // e.g. ">= 1", "in (0, 10000]", "one of ws|os|is"
};

class Schema {
 public:
  explicit Schema(std::vector<Field> fields);
  const std::vector<Field>& fields() const { return fields_; }
  const Field* find(std::string_view path) const;
  // True if some field lies under `prefix` (so `prefix` must be a map).
  bool is_map_prefix(std::string_view prefix) const;
  // Children names known under a map prefix ("" = root), for "did you mean" hints.
  std::vector<std::string> child_names(std::string_view prefix) const;

 private:
  std::vector<Field> fields_;
};

const Schema& arch_schema();

// Markdown reference of every key (docs/CONFIG.md is this text).
std::string schema_markdown();

}  // namespace npusim::arch
