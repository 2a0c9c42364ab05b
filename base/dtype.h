// Numeric datatypes of operands and accumulators. A closed set: an enum, not a registry.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace npusim {

// tf32: NVIDIA's tensor-float-32 (fp32 storage, 10-bit mantissa multiplies), the tensor cores'
// rate for fp32 matrices.
enum class DType : std::uint8_t { Int8, Int16, Fp8, Bf16, Fp16, Fp32, Tf32, Int32 };

inline constexpr std::array<DType, 8> kAllDTypes = {DType::Int8, DType::Int16, DType::Fp8,  DType::Bf16,
                                                    DType::Fp16, DType::Fp32,  DType::Tf32, DType::Int32};
// Operand datatypes a PE may multiply (int32 is an accumulator type only).
inline constexpr std::array<DType, 7> kOperandDTypes = {DType::Int8, DType::Int16, DType::Fp8, DType::Bf16,
                                                        DType::Fp16, DType::Fp32,  DType::Tf32};
inline constexpr std::size_t kNumDTypes = kAllDTypes.size();

constexpr std::size_t index_of(DType t) { return static_cast<std::size_t>(t); }

constexpr std::uint32_t bytes_of(DType t) {
  switch (t) {
    case DType::Int8:
    case DType::Fp8: return 1;
    case DType::Int16:
    case DType::Bf16:
    case DType::Fp16: return 2;
    case DType::Fp32:
    case DType::Tf32:
    case DType::Int32: return 4;
  }
  return 0;
}

constexpr bool is_float(DType t) {
  return t == DType::Fp8 || t == DType::Bf16 || t == DType::Fp16 || t == DType::Fp32 || t == DType::Tf32;
}

constexpr std::string_view name_of(DType t) {
  switch (t) {
    case DType::Int8: return "int8";
    case DType::Int16: return "int16";
    case DType::Fp8: return "fp8";
    case DType::Bf16: return "bf16";
    case DType::Fp16: return "fp16";
    case DType::Fp32: return "fp32";
    case DType::Tf32: return "tf32";
    case DType::Int32: return "int32";
  }
  return "?";
}

inline std::optional<DType> parse_dtype(std::string_view s) {
  for (DType t : kAllDTypes)
    if (name_of(t) == s) return t;
  return std::nullopt;
}

}  // namespace npusim
