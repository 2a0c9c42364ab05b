// The serving simulator on a closed-form iteration model (fake_model.h): queueing theory (M/D/1),
// Little's law and conservation on every run, exact single-request latencies, and each
// scheduler's and router's defining behaviour.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "base/error.h"
#include "serving/simulator.h"
#include "tests/serving/fake_model.h"

namespace npusim::serving {
namespace {

using testing::FakeModel;

std::vector<IterationModel*> pool(IterationModel& m, int n) { return std::vector<IterationModel*>(std::size_t(n), &m); }

std::vector<Request> stream(std::int64_t n, double rate, const char* prompt, const char* output, std::uint64_t seed = 1) {
  StreamSpec s;
  s.count = n;
  s.rate_per_s = rate;
  s.seed = seed;
  s.prompt = LengthDist::parse("--prompt", prompt, "ContextTokens");
  s.output = LengthDist::parse("--output", output, "GeneratedTokens");
  return synthesize(s);
}

// Conservation and Little's law, which every run must satisfy.
void expect_sane(const std::vector<Request>& in, const ServeResult& r, const ServeConfig& c) {
  const Summary s = summarize(in, r, c);
  EXPECT_EQ(s.requests_out, s.requests_in);
  EXPECT_EQ(s.prompt_tokens_out, s.prompt_tokens_in);
  EXPECT_EQ(s.output_tokens_out, s.output_tokens_in);
  EXPECT_LT(s.littles_law_error, 1e-9) << "L " << s.mean_in_system << " lambda W " << s.arrival_rate_per_s * s.mean_e2e_s;
  for (const RequestRecord& q : r.requests) {
    ASSERT_GE(q.scheduled_s, q.arrival_s);
    ASSERT_GT(q.first_token_s, q.scheduled_s);
    ASSERT_GE(q.finish_s, q.first_token_s);
    ASSERT_EQ(q.generated, q.output_tokens);
  }
}

TEST(Simulator, MD1MeanWait) {
  // One replica serving one request at a time in a fixed time D (a fake model with only a fixed
  // cost, one output token): an M/D/1 queue. Pollaczek-Khinchine: Wq = rho D / (2 (1 - rho)).
  const double d = 0.01;
  FakeModel m(d, 0, 0, 1 << 20);
  ServeConfig c;
  c.scheduler = SchedulerKind::Static;
  c.max_batch = 1;
  for (double rho : {0.3, 0.7}) {
    const auto in = stream(100000, rho / d, "fixed:8", "fixed:1", 7);
    const ServeResult r = simulate(in, c, pool(m, 1));
    expect_sane(in, r, c);
    // batch means (20 batches of 5,000) for the standard error of the mean wait
    std::vector<double> means;
    for (std::size_t b = 0; b < 20; ++b) {
      double sum = 0;
      for (std::size_t i = b * 5000; i < (b + 1) * 5000; ++i) sum += r.requests[i].queue();
      means.push_back(sum / 5000);
    }
    const double mean = std::accumulate(means.begin(), means.end(), 0.0) / 20;
    double var = 0;
    for (double x : means) var += (x - mean) * (x - mean);
    const double se = std::sqrt(var / 19 / 20);
    const double wq = rho * d / (2 * (1 - rho));
    EXPECT_NEAR(mean, wq, 4 * se) << "rho " << rho << " se " << se;
    EXPECT_LT(se / wq, 0.05);  // the test can tell a 20% error from noise
    for (const RequestRecord& q : r.requests) ASSERT_NEAR(q.ttft(), q.queue() + d, 1e-12);
  }
}

TEST(Simulator, OneRequestAloneIsExact) {
  // TTFT = the prefill iteration (it emits the first token); every later token is one decode
  // iteration over the context so far; TPOT is their mean.
  FakeModel m(1e-3, 2e-5, 3e-8, 1 << 20);
  const std::int64_t p = 700, n = 40;
  std::vector<Request> in{{0, 5.0, p, n}};
  for (SchedulerKind s : {SchedulerKind::Static, SchedulerKind::Continuous, SchedulerKind::Chunked}) {
    ServeConfig c;
    c.scheduler = s;
    c.max_batched_tokens = 1024;
    const ServeResult r = simulate(in, c, pool(m, 1));
    const RequestRecord& q = r.requests[0];
    BatchComposition pre;
    pre.prefill.push_back({p, 0, true});
    const double prefill = m.step(pre).seconds;
    double decode = 0;
    for (std::int64_t k = 1; k < n; ++k) {
      BatchComposition b;
      b.decode.push_back(p + k - 1);
      decode += m.step(b).seconds;
    }
    // exact but for the rounding of absolute times (the request arrives at t = 5 s)
    EXPECT_NEAR(q.ttft(), prefill, 1e-14 * 5) << name_of(s);
    EXPECT_NEAR(q.tpot(), decode / double(n - 1), 1e-14 * 5) << name_of(s);
    EXPECT_NEAR(q.e2e(), prefill + decode, 1e-14 * 5) << name_of(s);
    EXPECT_EQ(r.iterations, n);
  }
}

TEST(Simulator, ChunkedPrefillSplitsALongPrompt) {
  FakeModel m(1e-3, 1e-5, 0, 1 << 20);
  ServeConfig c;
  c.scheduler = SchedulerKind::Chunked;
  c.max_batched_tokens = 256;
  std::vector<Request> in{{0, 0, 1000, 5}};
  const ServeResult r = simulate(in, c, pool(m, 1));
  EXPECT_EQ(r.iterations, 4 + 4);  // chunks of 256, 256, 256, 232, then 4 decodes
  EXPECT_DOUBLE_EQ(r.requests[0].ttft(), 4 * 1e-3 + 1000 * 1e-5);
}

TEST(Simulator, ChunkedKeepsDecodingDuringALongPrompt) {
  // A decoding request and a long prompt arriving after it: continuous batching stalls the
  // decode for the whole prompt; chunked prefill keeps its tokens coming.
  FakeModel m(1e-3, 1e-5, 0, 1 << 20);
  std::vector<Request> in{{0, 0, 10, 50}, {1, 0.005, 20000, 2}};
  auto worst_gap = [&](SchedulerKind s) {
    ServeConfig c;
    c.scheduler = s;
    c.max_batched_tokens = s == SchedulerKind::Chunked ? 512 : 0;
    const ServeResult r = simulate(in, c, pool(m, 1));
    expect_sane(in, r, c);
    return r.requests[0].max_gap_s;
  };
  // the prompt's own iteration, then a decode iteration of both
  EXPECT_NEAR(worst_gap(SchedulerKind::Continuous), 1e-3 + 20000 * 1e-5 + 1e-3 + 2 * 1e-5, 1e-12);
  EXPECT_NEAR(worst_gap(SchedulerKind::Chunked), 1e-3 + 512 * 1e-5, 1e-12);
}

TEST(Simulator, StaticBatchingAdmitsNobodyIntoARunningBatch) {
  FakeModel m(1e-3, 0, 0, 1 << 20);
  ServeConfig c;
  c.scheduler = SchedulerKind::Static;
  std::vector<Request> in{{0, 0, 10, 100}, {1, 0.0005, 10, 2}};
  const ServeResult r = simulate(in, c, pool(m, 1));
  EXPECT_NEAR(r.requests[1].scheduled_s, 100 * 1e-3, 1e-12);  // after the first batch's 100 iterations
  c.scheduler = SchedulerKind::Continuous;
  const ServeResult cont = simulate(in, c, pool(m, 1));
  EXPECT_NEAR(cont.requests[1].scheduled_s, 1e-3, 1e-12);  // at the next iteration
}

TEST(Simulator, PreemptionByRecomputeAndSwapLosesNothing) {
  // A KV cache of 64 blocks of 16 tokens and requests that grow past it.
  for (PreemptionKind p : {PreemptionKind::Recompute, PreemptionKind::Swap}) {
    for (SchedulerKind s : {SchedulerKind::Continuous, SchedulerKind::Chunked}) {
      FakeModel m(1e-3, 1e-6, 1e-9, 64 * 16);
      ServeConfig c;
      c.scheduler = s;
      c.preemption = p;
      c.max_batched_tokens = 1024;
      c.swap_bytes_per_chip = 1024.0 * 16 * 1000;
      const auto in = stream(300, 200, "uniform:50,300", "uniform:50,400", 3);
      const ServeResult r = simulate(in, c, pool(m, 1));
      expect_sane(in, r, c);
      const Summary sum = summarize(in, r, c);
      EXPECT_GT(sum.preemptions, 0) << name_of(s) << " " << name_of(p);
      if (p == PreemptionKind::Swap) {
        EXPECT_GT(r.replicas[0].swaps_out, 0);
      }
      EXPECT_LE(r.replicas[0].peak_kv_blocks, 64);
    }
  }
}

TEST(Simulator, EverySchedulerAndRouterConservesAndObeysLittlesLaw) {
  const auto in = stream(3000, 60, "lognormal:300,0.8", "lognormal:60,0.8", 11);
  for (SchedulerKind s : {SchedulerKind::Static, SchedulerKind::Continuous, SchedulerKind::Chunked,
                          SchedulerKind::Disaggregated}) {
    for (RouterKind rt : {RouterKind::RoundRobin, RouterKind::LeastWork, RouterKind::ShortestQueue}) {
      FakeModel m(2e-3, 1e-5, 2e-9, 20000);
      ServeConfig c;
      c.scheduler = s;
      c.router = rt;
      c.replicas = 4;
      c.max_batch = 32;
      const ServeResult r = simulate(in, c, pool(m, 4));
      SCOPED_TRACE(std::string(name_of(s)) + " " + std::string(name_of(rt)));
      expect_sane(in, r, c);
      for (const ReplicaStats& rs : r.replicas) EXPECT_GT(rs.iterations, 0);
    }
  }
}

TEST(Simulator, RoutersSpreadTheLoad) {
  FakeModel m(1e-3, 1e-6, 0, 1 << 20);
  ServeConfig c;
  c.replicas = 3;
  c.router = RouterKind::RoundRobin;
  const auto in = stream(30, 10, "fixed:10", "fixed:2");
  const ServeResult r = simulate(in, c, pool(m, 3));
  for (const ReplicaStats& rs : r.replicas) EXPECT_EQ(rs.requests, 10);
  // Join-the-shortest-queue: three long requests at once land on three different replicas.
  c.router = RouterKind::ShortestQueue;
  std::vector<Request> burst{{0, 0, 10, 500}, {1, 0, 10, 500}, {2, 0, 10, 500}, {3, 0.1, 10, 2}};
  const ServeResult j = simulate(burst, c, pool(m, 3));
  EXPECT_EQ(j.requests[0].replica, 0);
  EXPECT_EQ(j.requests[1].replica, 1);
  EXPECT_EQ(j.requests[2].replica, 2);
  // Least work: the short request goes where the least work is left.
  c.router = RouterKind::LeastWork;
  std::vector<Request> uneven{{0, 0, 10, 900}, {1, 0, 10, 100}, {2, 0, 10, 500}, {3, 0.01, 10, 2}};
  const ServeResult w = simulate(uneven, c, pool(m, 3));
  EXPECT_EQ(w.requests[3].replica, 1);
}

TEST(Simulator, DisaggregatedMovesTheKvCache) {
  FakeModel m(1e-3, 1e-5, 0, 1 << 20);
  m.transfer_latency = 2e-3;
  m.transfer_per_token = 1e-6;
  ServeConfig c;
  c.scheduler = SchedulerKind::Disaggregated;
  c.replicas = 2;
  std::vector<Request> in{{0, 0, 1000, 3}};
  const ServeResult r = simulate(in, c, pool(m, 2));
  const RequestRecord& q = r.requests[0];
  EXPECT_EQ(q.replica, 0);
  EXPECT_EQ(q.decode_replica, 1);
  const double prefill = 1e-3 + 1000 * 1e-5, transfer = 2e-3 + 1000 * 1e-6, decode = 1e-3 + 1e-5;
  EXPECT_DOUBLE_EQ(q.ttft(), prefill);
  EXPECT_DOUBLE_EQ(q.e2e(), prefill + transfer + 2 * decode);
  EXPECT_EQ(r.replicas[1].kv_transfers, 1);
  EXPECT_EQ(r.replicas[0].decode_tokens, 0);
  EXPECT_EQ(r.replicas[1].prefill_tokens, 0);
}

TEST(Simulator, RejectsWhatCanNeverRun) {
  FakeModel m(1e-3, 0, 0, 100);
  ServeConfig c;
  std::vector<Request> in{{0, 0, 200, 5}};
  EXPECT_THROW(simulate(in, c, pool(m, 1)), Error);  // the KV cache holds 100 tokens
  FakeModel big(1e-3, 0, 0, 1 << 20);
  c.max_batched_tokens = 100;
  EXPECT_THROW(simulate(in, c, pool(big, 1)), Error);  // whole prompts over the budget
  c.scheduler = SchedulerKind::Disaggregated;
  c.max_batched_tokens = 0;
  EXPECT_THROW(simulate(in, c, pool(big, 1)), Error);  // no decode replica
}

TEST(Simulator, SloAndStatistics) {
  EXPECT_DOUBLE_EQ(Slo::parse("--slo", "ttft=2s,tpot=200ms").tpot_s, 0.2);
  EXPECT_DOUBLE_EQ(Slo::parse("--slo", "ttft=1.5").ttft_s, 1.5);
  EXPECT_THROW(Slo::parse("--slo", "ttft=fast"), Error);
  EXPECT_THROW(Slo::parse("--slo", "e2e=1s"), Error);
  const Dist d = distribution({4, 1, 3, 2, 5});
  EXPECT_DOUBLE_EQ(d.mean, 3);
  EXPECT_DOUBLE_EQ(d.p50, 3);
  EXPECT_DOUBLE_EQ(d.p90, 4.6);
  EXPECT_DOUBLE_EQ(d.p99, 4.96);
}

TEST(Simulator, TimelineIntegratesTheGauges) {
  FakeModel m(1e-2, 0, 0, 1 << 20);
  ServeConfig c;
  c.timeline_bins = 10;
  const auto in = stream(2000, 50, "fixed:16", "fixed:4");
  const ServeResult r = simulate(in, c, pool(m, 1));
  const Timeline& t = r.timeline;
  ASSERT_FALSE(t.in_system.empty());
  EXPECT_LE(t.in_system.size(), 20u);
  double integral = 0;
  for (std::size_t b = 0; b < t.in_system.size(); ++b)
    integral += t.in_system[b] * std::min(t.bin_s, r.end_s - double(b) * t.bin_s);
  EXPECT_NEAR(integral, r.in_system_integral, 1e-6 * r.in_system_integral);
  for (double u : t.kv_utilisation) EXPECT_LE(u, 1.0);
  for (double b : t.busy_replicas) EXPECT_LE(b, 1.0 + 1e-12);
}

}  // namespace
}  // namespace npusim::serving
