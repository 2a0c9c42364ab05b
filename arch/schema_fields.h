// Builders of schema fields (arch/schema.h) for any configuration type: one key bound to one
// member of the validated configuration, with its unit, range and documentation. The
// architecture schema (arch/schema.cpp) and the system schema (system/system_config.cpp) are
// declared with them.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "arch/schema.h"

namespace npusim::arch::fields {

// `acc` is a generic lambda returning a reference to the member (callable on const and non-const).
template <class Config, class Acc>
BasicField<Config> number(std::string path, FieldType type, std::string unit, std::string doc, Acc acc,
                          double scale = 1.0) {
  BasicField<Config> f;
  f.path = std::move(path);
  f.type = type;
  f.unit = std::move(unit);
  f.doc = std::move(doc);
  f.set = [acc, scale](Config& c, const FieldValue& v) {
    auto& m = acc(c);
    using T = std::remove_reference_t<decltype(m)>;
    double x = std::holds_alternative<std::int64_t>(v) ? static_cast<double>(std::get<std::int64_t>(v))
                                                       : std::get<double>(v);
    if constexpr (std::is_integral_v<T>)
      m = static_cast<T>(std::llround(x * scale));
    else
      m = static_cast<T>(x * scale);
  };
  f.get = [acc, scale, type](const Config& c) -> FieldValue {
    const auto& m = acc(c);
    if (type == FieldType::Integer) return static_cast<std::int64_t>(std::llround(static_cast<double>(m) / scale));
    return static_cast<double>(m) / scale;
  };
  return f;
}

template <class Config, class Acc>
BasicField<Config> integer(std::string path, std::string unit, std::string doc, Acc acc, double scale = 1.0) {
  return number<Config>(std::move(path), FieldType::Integer, std::move(unit), std::move(doc), acc, scale);
}
template <class Config, class Acc>
BasicField<Config> real(std::string path, std::string unit, std::string doc, Acc acc) {
  return number<Config>(std::move(path), FieldType::Real, std::move(unit), std::move(doc), acc);
}

template <class Config, class Acc>
BasicField<Config> boolean(std::string path, std::string doc, Acc acc) {
  BasicField<Config> f;
  f.path = std::move(path);
  f.type = FieldType::Boolean;
  f.doc = std::move(doc);
  f.set = [acc](Config& c, const FieldValue& v) { acc(c) = std::get<bool>(v); };
  f.get = [acc](const Config& c) -> FieldValue { return acc(c); };
  return f;
}

template <class Config, class Acc>
BasicField<Config> text(std::string path, std::string doc, Acc acc) {
  BasicField<Config> f;
  f.path = std::move(path);
  f.type = FieldType::Text;
  f.doc = std::move(doc);
  f.set = [acc](Config& c, const FieldValue& v) { acc(c) = std::get<std::string>(v); };
  f.get = [acc](const Config& c) -> FieldValue { return acc(c); };
  return f;
}

// A closed set: the i-th choice is the enum value with underlying value i.
template <class Config, class Acc>
BasicField<Config> choice(std::string path, std::vector<std::string> choices, std::string doc, Acc acc) {
  BasicField<Config> f;
  f.path = std::move(path);
  f.type = FieldType::Choice;
  f.doc = std::move(doc);
  f.choices = choices;
  f.set = [acc, choices](Config& c, const FieldValue& v) {
    auto& m = acc(c);
    using E = std::remove_reference_t<decltype(m)>;
    auto it = std::find(choices.begin(), choices.end(), std::get<std::string>(v));
    m = static_cast<E>(it - choices.begin());
  };
  f.get = [acc, choices](const Config& c) -> FieldValue { return choices.at(static_cast<std::size_t>(acc(c))); };
  return f;
}

template <class F>
F&& at_least(F&& f, double lo) {
  f.min = lo;
  return std::forward<F>(f);
}
template <class F>
F&& above(F&& f, double lo) {
  f.min = lo;
  f.min_exclusive = true;
  return std::forward<F>(f);
}
template <class F>
F&& at_most(F&& f, double hi) {
  f.max = hi;
  return std::forward<F>(f);
}
template <class F>
F&& optional(F&& f, std::string meaning) {
  f.presence = Presence::Optional;
  f.absent_meaning = std::move(meaning);
  return std::forward<F>(f);
}
template <class F>
F&& tech_default(F&& f, std::string group) {
  f.presence = Presence::TechDefault;
  f.tech_group = std::move(group);
  return std::forward<F>(f);
}

}  // namespace npusim::arch::fields
