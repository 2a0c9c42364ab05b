// Placement of a parallel plan's ranks onto the chips of a system: rank (t, d, p) of a tensor-
// parallel group of tp, a data-parallel group of dp and a pipeline of pp stages goes to a chip by
// a mixed-radix number whose digits are taken in `order`, innermost (fastest) first. The default
// "tp,dp,pp" keeps a tensor-parallel group on consecutive chips (inside a node when tp <=
// chips_per_node, as Megatron-LM places it); "dp,tp,pp" spreads it over nodes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "system/network.h"

namespace npusim::system {

enum class ParallelDim : std::uint8_t { Tensor, Data, Pipeline };
std::string_view name_of(ParallelDim d);  // "tp", "dp", "pp"

struct Placement {
  std::array<ParallelDim, 3> order = {ParallelDim::Tensor, ParallelDim::Data, ParallelDim::Pipeline};
  std::string str() const;  // "tp,dp,pp"
};
// "tp,dp,pp" (any permutation); throws Error naming the flag and the value.
Placement parse_placement(std::string_view what, std::string_view text);

struct Layout {
  std::int32_t tp = 1, dp = 1, pp = 1;
  Placement placement;
  ChipId first = 0;  // chips [first, first + tp dp pp)

  std::int32_t chips() const { return tp * dp * pp; }
  ChipId chip(std::int32_t t, std::int32_t d, std::int32_t p) const;
  // Every tensor-parallel group of stage p (one per data-parallel rank).
  std::vector<std::vector<ChipId>> tensor_groups(std::int32_t p) const;
  // Every data-parallel group of stage p (one per tensor-parallel rank); with expert parallelism
  // ep, the expert groups are the consecutive ep ranks of each of them.
  std::vector<std::vector<ChipId>> data_groups(std::int32_t p) const;
  std::vector<std::vector<ChipId>> expert_groups(std::int32_t p, std::int32_t ep) const;
  // The pairs (stage p, stage q) with the same tensor- and data-parallel rank.
  std::vector<std::vector<ChipId>> stage_pairs(std::int32_t p, std::int32_t q) const;
};

}  // namespace npusim::system
