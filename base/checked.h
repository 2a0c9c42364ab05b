// Overflow-checked integer arithmetic for sizes: a tensor whose byte count does not fit in
// 64 bits is a user error, not undefined behaviour.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "base/error.h"

namespace npusim {

// a*b, or throws Error("<what>: size overflows 64 bits").
std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view what);
std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what);
std::int64_t checked_product(std::initializer_list<std::int64_t> xs, std::string_view what);

constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
constexpr std::int64_t round_up(std::int64_t a, std::int64_t q) { return ceil_div(a, q) * q; }

}  // namespace npusim
