// Routes between cores and DRAM channels for each interconnect topology: which links a core's
// reads and writes cross, with what share of its traffic, and how many hops. The analytic
// model derives bandwidth roofs and energy from it; the SystemC model builds its links from it.
//
//  bus       one shared, half-duplex link: reads and writes of every core use it; 1 hop.
//  crossbar  a full-duplex link per core and per DRAM channel through one switch; 1 hop.
//  ring      memory node 0 and cores 1..P on a bidirectional ring; shortest direction
//            (clockwise on ties); hops = ring distance.
//  mesh      cores at routers (r, c) in row-major order; a memory port at the west edge of each
//            row, channel ch on the port of row ch % rows; XY routing (X first towards the
//            port column, then Y); hops = |dc| + |dr| + 1 (the port link).
// Addresses interleave over channels, so a core spreads its traffic over ports by channel count.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "arch/arch_config.h"

namespace npusim::arch {

struct NocLink {
  std::string name;
  double bytes_per_cycle = 0;
};

struct NocShare {
  std::int32_t link = 0;
  double fraction = 0;  // of the core's traffic in that direction
};

struct NocRoute {
  std::vector<NocShare> reads;   // DRAM -> core
  std::vector<NocShare> writes;  // core -> DRAM
  double mean_hops = 0;          // traffic-weighted
  std::int32_t max_hops = 0;
};

struct NocModel {
  Topology topology = Topology::Bus;
  std::vector<NocLink> links;
  std::vector<NocRoute> routes;  // one per core, derived from the paths below
  // The links a transfer crosses, in travel order: read_path[core][channel] from the channel's
  // memory port to the core, write_path[core][channel] from the core to the port.
  std::vector<std::vector<std::vector<std::int32_t>>> read_path, write_path;
  // Router or bus traversals of a path (each costs hop_latency_cycles): the links of a ring or
  // mesh path, one for a bus or a crossbar (one switch, two links).
  std::vector<std::vector<std::int32_t>> hops;  // [core][channel]

  // Cycles the busiest link needs to carry the given per-core bytes (a bandwidth roof).
  double transfer_cycles(std::span<const double> read_bytes, std::span<const double> write_bytes) const;
  // sum over cores of bytes * mean hops (for energy).
  double byte_hops(std::span<const double> read_bytes, std::span<const double> write_bytes) const;
};

NocModel build_noc(const ArchConfig& cfg);

}  // namespace npusim::arch
