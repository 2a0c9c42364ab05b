#include "system/flow_sim.h"

#include <algorithm>
#include <limits>

namespace npusim::system {

namespace {

struct Flow {
  std::size_t schedule = 0;
  std::vector<std::int32_t> route;
  double remaining = 0, total = 0;
  double active_at = 0;  // when its latency has passed
  double rate = 0;
  bool active = false, done = false;
};

// Max-min fair rates of the active flows (progressive filling).
void fair_rates(const Network& net, std::vector<Flow>& flows, const std::vector<std::size_t>& active) {
  const auto& links = net.links();
  std::vector<double> cap(links.size());
  std::vector<std::int32_t> users(links.size(), 0);
  for (std::size_t l = 0; l < links.size(); ++l) cap[l] = links[l].bytes_per_s;
  for (std::size_t f : active) {
    flows[f].rate = -1;  // not frozen
    for (std::int32_t l : flows[f].route) ++users[static_cast<std::size_t>(l)];
  }
  std::size_t left = active.size();
  while (left > 0) {
    double share = std::numeric_limits<double>::infinity();
    for (std::size_t l = 0; l < links.size(); ++l)
      if (users[l] > 0) share = std::min(share, cap[l] / users[l]);
    // Freeze every unfrozen flow crossing a bottleneck link at `share`.
    std::vector<bool> bottleneck(links.size(), false);
    for (std::size_t l = 0; l < links.size(); ++l) bottleneck[l] = users[l] > 0 && cap[l] / users[l] <= share;
    for (std::size_t f : active) {
      Flow& x = flows[f];
      if (x.rate >= 0) continue;
      bool hit = false;
      for (std::int32_t l : x.route) hit = hit || bottleneck[static_cast<std::size_t>(l)];
      if (!hit) continue;
      x.rate = share;
      --left;
      for (std::int32_t l : x.route) {
        cap[static_cast<std::size_t>(l)] -= share;
        --users[static_cast<std::size_t>(l)];
      }
    }
  }
}

}  // namespace

std::vector<double> play(const Network& net, const std::vector<StepSchedule>& schedules, PlayStats* stats) {
  const std::size_t S = schedules.size();
  std::vector<double> finish(S, 0);
  std::vector<std::size_t> step(S, 0), outstanding(S, 0);
  std::vector<Flow> flows;
  std::vector<std::size_t> pending;  // flows waiting for their latency
  std::vector<std::size_t> active;
  PlayStats st;

  auto start_step = [&](std::size_t s, double now) {
    // Skips empty steps; a schedule with no step left is finished at `now`.
    while (step[s] < schedules[s].steps.size()) {
      std::size_t n = 0;
      for (const Transfer& t : schedules[s].steps[step[s]]) {
        if (t.bytes <= 0 || t.src == t.dst) continue;
        Flow f;
        f.schedule = s;
        f.route = net.route(t.src, t.dst);
        f.remaining = f.total = t.bytes;
        f.active_at = now + net.latency_s(f.route);
        flows.push_back(std::move(f));
        pending.push_back(flows.size() - 1);
        ++n;
      }
      st.flows += static_cast<std::int64_t>(n);
      if (n > 0) {
        outstanding[s] = n;
        return;
      }
      ++step[s];
    }
    finish[s] = now;
  };

  for (std::size_t s = 0; s < S; ++s) start_step(s, schedules[s].start_s);

  double now = 0;
  bool rates_stale = true;
  while (!pending.empty() || !active.empty()) {
    ++st.events;
    if (rates_stale) {
      fair_rates(net, flows, active);
      rates_stale = false;
    }
    // Next event: a flow becomes active, or an active flow finishes.
    double next = std::numeric_limits<double>::infinity();
    for (std::size_t f : pending) next = std::min(next, flows[f].active_at);
    for (std::size_t f : active) next = std::min(next, now + flows[f].remaining / flows[f].rate);
    const double dt = next - now;
    now = next;
    // Move bytes, then retire finished flows.
    std::vector<std::size_t> still;
    std::vector<std::size_t> finished;
    for (std::size_t f : active) {
      Flow& x = flows[f];
      const double end = (now - dt) + x.remaining / x.rate;
      if (end <= now || x.remaining - x.rate * dt <= x.total * 1e-12) {
        x.done = true;
        finished.push_back(f);
      } else {
        x.remaining -= x.rate * dt;
        still.push_back(f);
      }
    }
    active.swap(still);
    std::vector<std::size_t> wait;
    for (std::size_t f : pending) {
      if (flows[f].active_at <= now) {
        active.push_back(f);
        rates_stale = true;
      } else {
        wait.push_back(f);
      }
    }
    pending.swap(wait);
    if (!finished.empty()) rates_stale = true;
    for (std::size_t f : finished) {
      const std::size_t s = flows[f].schedule;
      if (--outstanding[s] == 0) {
        ++step[s];
        start_step(s, now);
      }
    }
  }
  if (stats) *stats = st;
  return finish;
}

}  // namespace npusim::system
