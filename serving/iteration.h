// The narrow interface between the serving simulator and a chip model: how long one iteration of
// a replica takes for the exact batch it runs, and what the replica's memory holds.
//
// An iteration (one forward pass of the model over the batch) processes, for every sequence in
// the batch, some of its tokens that are not yet in the KV cache:
//  - a prefill part: `tokens` prompt tokens (a whole prompt, a chunk of one, or the prompt and
//    the tokens generated so far when a preempted sequence is recomputed) after `cached` tokens
//    already in the cache;
//  - a decode part: the one token generated last, attending over the `context` tokens already
//    in the cache and itself.
// A sequence whose part brings its cache up to everything it knows emits a token at the end of
// the iteration (the LM head runs on it): every decode part, and a prefill part that completes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace npusim::serving {

struct PrefillPart {
  std::int64_t tokens = 0;  // computed in this iteration
  std::int64_t cached = 0;  // already in the KV cache before it
  bool emits = true;        // the part completes the sequence's known tokens: a token comes out
};

struct BatchComposition {
  std::vector<PrefillPart> prefill;
  std::vector<std::int64_t> decode;  // context length (tokens in the KV cache) of each decoding sequence

  // Tokens computed: prefill tokens and one per decode.
  std::int64_t tokens() const {
    std::int64_t t = std::int64_t(decode.size());
    for (const PrefillPart& p : prefill) t += p.tokens;
    return t;
  }
  // Sequences that emit a token (the LM head's rows).
  std::int64_t emitting() const {
    std::int64_t n = std::int64_t(decode.size());
    for (const PrefillPart& p : prefill) n += p.emits ? 1 : 0;
    return n;
  }
  bool empty() const { return prefill.empty() && decode.empty(); }
  void clear() {
    prefill.clear();
    decode.clear();
  }
};

// What one iteration costs a replica (all its chips together).
struct StepCost {
  double seconds = 0;
  double energy_j = 0;  // dynamic and leakage energy of the chips over the iteration
  double macs = 0;      // multiply-accumulates, for the MAC utilisation
};

// The replica a model describes: its chips and what their memory holds.
struct ReplicaInfo {
  std::string chip;             // architecture name
  std::string model;            // model name
  std::int32_t tp = 1, pp = 1;  // tensor- and pipeline-parallel split
  std::int32_t chips() const { return tp * pp; }
  double memory_bytes_per_chip = 0;      // the chip's memory (DRAM / HBM)
  double usable_fraction = 1;            // of it, what the server may use
  double weight_bytes_per_chip = 0;      // the largest stage's shard of the weights
  double activation_bytes_per_chip = 0;  // peak activations of an iteration at the token budget
  double kv_bytes_per_token_per_chip = 0;
  std::int64_t kv_tokens = 0;            // KV-cache capacity of the replica, in tokens
  double peak_macs_per_s_per_chip = 0;   // for the MAC utilisation
  double idle_watts_per_chip = 0;        // leakage power while the replica waits for work
  bool energy_modelled = true;           // false when the chip model gives times only
  std::string timing;                    // how iterations are timed, one line for the report
};

class IterationModel {
 public:
  virtual ~IterationModel() = default;
  virtual const ReplicaInfo& info() const = 0;
  // The cost of one iteration over `batch` (not empty). Deterministic: the same batch always
  // costs the same.
  virtual StepCost step(const BatchComposition& batch) = 0;
  // Seconds to move the KV cache of `tokens` tokens of one sequence from this replica to another
  // one over the system's links (disaggregated prefill and decode).
  virtual double kv_transfer_seconds(std::int64_t tokens) const = 0;
  // Seconds to copy the KV cache of `tokens` tokens between the chips' memory and the host's
  // (preemption by swapping).
  virtual double swap_seconds(std::int64_t tokens) const = 0;
};

}  // namespace npusim::serving
