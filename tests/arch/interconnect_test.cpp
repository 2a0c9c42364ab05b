// arch/interconnect: routes per topology.
#include <gtest/gtest.h>

#include "arch/interconnect.h"
#include "arch/loader.h"
#include "configs/embedded.h"

using namespace npusim;

namespace {
// The edge preset with `cores` cores and the given topology (not mesh).
arch::ArchConfigPtr edge(int cores, const char* topology) {
  std::vector<Override> ov = {parse_override("cores=" + std::to_string(cores)),
                              parse_override(std::string("interconnect.topology=") + topology)};
  return arch::load_arch(find_arch_preset("edge-npu")->text, "edge-npu.yaml", ov);
}
}  // namespace

TEST(Interconnect, BusSharesBandwidthAcrossCoresAndDirections) {
  auto base = arch::load_arch(find_arch_preset("edge-npu")->text, "x", std::vector<Override>{parse_override("cores=4")});
  auto noc = arch::build_noc(*base);
  ASSERT_EQ(noc.links.size(), 1u);
  std::vector<double> rd(4, 1600.0), wr(4, 400.0);
  // 4 x 2000 bytes over one 16 B/cycle link
  EXPECT_DOUBLE_EQ(noc.transfer_cycles(rd, wr), 8000.0 / 16.0);
}

TEST(Interconnect, MeshRoutesXYToWestPorts) {
  auto c = arch::load_arch(find_arch_preset("dc-npu")->text, "x");
  auto noc = arch::build_noc(*c);
  ASSERT_EQ(noc.routes.size(), 4u);
  // core 0 at (0,0): port link only; core 3 at (1,1): one X hop, then Y to a port or none
  EXPECT_EQ(noc.routes[0].max_hops, 2);  // to the port of row 1: Y hop + port
  EXPECT_GE(noc.routes[3].max_hops, noc.routes[0].max_hops);
  double share = 0;
  for (const auto& s : noc.routes[3].reads)
    if (noc.links[static_cast<std::size_t>(s.link)].name.rfind("port", 0) == 0) share += s.fraction;
  EXPECT_DOUBLE_EQ(share, 1.0);  // all of a core's traffic leaves through some port
}

TEST(Interconnect, CrossbarGivesEachCoreItsLink) {
  auto noc = arch::build_noc(*edge(4, "crossbar"));
  EXPECT_EQ(noc.links.size(), 4u * 2 + 1 * 2);  // in/out per core and per channel
  std::vector<double> rd(4, 1000.0), wr(4, 0.0);
  // each core's own link carries 1000 B, the single channel's link all 4000 B
  EXPECT_DOUBLE_EQ(noc.transfer_cycles(rd, wr), 4000.0 / 16.0);
  std::vector<double> one(4, 0.0);
  one[2] = 1000.0;
  EXPECT_DOUBLE_EQ(noc.transfer_cycles(one, std::vector<double>(4, 0.0)), 1000.0 / 16.0);
  for (const auto& r : noc.routes) EXPECT_EQ(r.max_hops, 1);
}

TEST(Interconnect, RingTakesTheShorterArc) {
  auto noc = arch::build_noc(*edge(5, "ring"));  // 6 nodes: memory 0, cores 1..5
  ASSERT_EQ(noc.routes.size(), 5u);
  EXPECT_EQ(noc.routes[0].max_hops, 1);  // node 1
  EXPECT_EQ(noc.routes[2].max_hops, 3);  // node 3: opposite the memory node
  EXPECT_EQ(noc.routes[4].max_hops, 1);  // node 5, counter-clockwise
  // all traffic enters the ring through the two links next to the memory node
  std::vector<double> rd(5, 100.0), wr(5, 0.0);
  EXPECT_DOUBLE_EQ(noc.transfer_cycles(rd, wr), 300.0 / 16.0);  // clockwise arc: cores 1..3
}
