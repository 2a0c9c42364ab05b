// Collectives over a group of chips and the algorithms that carry them out, each as a step
// schedule for the link model (flow_sim.h), with the alpha-beta cost the schedule has on an idle
// network (alpha: a message's latency, B: the bandwidth between consecutive ranks, M: bytes,
// n ranks, c chunks):
//
//   ring, all-reduce:           c 2 (n-1) (alpha + M / (c n B))   (c > 1: the buffer in c rounds)
//   ring, reduce-scatter or all-gather:  c (n-1) (alpha + M / (c n B))
//   tree (pipelined binary tree, heap order; all-reduce): reduce up then broadcast down in c
//     chunks, slot by slot; a slot lasts alpha + q M / (c B), q the most chunks one port moves in
//     it (2 where a parent has two children sending); a complete tree of depth d:
//     2 (d + c - 1) (alpha + 2 M / (c B))
//   double binary tree (all-reduce): two such trees, the second on the ranks reversed, each on
//     M / 2, at once; complete trees: 2 (d + c - 1) (alpha + M / (c B))
//   halving-doubling (n a power of 2): all-reduce c 2 log2(n) alpha + 2 (n-1)/n M / B;
//     reduce-scatter or all-gather half of it
//   hierarchical (k chips in each of m nodes): reduce-scatter in each node (ring, M), all-reduce
//     between nodes (k rings at once, one per local rank, M / k), all-gather in each node:
//     2 (k-1) (a_i + M / (k B_i)) + 2 (m-1) (a_e + M / (k m B_e)) for c = 1
//   torus (the group is the whole torus, dimensions k_1..k_D, links of bandwidth B): reduce-
//     scatter along each dimension in turn with bidirectional rings (half the data each way),
//     then all-gather back: all-reduce 2 sum_d (k_d - 1) (alpha + M_d / (2 k_d B)), M_1 = M,
//     M_{d+1} = M_d / k_d (a dimension of 2 has one neighbour: alpha + M_d / (2 B) over its + link)
//   direct: all-to-all in n-1 steps of M/n to the rank j away: (n-1) (alpha + M / (n B));
//     send/recv alpha + M / B
//
// M is the buffer one rank holds: all-reduce its whole buffer, reduce-scatter its input (it keeps
// M / n), all-gather its output (it brings M / n), all-to-all everything it sends (M / n to each
// rank, itself included), send/recv the message.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "system/flow_sim.h"
#include "system/network.h"

namespace npusim::system {

enum class CollectiveKind : std::uint8_t { AllReduce, ReduceScatter, AllGather, AllToAll, SendRecv };
std::string_view name_of(CollectiveKind k);
inline constexpr std::array<CollectiveKind, 5> kCollectiveKinds = {
    CollectiveKind::AllReduce, CollectiveKind::ReduceScatter, CollectiveKind::AllGather, CollectiveKind::AllToAll,
    CollectiveKind::SendRecv};

enum class Algorithm : std::uint8_t { Auto, Ring, Tree, DoubleBinaryTree, HalvingDoubling, Hierarchical, Torus, Direct };
std::string_view name_of(Algorithm a);  // "auto", "ring", "tree", "dbt", "halving_doubling", ...
inline constexpr std::array<Algorithm, 8> kAlgorithms = {
    Algorithm::Auto,          Algorithm::Ring,      Algorithm::Tree,          Algorithm::DoubleBinaryTree,
    Algorithm::HalvingDoubling, Algorithm::Hierarchical, Algorithm::Torus, Algorithm::Direct};

struct Collective {
  CollectiveKind kind = CollectiveKind::AllReduce;
  Algorithm algorithm = Algorithm::Ring;
  std::vector<ChipId> group;  // ranks in order
  double bytes = 0;           // M (see above)
  std::int32_t chunks = 1;
};

// Whether `algorithm` can carry `c` on `net` (e.g. halving-doubling needs a power-of-2 group, the
// torus algorithm the whole torus, hierarchical the same number of chips in every node).
bool applicable(const Network& net, const Collective& c);

// The step schedule of c (c.algorithm not Auto). Throws Error when it is not applicable.
StepSchedule schedule(const Network& net, const Collective& c);

// ---- closed forms (idle network) ----
double ring_seconds(CollectiveKind k, std::int64_t n, double bytes, std::int32_t chunks, double alpha, double bw);
double halving_doubling_seconds(CollectiveKind k, std::int64_t n, double bytes, std::int32_t chunks, double alpha,
                                double bw);
// All-reduce on a pipelined binary tree in heap order (double: two trees on M/2 each).
double tree_seconds(std::int64_t n, double bytes, std::int32_t chunks, double alpha, double bw, bool double_tree);
double hierarchical_seconds(CollectiveKind k, std::int64_t per_node, std::int64_t nodes, double bytes,
                            std::int32_t chunks, double alpha_intra, double bw_intra, double alpha_inter,
                            double bw_inter);
double torus_seconds(CollectiveKind k, const std::vector<std::int32_t>& dims, double bytes, std::int32_t chunks,
                     double alpha, double link_bw);
double direct_seconds(CollectiveKind k, std::int64_t n, double bytes, double alpha, double bw);

// Times collectives on a network, memoised: each call plays every group of a family at once
// (groups of one parallel dimension run the same collective together and share links), with
// the algorithm asked for, or for Auto the one fastest on the idle network.
class CommModel {
 public:
  explicit CommModel(const Network& net) : net_(net) {}
  struct Result {
    double seconds = 0;
    Algorithm algorithm = Algorithm::Ring;
  };
  Result time(CollectiveKind kind, Algorithm algo, const std::vector<std::vector<ChipId>>& groups, double bytes,
              std::int32_t chunks = 1);
  const Network& network() const { return net_; }

 private:
  double play_all(CollectiveKind kind, Algorithm algo, const std::vector<std::vector<ChipId>>& groups, double bytes,
                  std::int32_t chunks);
  const Network& net_;
  std::map<std::string, Result> memo_;
};

}  // namespace npusim::system
