// Hashing of text: FNV-1a over 64 bits. The config hash of a sweep's design point is this of its
// effective YAML; the mapping cache keys by it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace npusim {

inline constexpr std::uint64_t kFnv1a64Offset = 0xcbf29ce484222325ULL;

// FNV-1a, 64 bits, continuing from `h` (start from kFnv1a64Offset).
constexpr std::uint64_t fnv1a64(std::string_view text, std::uint64_t h = kFnv1a64Offset) {
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// 16 lower-case hex digits.
std::string hex64(std::uint64_t h);

}  // namespace npusim
