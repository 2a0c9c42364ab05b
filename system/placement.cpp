#include "system/placement.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/error.h"

namespace npusim::system {

std::string_view name_of(ParallelDim d) {
  switch (d) {
    case ParallelDim::Tensor: return "tp";
    case ParallelDim::Data: return "dp";
    case ParallelDim::Pipeline: return "pp";
  }
  return "?";
}

std::string Placement::str() const {
  return fmt::format("{},{},{}", name_of(order[0]), name_of(order[1]), name_of(order[2]));
}

Placement parse_placement(std::string_view what, std::string_view text) {
  Placement p;
  std::size_t pos = 0;
  std::vector<ParallelDim> seen;
  for (int i = 0; i < 3; ++i) {
    const std::size_t comma = text.find(',', pos);
    const std::string_view part = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    bool ok = false;
    for (ParallelDim d : {ParallelDim::Tensor, ParallelDim::Data, ParallelDim::Pipeline})
      if (name_of(d) == part && std::find(seen.begin(), seen.end(), d) == seen.end()) {
        seen.push_back(d);
        p.order[static_cast<std::size_t>(i)] = d;
        ok = true;
      }
    if (!ok || (i < 2 && comma == std::string_view::npos) || (i == 2 && comma != std::string_view::npos))
      throw Error(fmt::format("{} {}: expected tp, dp and pp once each, innermost first, e.g. tp,dp,pp", what, text));
    pos = comma + 1;
  }
  return p;
}

ChipId Layout::chip(std::int32_t t, std::int32_t d, std::int32_t p) const {
  ChipId c = 0, stride = 1;
  for (ParallelDim dim : placement.order) {
    const std::int32_t size = dim == ParallelDim::Tensor ? tp : dim == ParallelDim::Data ? dp : pp;
    const std::int32_t x = dim == ParallelDim::Tensor ? t : dim == ParallelDim::Data ? d : p;
    c += x * stride;
    stride *= size;
  }
  return first + c;
}

std::vector<std::vector<ChipId>> Layout::tensor_groups(std::int32_t p) const {
  std::vector<std::vector<ChipId>> out(static_cast<std::size_t>(dp));
  for (std::int32_t d = 0; d < dp; ++d)
    for (std::int32_t t = 0; t < tp; ++t) out[static_cast<std::size_t>(d)].push_back(chip(t, d, p));
  return out;
}

std::vector<std::vector<ChipId>> Layout::data_groups(std::int32_t p) const {
  std::vector<std::vector<ChipId>> out(static_cast<std::size_t>(tp));
  for (std::int32_t t = 0; t < tp; ++t)
    for (std::int32_t d = 0; d < dp; ++d) out[static_cast<std::size_t>(t)].push_back(chip(t, d, p));
  return out;
}

std::vector<std::vector<ChipId>> Layout::expert_groups(std::int32_t p, std::int32_t ep) const {
  std::vector<std::vector<ChipId>> out;
  for (const auto& g : data_groups(p))
    for (std::size_t i = 0; i + static_cast<std::size_t>(ep) <= g.size(); i += static_cast<std::size_t>(ep))
      out.emplace_back(g.begin() + static_cast<std::ptrdiff_t>(i), g.begin() + static_cast<std::ptrdiff_t>(i) + ep);
  return out;
}

std::vector<std::vector<ChipId>> Layout::stage_pairs(std::int32_t p, std::int32_t q) const {
  std::vector<std::vector<ChipId>> out;
  for (std::int32_t d = 0; d < dp; ++d)
    for (std::int32_t t = 0; t < tp; ++t) out.push_back({chip(t, d, p), chip(t, d, q)});
  return out;
}

}  // namespace npusim::system
