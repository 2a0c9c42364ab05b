#include "validate/harness/dtype.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace npusim::validate::harness {

double bf16_bits_to_double(std::uint16_t bits) {
  const std::uint32_t u = static_cast<std::uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

double fp16_bits_to_double(std::uint16_t bits) {
  const int sign = bits >> 15, exp = (bits >> 10) & 0x1f, man = bits & 0x3ff;
  double v;
  if (exp == 0x1f)
    v = man ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  else if (exp == 0)
    v = std::ldexp(static_cast<double>(man), -24);  // subnormal: man x 2^-24
  else
    v = std::ldexp(1.0 + man / 1024.0, exp - 15);
  return sign ? -v : v;
}

double element_to_double(DType t, const void* data, std::size_t i) {
  switch (t) {
    case DType::bf16: {
      std::uint16_t b;
      std::memcpy(&b, static_cast<const unsigned char*>(data) + 2 * i, 2);
      return bf16_bits_to_double(b);
    }
    case DType::fp16: {
      std::uint16_t b;
      std::memcpy(&b, static_cast<const unsigned char*>(data) + 2 * i, 2);
      return fp16_bits_to_double(b);
    }
    case DType::fp32: {
      float f;
      std::memcpy(&f, static_cast<const unsigned char*>(data) + 4 * i, 4);
      return f;
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace npusim::validate::harness
