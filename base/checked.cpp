#include "base/checked.h"

#include <fmt/format.h>

namespace npusim {

std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r))
    throw Error(fmt::format("{}: size overflows 64 bits ({} x {})", what, a, b));
  return r;
}

std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r))
    throw Error(fmt::format("{}: size overflows 64 bits ({} + {})", what, a, b));
  return r;
}

std::int64_t checked_product(std::initializer_list<std::int64_t> xs, std::string_view what) {
  std::int64_t r = 1;
  for (std::int64_t x : xs) r = checked_mul(r, x, what);
  return r;
}

}  // namespace npusim
