// A mapping of one layer onto the NPU: how it is split across cores, tiled, ordered, and which
// operand stays resident in the scratchpad. docs/MAPPING.md describes the space and the model.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace npusim::compiler {

enum class Dim : std::uint8_t { M, N, K };
enum class Operand : std::uint8_t { A, B, C };
enum class Resident : std::uint8_t { None, A, B, C };  // operand kept for a whole outer iteration
enum class Split : std::uint8_t { None, G, M, N };     // GEMM dimension divided across cores

std::string_view name_of(Dim d);
std::string_view name_of(Resident r);
std::string_view name_of(Split s);

// Loop order below the outermost group loop, outer to inner, e.g. {M, N, K} = "mnk".
struct LoopOrder {
  std::array<Dim, 3> dims{Dim::M, Dim::N, Dim::K};
  std::string str() const;
  bool operator==(const LoopOrder&) const = default;
};
inline constexpr std::array<LoopOrder, 6> kAllOrders = {
    LoopOrder{{Dim::M, Dim::N, Dim::K}}, LoopOrder{{Dim::N, Dim::M, Dim::K}}, LoopOrder{{Dim::M, Dim::K, Dim::N}},
    LoopOrder{{Dim::K, Dim::M, Dim::N}}, LoopOrder{{Dim::N, Dim::K, Dim::M}}, LoopOrder{{Dim::K, Dim::N, Dim::M}}};

// A convolution's M tile is a rectangle of output pixels: whole images, or whole rows of one
// image, or a run of columns of one row.
struct ConvMTile {
  std::int64_t images = 1, rows = 1, cols = 1;
  std::int64_t pixels() const { return images * rows * cols; }
  bool operator==(const ConvMTile&) const = default;
};

struct Mapping {
  Split split = Split::None;
  std::int32_t cores = 1;  // cores used
  // Tile extents (elements of the GEMM view). Vector layers use tm as rows per tile.
  std::int64_t tg = 1, tm = 1, tn = 1, tk = 1;
  bool conv = false;
  ConvMTile conv_m;        // conv only: the M tile (tm = conv_m.pixels())
  std::int64_t tc = 0;     // conv only: input channels per K tile (tk = tc * kh * kw)
  LoopOrder order;
  Resident resident = Resident::None;
  bool a_on_chip = false;    // A is read from the scratchpad (the previous layer left it there)
  bool out_on_chip = false;  // the output stays in the scratchpad for the next layer
  std::string str() const;   // e.g. "split=m x4 tile g1 m448 n64 k576 order=mnk resident=B"
  bool operator==(const Mapping&) const = default;
};

}  // namespace npusim::compiler
