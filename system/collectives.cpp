#include "system/collectives.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "base/error.h"

namespace npusim::system {

std::string_view name_of(CollectiveKind k) {
  switch (k) {
    case CollectiveKind::AllReduce: return "all_reduce";
    case CollectiveKind::ReduceScatter: return "reduce_scatter";
    case CollectiveKind::AllGather: return "all_gather";
    case CollectiveKind::AllToAll: return "all_to_all";
    case CollectiveKind::SendRecv: return "send_recv";
  }
  return "?";
}

std::string_view name_of(Algorithm a) {
  switch (a) {
    case Algorithm::Auto: return "auto";
    case Algorithm::Ring: return "ring";
    case Algorithm::Tree: return "tree";
    case Algorithm::DoubleBinaryTree: return "dbt";
    case Algorithm::HalvingDoubling: return "halving_doubling";
    case Algorithm::Hierarchical: return "hierarchical";
    case Algorithm::Torus: return "torus";
    case Algorithm::Direct: return "direct";
  }
  return "?";
}

namespace {

using Steps = std::vector<std::vector<Transfer>>;

bool power_of_two(std::int64_t n) { return n > 0 && (n & (n - 1)) == 0; }
std::int32_t log2i(std::int64_t n) {
  std::int32_t l = 0;
  while ((std::int64_t{1} << (l + 1)) <= n) ++l;
  return l;
}

// Several rings at once (each a list of chips in ring order), `kind` all-reduce, reduce-scatter or
// all-gather of `bytes` per rank; `chunks` rounds. Appends the steps.
void rings(Steps& out, const std::vector<std::vector<ChipId>>& rs, CollectiveKind kind, double bytes,
           std::int32_t chunks) {
  std::size_t n = 0;
  for (const auto& r : rs) n = std::max(n, r.size());
  if (n < 2) return;
  const std::size_t per_round = kind == CollectiveKind::AllReduce ? 2 * (n - 1) : n - 1;
  for (std::int32_t c = 0; c < chunks; ++c)
    for (std::size_t s = 0; s < per_round; ++s) {
      std::vector<Transfer> step;
      for (const auto& r : rs)
        for (std::size_t i = 0; i < r.size(); ++i)
          step.push_back({r[i], r[(i + 1) % r.size()], bytes / double(chunks) / double(r.size())});
      out.push_back(std::move(step));
    }
}

// The pipelined binary tree(s) of an all-reduce: slots of chunk transfers (reduce up, then
// broadcast down). Tree t's heap position p holds rank order[t][p].
Steps tree_steps(const std::vector<std::vector<ChipId>>& orders, double bytes_per_tree, std::int32_t chunks) {
  Steps out;
  const std::size_t n = orders.front().size();
  if (n < 2) return out;
  auto depth = [](std::size_t p) { return static_cast<std::int64_t>(log2i(static_cast<std::int64_t>(p) + 1)); };
  const std::int64_t d = depth(n - 1), slots = d + chunks - 1;
  const double chunk = bytes_per_tree / chunks;
  for (std::int64_t t = 0; t < slots; ++t) {  // reduce: a node at depth e sends chunk t - (d - e)
    std::vector<Transfer> step;
    for (const auto& o : orders)
      for (std::size_t p = 1; p < n; ++p) {
        const std::int64_t k = t - (d - depth(p));
        if (k >= 0 && k < chunks) step.push_back({o[p], o[(p - 1) / 2], chunk});
      }
    out.push_back(std::move(step));
  }
  for (std::int64_t t = 0; t < slots; ++t) {  // broadcast: a node at depth e receives chunk t - (e - 1)
    std::vector<Transfer> step;
    for (const auto& o : orders)
      for (std::size_t p = 1; p < n; ++p) {
        const std::int64_t k = t - (depth(p) - 1);
        if (k >= 0 && k < chunks) step.push_back({o[(p - 1) / 2], o[p], chunk});
      }
    out.push_back(std::move(step));
  }
  return out;
}

std::vector<std::vector<ChipId>> tree_orders(const std::vector<ChipId>& g, bool double_tree) {
  std::vector<std::vector<ChipId>> o{g};
  if (double_tree) o.emplace_back(g.rbegin(), g.rend());
  return o;
}

// Ranks grouped by node, in order; empty when the nodes hold different numbers of the group.
std::vector<std::vector<ChipId>> by_node(const Network& net, const std::vector<ChipId>& g) {
  std::map<std::int32_t, std::vector<ChipId>> m;
  for (ChipId c : g) m[net.node_of(c)].push_back(c);
  std::vector<std::vector<ChipId>> out;
  for (auto& [n, v] : m) out.push_back(v);
  for (const auto& v : out)
    if (v.size() != out.front().size()) return {};
  return out;
}

}  // namespace

bool applicable(const Network& net, const Collective& c) {
  const std::int64_t n = static_cast<std::int64_t>(c.group.size());
  const bool reduce_family = c.kind == CollectiveKind::AllReduce || c.kind == CollectiveKind::ReduceScatter ||
                             c.kind == CollectiveKind::AllGather;
  switch (c.algorithm) {
    case Algorithm::Auto: return true;
    case Algorithm::Ring: return reduce_family;
    case Algorithm::Tree:
    case Algorithm::DoubleBinaryTree: return c.kind == CollectiveKind::AllReduce && n >= 2;
    case Algorithm::HalvingDoubling: return reduce_family && power_of_two(n);
    case Algorithm::Hierarchical: {
      if (!reduce_family) return false;
      const auto nodes = by_node(net, c.group);
      return nodes.size() >= 2;
    }
    case Algorithm::Torus: {
      if (!reduce_family) return false;
      const auto dims = net.torus_shape();
      if (dims.empty() || n != net.chips()) return false;
      std::vector<ChipId> sorted = c.group;
      std::sort(sorted.begin(), sorted.end());
      for (std::int64_t i = 0; i < n; ++i)
        if (sorted[static_cast<std::size_t>(i)] != i) return false;
      return true;
    }
    case Algorithm::Direct: return c.kind == CollectiveKind::AllToAll || (c.kind == CollectiveKind::SendRecv && n == 2);
  }
  return false;
}

StepSchedule schedule(const Network& net, const Collective& c) {
  if (c.chunks < 1) throw Error(fmt::format("collective chunks must be >= 1, got {}", c.chunks));
  if (!applicable(net, c) || c.algorithm == Algorithm::Auto)
    throw Error(fmt::format("collective {} of {} ranks: the {} algorithm does not apply", name_of(c.kind), c.group.size(),
                            name_of(c.algorithm)));
  StepSchedule s;
  const auto& g = c.group;
  const std::int64_t n = static_cast<std::int64_t>(g.size());
  if (n < 2) return s;
  switch (c.algorithm) {
    case Algorithm::Auto: break;
    case Algorithm::Ring: rings(s.steps, {g}, c.kind, c.bytes, c.chunks); break;
    case Algorithm::Tree:
    case Algorithm::DoubleBinaryTree: {
      const bool dbt = c.algorithm == Algorithm::DoubleBinaryTree;
      s.steps = tree_steps(tree_orders(g, dbt), dbt ? c.bytes / 2 : c.bytes, c.chunks);
      break;
    }
    case Algorithm::HalvingDoubling: {
      const std::int32_t L = log2i(n);
      auto half = [&](std::int32_t j, double round) {
        std::vector<Transfer> step;
        const std::int64_t dist = n >> j;
        for (std::int64_t i = 0; i < n; ++i)
          step.push_back({g[static_cast<std::size_t>(i)], g[static_cast<std::size_t>(i ^ dist)], round / double(std::int64_t{1} << j)});
        s.steps.push_back(std::move(step));
      };
      const double round = c.bytes / c.chunks;
      for (std::int32_t k = 0; k < c.chunks; ++k) {
        if (c.kind != CollectiveKind::AllGather)
          for (std::int32_t j = 1; j <= L; ++j) half(j, round);
        if (c.kind != CollectiveKind::ReduceScatter)
          for (std::int32_t j = L; j >= 1; --j) half(j, round);
      }
      break;
    }
    case Algorithm::Hierarchical: {
      const auto nodes = by_node(net, g);
      const std::size_t k = nodes.front().size();
      std::vector<std::vector<ChipId>> across(k);
      for (const auto& v : nodes)
        for (std::size_t j = 0; j < k; ++j) across[j].push_back(v[j]);
      const double inter = c.bytes / double(k);
      if (c.kind == CollectiveKind::AllReduce) {
        rings(s.steps, nodes, CollectiveKind::ReduceScatter, c.bytes, c.chunks);
        rings(s.steps, across, CollectiveKind::AllReduce, inter, c.chunks);
        rings(s.steps, nodes, CollectiveKind::AllGather, c.bytes, c.chunks);
      } else if (c.kind == CollectiveKind::ReduceScatter) {
        rings(s.steps, nodes, CollectiveKind::ReduceScatter, c.bytes, c.chunks);
        rings(s.steps, across, CollectiveKind::ReduceScatter, inter, c.chunks);
      } else {
        rings(s.steps, across, CollectiveKind::AllGather, inter, c.chunks);
        rings(s.steps, nodes, CollectiveKind::AllGather, c.bytes, c.chunks);
      }
      break;
    }
    case Algorithm::Torus: {
      const auto dims = net.torus_shape();
      const std::size_t D = dims.size();
      // M_d: the data size entering dimension d.
      std::vector<double> m(D + 1, c.bytes / c.chunks);
      for (std::size_t d = 0; d < D; ++d) m[d + 1] = m[d] / dims[d];
      auto phase = [&](std::size_t d, bool gather) {
        const std::int32_t k = dims[d];
        if (k < 2) return;
        std::int32_t stride = 1;
        for (std::size_t e = 0; e < d; ++e) stride *= dims[e];
        for (std::int32_t s2 = 0; s2 < k - 1; ++s2) {
          std::vector<Transfer> step;
          for (ChipId p = 0; p < net.chips(); ++p) {
            const std::int32_t coord = (p / stride) % k;
            const ChipId plus = p + (((coord + 1) % k) - coord) * stride;
            const ChipId minus = p + (((coord + k - 1) % k) - coord) * stride;
            if (k == 2) {  // one neighbour: the whole share over the + link
              step.push_back({p, plus, m[d] / k});
              continue;
            }
            step.push_back({p, plus, m[d] / 2 / k});
            step.push_back({p, minus, m[d] / 2 / k});
          }
          s.steps.push_back(std::move(step));
        }
        (void)gather;
      };
      for (std::int32_t r = 0; r < c.chunks; ++r) {
        if (c.kind != CollectiveKind::AllGather)
          for (std::size_t d = 0; d < D; ++d) phase(d, false);
        if (c.kind != CollectiveKind::ReduceScatter)
          for (std::size_t d = D; d-- > 0;) phase(d, true);
      }
      break;
    }
    case Algorithm::Direct: {
      if (c.kind == CollectiveKind::SendRecv) {
        for (std::int32_t k = 0; k < c.chunks; ++k) s.steps.push_back({{g[0], g[1], c.bytes / c.chunks}});
        break;
      }
      for (std::int32_t k = 0; k < c.chunks; ++k)
        for (std::int64_t j = 1; j < n; ++j) {
          std::vector<Transfer> step;
          for (std::int64_t i = 0; i < n; ++i)
            step.push_back({g[static_cast<std::size_t>(i)], g[static_cast<std::size_t>((i + j) % n)], c.bytes / c.chunks / double(n)});
          s.steps.push_back(std::move(step));
        }
      break;
    }
  }
  return s;
}

// ---- closed forms ----

double ring_seconds(CollectiveKind k, std::int64_t n, double bytes, std::int32_t chunks, double alpha, double bw) {
  if (n < 2) return 0;
  const double steps = k == CollectiveKind::AllReduce ? 2.0 * double(n - 1) : double(n - 1);
  return chunks * steps * (alpha + bytes / (double(chunks) * double(n) * bw));
}

double halving_doubling_seconds(CollectiveKind k, std::int64_t n, double bytes, std::int32_t chunks, double alpha,
                                double bw) {
  if (n < 2) return 0;
  const double phases = k == CollectiveKind::AllReduce ? 2 : 1;
  return phases * (chunks * log2i(n) * alpha + double(n - 1) / double(n) * bytes / bw);
}

double tree_seconds(std::int64_t n, double bytes, std::int32_t chunks, double alpha, double bw, bool double_tree) {
  if (n < 2) return 0;
  // Slot by slot: alpha plus the most chunks one port (a chip's up or down link) moves in it.
  std::vector<ChipId> g(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) g[static_cast<std::size_t>(i)] = static_cast<ChipId>(i);
  const double per_tree = double_tree ? bytes / 2 : bytes;
  const Steps steps = tree_steps(tree_orders(g, double_tree), per_tree, chunks);
  double t = 0;
  for (const auto& step : steps) {
    std::vector<std::int32_t> up(static_cast<std::size_t>(n), 0), down(static_cast<std::size_t>(n), 0);
    std::int32_t q = 0;
    for (const Transfer& x : step) {
      q = std::max(q, ++up[static_cast<std::size_t>(x.src)]);
      q = std::max(q, ++down[static_cast<std::size_t>(x.dst)]);
    }
    if (q > 0) t += alpha + q * (per_tree / chunks) / bw;
  }
  return t;
}

double hierarchical_seconds(CollectiveKind k, std::int64_t per_node, std::int64_t nodes, double bytes,
                            std::int32_t chunks, double alpha_intra, double bw_intra, double alpha_inter,
                            double bw_inter) {
  const double inter = bytes / double(per_node);
  switch (k) {
    case CollectiveKind::AllReduce:
      return ring_seconds(CollectiveKind::ReduceScatter, per_node, bytes, chunks, alpha_intra, bw_intra) +
             ring_seconds(CollectiveKind::AllReduce, nodes, inter, chunks, alpha_inter, bw_inter) +
             ring_seconds(CollectiveKind::AllGather, per_node, bytes, chunks, alpha_intra, bw_intra);
    case CollectiveKind::ReduceScatter:
    case CollectiveKind::AllGather:
      return ring_seconds(k, per_node, bytes, chunks, alpha_intra, bw_intra) +
             ring_seconds(k, nodes, inter, chunks, alpha_inter, bw_inter);
    default: break;
  }
  throw Error(fmt::format("hierarchical {}: not a reduction collective", name_of(k)));
}

double torus_seconds(CollectiveKind k, const std::vector<std::int32_t>& dims, double bytes, std::int32_t chunks,
                     double alpha, double link_bw) {
  double m = bytes / chunks, t = 0;
  for (std::int32_t d : dims) {
    if (d > 2) t += (d - 1) * (alpha + m / 2 / d / link_bw);
    if (d == 2) t += alpha + m / 2 / link_bw;
    m /= d;
  }
  return chunks * (k == CollectiveKind::AllReduce ? 2 * t : t);
}

double direct_seconds(CollectiveKind k, std::int64_t n, double bytes, double alpha, double bw) {
  if (k == CollectiveKind::SendRecv) return alpha + bytes / bw;
  if (n < 2) return 0;
  return double(n - 1) * (alpha + bytes / double(n) / bw);
}

// ---- the model ----

double CommModel::play_all(CollectiveKind kind, Algorithm algo, const std::vector<std::vector<ChipId>>& groups,
                           double bytes, std::int32_t chunks) {
  std::vector<StepSchedule> all;
  for (const auto& g : groups) all.push_back(schedule(net_, Collective{kind, algo, g, bytes, chunks}));
  // Every group starts at 0; merge them into one schedule per group and take the last to finish.
  double t = 0;
  for (double f : play(net_, all)) t = std::max(t, f);
  return t;
}

CommModel::Result CommModel::time(CollectiveKind kind, Algorithm algo, const std::vector<std::vector<ChipId>>& groups,
                                  double bytes, std::int32_t chunks) {
  if (groups.empty() || groups.front().size() < 2 || bytes <= 0) return {0, algo == Algorithm::Auto ? Algorithm::Ring : algo};
  std::string key = fmt::format("{}|{}|{}|{}|", static_cast<int>(kind), static_cast<int>(algo), bytes, chunks);
  for (const auto& g : groups) {
    for (ChipId c : g) key += fmt::format("{},", c);
    key += ';';
  }
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  Result r;
  if (algo != Algorithm::Auto) {
    r = {play_all(kind, algo, groups, bytes, chunks), algo};
  } else {
    // The algorithm fastest for one group alone, then every group at once with it.
    double best = std::numeric_limits<double>::infinity();
    for (Algorithm a : kAlgorithms) {
      if (a == Algorithm::Auto || !applicable(net_, Collective{kind, a, groups.front(), bytes, chunks})) continue;
      const double t = play_all(kind, a, {groups.front()}, bytes, chunks);
      if (t < best) best = t, r.algorithm = a;
    }
    if (best == std::numeric_limits<double>::infinity())
      throw Error(fmt::format("collective {}: no algorithm applies", name_of(kind)));
    r.seconds = groups.size() == 1 ? best : play_all(kind, r.algorithm, groups, bytes, chunks);
  }
  memo_.emplace(std::move(key), r);
  return r;
}

}  // namespace npusim::system
