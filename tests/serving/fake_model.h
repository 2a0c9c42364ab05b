// An iteration model for the simulator's tests: a closed-form cost, so that expected times can
// be computed by hand. Not a chip model.
#pragma once

#include <cstdint>

#include "serving/iteration.h"

namespace npusim::serving::testing {

class FakeModel : public IterationModel {
 public:
  // seconds = fixed + per_token * tokens + per_context * (KV entries read by the attention)
  FakeModel(double fixed, double per_token, double per_context, std::int64_t kv_tokens)
      : fixed_(fixed), per_token_(per_token), per_context_(per_context) {
    info_.chip = "fake";
    info_.model = "fake";
    info_.kv_tokens = kv_tokens;
    info_.kv_bytes_per_token_per_chip = 1024;
    info_.peak_macs_per_s_per_chip = 1e12;
    info_.idle_watts_per_chip = 10;
  }
  const ReplicaInfo& info() const override { return info_; }
  StepCost step(const BatchComposition& b) override {
    double ctx = 0;
    for (const PrefillPart& p : b.prefill) ctx += double(p.tokens) * double(p.cached) + double(p.tokens * (p.tokens + 1) / 2);
    for (std::int64_t c : b.decode) ctx += double(c + 1);
    ++steps;
    StepCost s;
    s.seconds = fixed_ + per_token_ * double(b.tokens()) + per_context_ * ctx;
    s.energy_j = 100 * s.seconds;
    s.macs = 1e9 * double(b.tokens());
    return s;
  }
  double kv_transfer_seconds(std::int64_t tokens) const override { return transfer_latency + transfer_per_token * double(tokens); }
  double swap_seconds(std::int64_t tokens) const override { return swap_per_token * double(tokens); }

  ReplicaInfo info_;
  double transfer_latency = 1e-3, transfer_per_token = 1e-6, swap_per_token = 1e-6;
  std::int64_t steps = 0;

 private:
  double fixed_, per_token_, per_context_;
};

}  // namespace npusim::serving::testing
