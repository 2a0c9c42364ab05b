// Element types of the GPU measurements (host-only C++: no CUDA).
#pragma once

#include <optional>
#include <string_view>

namespace npusim::validate::harness {

enum class DType { bf16, fp16, fp32 };

constexpr int bytes(DType t) { return t == DType::fp32 ? 4 : 2; }

constexpr std::string_view name(DType t) {
  switch (t) {
    case DType::bf16: return "bf16";
    case DType::fp16: return "fp16";
    case DType::fp32: return "fp32";
  }
  return "?";
}

// significand precision in bits, hidden bit included (bf16 8, fp16 11, fp32 24)
constexpr int precision_bits(DType t) {
  switch (t) {
    case DType::bf16: return 8;
    case DType::fp16: return 11;
    case DType::fp32: return 24;
  }
  return 0;
}

// unit roundoff of round-to-nearest: 2^-p
constexpr double unit_roundoff(DType t) {
  double u = 1.0;
  for (int i = 0; i < precision_bits(t); ++i) u /= 2;
  return u;
}

constexpr std::optional<DType> parse_dtype(std::string_view s) {
  if (s == "bf16") return DType::bf16;
  if (s == "fp16") return DType::fp16;
  if (s == "fp32") return DType::fp32;
  return std::nullopt;
}

}  // namespace npusim::validate::harness

#include <cstddef>
#include <cstdint>

namespace npusim::validate::harness {

// element i of an array of type t in host memory, as a double (bf16 and fp16 decoded exactly,
// NaN and infinities included)
double element_to_double(DType t, const void* data, std::size_t i);
double bf16_bits_to_double(std::uint16_t bits);
double fp16_bits_to_double(std::uint16_t bits);

}  // namespace npusim::validate::harness
