// The architecture schema: every key of an architecture file declared once, with its type,
// unit, legal range, whether it is required, its documentation, and where it lands in
// ArchConfig. Validation, --set, the effective-config dump and docs/CONFIG.md all read it.
// The machinery (fields, schemas, arch/schema_tree.h's validation) is generic over the
// configuration type, so other descriptions (system/) are declared and validated the same way.
#pragma once

#include <algorithm>
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

// What a key is, whatever configuration it fills.
struct FieldSpec {
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

  std::string type_name() const;
  std::string range_text() const;  // e.g. ">= 1", "in (0, 10000]", "one of ws|os|is"
};

// A key and where it lands in a Config.
template <class Config>
struct BasicField : FieldSpec {
  std::function<void(Config&, const FieldValue&)> set;
  std::function<FieldValue(const Config&)> get;
  // For Optional fields: whether the effective config holds a value (e.g. partitions vs size).
  std::function<bool(const Config&)> present_in;
};

// Whether some path lies under `prefix` (so `prefix` must be a map), and the names of the
// children of a map prefix ("" = root).
bool is_map_prefix(const std::vector<const FieldSpec*>& fields, std::string_view prefix);
std::vector<std::string> child_names(const std::vector<const FieldSpec*>& fields, std::string_view prefix);

template <class Config>
class BasicSchema {
 public:
  using Config_t = Config;
  explicit BasicSchema(std::vector<BasicField<Config>> fields) : fields_(std::move(fields)) {
    for (const auto& f : fields_) specs_.push_back(&f);
  }
  BasicSchema(const BasicSchema&) = delete;
  BasicSchema& operator=(const BasicSchema&) = delete;
  const std::vector<BasicField<Config>>& fields() const { return fields_; }
  const BasicField<Config>* find(std::string_view path) const {
    for (const auto& f : fields_)
      if (f.path == path) return &f;
    return nullptr;
  }
  // True if some field lies under `prefix` (so `prefix` must be a map).
  bool is_map_prefix(std::string_view prefix) const { return arch::is_map_prefix(specs_, prefix); }
  // Children names known under a map prefix ("" = root), for "did you mean" hints.
  std::vector<std::string> child_names(std::string_view prefix) const { return arch::child_names(specs_, prefix); }

 private:
  std::vector<BasicField<Config>> fields_;
  std::vector<const FieldSpec*> specs_;
};

using Field = BasicField<ArchConfig>;
using Schema = BasicSchema<ArchConfig>;

const Schema& arch_schema();

// Markdown reference of every key (docs/CONFIG.md is this text).
std::string schema_markdown();
// The table of keys of any schema, as schema_markdown() lays it out.
std::string fields_markdown(const std::vector<const FieldSpec*>& fields);

}  // namespace npusim::arch
