// Inference on many chips: one model replica on a tensor- and pipeline-parallel group of chips of
// a system, and the time of one iteration of a serving engine for a batch composition (prefill
// chunks and decoding requests, as continuous batching forms them). The serving model
// (serving/, issue 15) builds on this API.
//
// How an iteration is timed (nothing is pasted from a profile):
//  - every chip runs the same shard; its compute comes from the chip model (chip_model.h): the
//    projections, MLP (or experts) and norms of a block on all T tokens of the batch at once
//    (llm_blocks_graph without the attention core), the attention core per prefill chunk (its new
//    tokens against its cached ones) and once for all decoding requests together (batch D,
//    their mean context), the embedding of T tokens, and the LM head on one token per request;
//  - each block's collectives (two all-reduces of T x hidden over the tensor-parallel group, or
//    the all-to-alls of expert parallelism) are timed on the network model (collectives.h);
//  - with pipeline parallelism the batch crosses the stages one after another, each stage's
//    output sent to the next (send/recv): `seconds` is that latency; `stage_seconds` the slowest
//    stage, the interval at which a pipelined engine can start iterations.
//  - Memoised by shape: T is rounded up to a multiple of InferenceOptions::token_bucket and
//    contexts to a multiple of context_bucket (1 = exact) before a shape is timed; each distinct
//    shape is compiled and timed once per InferenceGroup.
// The KV cache of a token is 2 (K and V) x layers on the chip x key/value heads on the chip x
// head_dim x the datatype's bytes; what a chip can cache is its DRAM minus its weights and a
// workspace for the largest activation of a batch of max_tokens tokens.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "driver/driver.h"
#include "system/chip_model.h"
#include "system/collectives.h"
#include "system/placement.h"
#include "system/system_config.h"
#include "workloads/models/llm.h"

namespace npusim::system {

struct InferencePlan {
  std::int32_t tp = 1, pp = 1;
  ChipId first_chip = 0;           // the replica's chips: [first_chip, first_chip + tp x pp)
  Placement placement;             // tp inside a node first by default
  driver::Engine engine = driver::Engine::Analytic;
  Algorithm algorithm = Algorithm::Auto;  // of the tensor-parallel collectives
};

struct InferenceOptions {
  std::int64_t token_bucket = 16;     // batch tokens T rounded up to a multiple of this
  std::int64_t context_bucket = 128;  // contexts rounded up to a multiple of this (1 = exact)
  std::int64_t max_tokens = 8192;     // the largest batch the workspace is sized for
};

// New prompt tokens of one request in this iteration, after `cached` tokens already in its KV
// cache (chunked prefill; 0 for a whole prompt).
struct PrefillChunk {
  std::int64_t tokens = 0;
  std::int64_t cached = 0;
};

struct BatchComposition {
  std::vector<PrefillChunk> prefills;
  std::vector<std::int64_t> decodes;  // context (tokens in the KV cache) of each decoding request
  std::int64_t tokens() const;        // T: prefill tokens plus one per decoding request
};

struct IterationTime {
  double seconds = 0;        // the batch through every stage (latency)
  double stage_seconds = 0;  // the slowest stage, communication included
  double compute_seconds = 0, attention_seconds = 0;  // summed over the stages
  double tp_comm_seconds = 0, ep_comm_seconds = 0, pp_comm_seconds = 0;
  double energy_j = 0;       // all chips of the replica, compute and idle
  std::int64_t tokens = 0;   // T
};

struct KvCacheInfo {
  double bytes_per_token = 0;    // per chip (its layers and key/value heads)
  double weight_bytes = 0;       // per chip, the most loaded stage
  double workspace_bytes = 0;    // activations of a max_tokens batch
  double capacity_bytes = 0;     // the chip's DRAM
  double free_bytes = 0;         // capacity - weights - workspace (0 when they do not fit)
  std::int64_t max_tokens = 0;   // tokens the replica can cache (per chip = for the replica)
};

class InferenceGroup {
 public:
  // Throws Error naming the flag and value when the split does not divide the model or the
  // replica does not fit in the system's chips.
  InferenceGroup(SystemConfigPtr system, workloads::LlmSpec model, InferencePlan plan, InferenceOptions opt = {});

  IterationTime iteration(const BatchComposition& batch);
  // Conveniences: one prompt alone; `batch` requests decoding one token at context `context`.
  IterationTime prefill(std::int64_t tokens) { return iteration({{{tokens, 0}}, {}}); }
  IterationTime decode(std::int64_t batch, std::int64_t context);
  KvCacheInfo kv_cache() const;
  // Moving `tokens` tokens' KV cache from this replica's chips to `to`'s (disaggregated serving):
  // every chip of a stage sends its share to the matching chip, all at once.
  double kv_transfer_seconds(std::int64_t tokens, const InferenceGroup& to);

  const SystemConfig& system() const { return *system_; }
  const workloads::LlmSpec& model() const { return model_; }
  const InferencePlan& plan() const { return plan_; }
  std::int32_t chips() const { return plan_.tp * plan_.pp; }
  std::size_t distinct_shapes() const { return chip_.distinct_graphs(); }

 private:
  struct StageCost {
    double compute = 0, attention = 0, tp_comm = 0, ep_comm = 0, energy = 0;
  };
  StageCost stage(std::int32_t p, const BatchComposition& b, std::int64_t T);
  double comm(const std::vector<CommOp>& ops, std::int32_t stage);
  std::int64_t layers_of(std::int32_t p) const;

  SystemConfigPtr system_;
  workloads::LlmSpec model_;
  InferencePlan plan_;
  InferenceOptions opt_;
  Layout layout_;
  Network net_;
  CommModel comm_;
  ChipModel chip_;
  workloads::LlmShard shard_;
};

}  // namespace npusim::system
