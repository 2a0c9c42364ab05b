#include "system/network.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/error.h"

namespace npusim::system {

std::string_view name_of(IntraFabric f) {
  switch (f) {
    case IntraFabric::Switch: return "switch";
    case IntraFabric::Ring: return "ring";
    case IntraFabric::Torus: return "torus";
  }
  return "?";
}

std::string_view name_of(InterTopology t) {
  switch (t) {
    case InterTopology::FatTree: return "fat_tree";
    case InterTopology::RailOptimized: return "rail_optimized";
    case InterTopology::Torus: return "torus";
  }
  return "?";
}

namespace {

// A ring is a one-dimensional torus.
std::vector<std::int32_t> intra_dims(const SystemConfig& s) {
  if (s.intra_node.fabric == IntraFabric::Ring) return {s.chips_per_node};
  return s.intra_node.shape;
}

}  // namespace

std::int32_t Network::add(double gbps, double latency_us, bool inter, std::string name) {
  links_.push_back(Link{gbps * 1e9, latency_us * 1e-6, inter, std::move(name)});
  return static_cast<std::int32_t>(links_.size() - 1);
}

Network::Network(const SystemConfig& s)
    : nodes_(s.nodes), cpn_(s.chips_per_node), intra_(s.intra_node.fabric), inter_(s.inter_node.topology) {
  if (nodes_ < 1 || cpn_ < 1) throw Error(fmt::format("system '{}': needs at least one node and one chip per node", s.name));
  const auto& in = s.intra_node;
  if (cpn_ > 1) {
    if (intra_ == IntraFabric::Switch) {
      for (ChipId c = 0; c < chips(); ++c) {
        chip_up_.push_back(add(in.bandwidth_gb_per_s, in.latency_us, false, fmt::format("node{}.chip{}.up", node_of(c), c % cpn_)));
        chip_down_.push_back(add(in.bandwidth_gb_per_s, 0, false, fmt::format("node{}.chip{}.down", node_of(c), c % cpn_)));
      }
    } else {
      intra_shape_ = intra_dims(s);
      const double per_link = in.bandwidth_gb_per_s / double(2 * intra_shape_.size());
      for (ChipId c = 0; c < chips(); ++c)
        for (std::size_t d = 0; d < intra_shape_.size(); ++d)
          for (const char* dir : {"+", "-"})
            chip_links_.push_back(add(per_link, in.latency_us, false, fmt::format("node{}.chip{}.d{}{}", node_of(c), c % cpn_, d, dir)));
    }
  }
  const auto& out = s.inter_node;
  if (nodes_ > 1) {
    if (inter_ == InterTopology::Torus) {
      inter_shape_ = out.shape;
      const double per_link = out.bandwidth_gb_per_s / double(2 * inter_shape_.size());
      for (std::int32_t n = 0; n < nodes_; ++n)
        for (std::size_t d = 0; d < inter_shape_.size(); ++d)
          for (const char* dir : {"+", "-"})
            node_links_.push_back(add(per_link, out.latency_us, true, fmt::format("node{}.d{}{}", n, d, dir)));
    } else {
      ports_ = std::min(out.nics_per_node, cpn_);
      const double per_port = out.bandwidth_gb_per_s / ports_;
      for (std::int32_t n = 0; n < nodes_; ++n)
        for (std::int32_t k = 0; k < ports_; ++k) {
          port_up_.push_back(add(per_port, out.latency_us, true, fmt::format("node{}.nic{}.up", n, k)));
          port_down_.push_back(add(per_port, 0, true, fmt::format("node{}.nic{}.down", n, k)));
        }
    }
  }
  if (ports_ == 0) ports_ = 1;
}

void Network::torus_route(const std::vector<std::int32_t>& shape, std::int32_t a, std::int32_t b,
                          const std::vector<std::int32_t>& links, std::size_t offset,
                          std::vector<std::int32_t>& out) const {
  // a, b: positions in the torus (row-major over shape, dimension 0 fastest). Dimension order,
  // the shorter way round (ties: +).
  const std::size_t D = shape.size();
  std::vector<std::int32_t> pa(D), pb(D);
  for (std::size_t d = 0, x = static_cast<std::size_t>(a), y = static_cast<std::size_t>(b); d < D; ++d) {
    pa[d] = static_cast<std::int32_t>(x % static_cast<std::size_t>(shape[d]));
    pb[d] = static_cast<std::int32_t>(y % static_cast<std::size_t>(shape[d]));
    x /= static_cast<std::size_t>(shape[d]);
    y /= static_cast<std::size_t>(shape[d]);
  }
  auto index = [&](const std::vector<std::int32_t>& p) {
    std::int32_t i = 0;
    for (std::size_t d = D; d-- > 0;) i = i * shape[d] + p[d];
    return i;
  };
  std::vector<std::int32_t> p = pa;
  for (std::size_t d = 0; d < D; ++d) {
    const std::int32_t k = shape[d];
    const std::int32_t fwd = ((pb[d] - p[d]) % k + k) % k;
    const bool plus = fwd <= k - fwd;
    const std::int32_t hops = plus ? fwd : k - fwd;
    for (std::int32_t h = 0; h < hops; ++h) {
      const std::int32_t here = index(p);
      out.push_back(links[offset + static_cast<std::size_t>(here) * 2 * D + 2 * d + (plus ? 0 : 1)]);
      p[d] = ((p[d] + (plus ? 1 : -1)) % k + k) % k;
    }
  }
}

void Network::intra_route(ChipId a, ChipId b, std::vector<std::int32_t>& out) const {
  if (a == b) return;
  if (intra_ == IntraFabric::Switch) {
    out.push_back(chip_up_[static_cast<std::size_t>(a)]);
    out.push_back(chip_down_[static_cast<std::size_t>(b)]);
    return;
  }
  const std::int32_t base = node_of(a) * cpn_;
  torus_route(intra_shape_, a - base, b - base, chip_links_, static_cast<std::size_t>(base) * 2 * intra_shape_.size(),
              out);
}

std::vector<std::int32_t> Network::route(ChipId a, ChipId b) const {
  if (a < 0 || b < 0 || a >= chips() || b >= chips())
    throw Error(fmt::format("internal: route between chips {} and {} of {}", a, b, chips()));
  std::vector<std::int32_t> r;
  if (a == b) return r;
  const std::int32_t na = node_of(a), nb = node_of(b);
  if (na == nb) {
    intra_route(a, b, r);
    return r;
  }
  if (inter_ == InterTopology::Torus) {
    torus_route(inter_shape_, na, nb, node_links_, 0, r);
    return r;
  }
  std::int32_t port = port_of(a);
  if (inter_ == InterTopology::RailOptimized && port_of(b) != port) {
    port = port_of(b);
    ChipId peer = na * cpn_;
    while (port_of(peer) != port) ++peer;
    intra_route(a, peer, r);
  }
  r.push_back(port_up_[static_cast<std::size_t>(na * ports_ + port)]);
  r.push_back(port_down_[static_cast<std::size_t>(nb * ports_ + port_of(b))]);
  return r;
}

std::vector<std::int32_t> Network::torus_shape() const {
  if (nodes_ == 1 && cpn_ > 1 && intra_ != IntraFabric::Switch) return intra_shape_;
  if (cpn_ == 1 && nodes_ > 1 && inter_ == InterTopology::Torus) return inter_shape_;
  return {};
}

double Network::latency_s(const std::vector<std::int32_t>& route) const {
  double s = 0;
  for (std::int32_t l : route) s += links_[static_cast<std::size_t>(l)].latency_s;
  return s;
}

double Network::bottleneck(const std::vector<std::int32_t>& route) const {
  double b = 0;
  for (std::int32_t l : route) {
    const double x = links_[static_cast<std::size_t>(l)].bytes_per_s;
    b = b == 0 ? x : std::min(b, x);
  }
  return b;
}

}  // namespace npusim::system
