// The links of a system and the route of a message between two chips. Every link carries bytes
// one way at its bandwidth; a message pays the latency of the links it crosses once, then moves
// at the rate the link model (flow_sim.h) gives it.
//
//  - intra-node switch: each chip has an up and a down port of intra_node.bandwidth_gb_per_s;
//    a message between two chips of a node crosses the sender's up port and the receiver's down
//    port (intra_node.latency_us once);
//  - intra-node ring / torus: links between neighbours, the chip's bandwidth split evenly over its
//    outgoing links (2 for a ring, 2 per dimension for a torus); dimension-order routes, the
//    shorter way round; intra_node.latency_us per hop;
//  - fat tree and rails: each node has min(nics_per_node, chips_per_node) ports to the network,
//    inter_node.bandwidth_gb_per_s split over them; chip j of a node uses port j x ports /
//    chips_per_node. On a fat tree any port reaches any port; on rails port k only reaches port k
//    of other nodes, so a message to another rail first crosses the intra-node fabric to the
//    node's chip on that rail. inter_node.latency_us once per message;
//  - inter-node torus: links between neighbour nodes, the node's bandwidth split over its 2 per
//    dimension; inter_node.latency_us per hop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "system/system_config.h"

namespace npusim::system {

using ChipId = std::int32_t;

struct Link {
  double bytes_per_s = 0;
  double latency_s = 0;
  bool inter = false;  // a link between nodes
  std::string name;    // e.g. "node0.chip3.up", "node2.nic1.down"
};

class Network {
 public:
  explicit Network(const SystemConfig& s);

  std::int32_t chips() const { return nodes_ * cpn_; }
  std::int32_t nodes() const { return nodes_; }
  std::int32_t chips_per_node() const { return cpn_; }
  std::int32_t node_of(ChipId c) const { return c / cpn_; }
  std::int32_t port_of(ChipId c) const { return (c % cpn_) * ports_ / cpn_; }
  const std::vector<Link>& links() const { return links_; }
  const Link& link(std::int32_t i) const { return links_.at(static_cast<std::size_t>(i)); }

  // When the whole system is one torus (one node with a ring or torus inside, or one chip per node
  // with a torus between nodes): its dimensions (chip numbers row-major, dimension 0 fastest);
  // otherwise empty.
  std::vector<std::int32_t> torus_shape() const;
  // The links a message from a to b crosses, in order (empty when a == b).
  std::vector<std::int32_t> route(ChipId a, ChipId b) const;
  double latency_s(const std::vector<std::int32_t>& route) const;
  // The narrowest link of a route (bytes/s).
  double bottleneck(const std::vector<std::int32_t>& route) const;

 private:
  std::int32_t add(double gbps, double latency_us, bool inter, std::string name);
  void intra_route(ChipId a, ChipId b, std::vector<std::int32_t>& out) const;
  // Positions a, b of a torus of `shape` whose links start at links[offset] (2 per dimension per
  // position, + then -).
  void torus_route(const std::vector<std::int32_t>& shape, std::int32_t a, std::int32_t b,
                   const std::vector<std::int32_t>& links, std::size_t offset, std::vector<std::int32_t>& out) const;

  std::int32_t nodes_ = 0, cpn_ = 0, ports_ = 0;
  IntraFabric intra_ = IntraFabric::Switch;
  InterTopology inter_ = InterTopology::FatTree;
  std::vector<std::int32_t> intra_shape_, inter_shape_;
  std::vector<Link> links_;
  // switch: up/down per chip; ring/torus: per chip, 2 links per dimension (+, -)
  std::vector<std::int32_t> chip_up_, chip_down_, chip_links_;
  // fat tree / rails: up/down per node port; torus: per node, 2 links per dimension
  std::vector<std::int32_t> port_up_, port_down_, node_links_;
};

}  // namespace npusim::system
