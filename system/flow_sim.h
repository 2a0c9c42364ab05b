// The discrete-event link model: messages (flows) over the network's links, each link's bandwidth
// shared max-min fairly among the flows crossing it (progressive filling), recomputed whenever a
// flow starts or ends. A flow waits its route's latency, then moves its bytes at its share. On an
// idle network a flow of M bytes over a route of latency a and narrowest bandwidth B takes
// exactly a + M / B, so a collective played here costs exactly its alpha-beta formula; flows
// sharing a link take longer.
//
// Collectives are played as step schedules: the transfers of a step start together once every
// transfer of the previous step has arrived. Several schedules played together share the links.
#pragma once

#include <cstdint>
#include <vector>

#include "system/network.h"

namespace npusim::system {

struct Transfer {
  ChipId src = 0, dst = 0;
  double bytes = 0;
};

struct StepSchedule {
  std::vector<std::vector<Transfer>> steps;
  double start_s = 0;  // when its first step may start
};

struct PlayStats {
  std::int64_t flows = 0, events = 0;
};

// Plays the schedules at once; returns when each one's last transfer arrived (its start_s when
// it has no transfer).
std::vector<double> play(const Network& net, const std::vector<StepSchedule>& schedules, PlayStats* stats = nullptr);

}  // namespace npusim::system
