// Traces (the Azure format, and every way a trace can be bad) and synthetic streams.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "base/error.h"
#include "serving/requests.h"

namespace npusim::serving {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_azure_trace(text, "t.csv");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Trace, ParsesTheAzureFormat) {
  const auto r = parse_azure_trace(
      "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
      "2023-11-16 18:15:46.6805900,374,44\r\n"
      "2023-11-16 18:15:50.9951690,396,109\r\n"
      "2023-11-16 18:15:50.9951690,3,1\r\n",
      "t.csv");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].arrival_s, 0);
  EXPECT_NEAR(r[1].arrival_s, 4.314579, 1e-9);
  EXPECT_EQ(r[2].arrival_s, r[1].arrival_s);
  EXPECT_EQ(r[1].prompt_tokens, 396);
  EXPECT_EQ(r[1].output_tokens, 109);
  EXPECT_EQ(r[2].id, 2);
}

TEST(Trace, ColumnsInAnyOrderSecondsAndMidnight) {
  const auto r = parse_azure_trace("GeneratedTokens, extra ,ContextTokens,TIMESTAMP\n5,x,7,10.5\n6,y,8,12\n", "t.csv");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_DOUBLE_EQ(r[1].arrival_s, 1.5);
  EXPECT_EQ(r[0].prompt_tokens, 7);
  EXPECT_EQ(r[0].output_tokens, 5);
  const auto m = parse_azure_trace(
      "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-12-31 23:59:59.5,1,1\n2024-01-01 00:00:00.25,1,1\n", "t.csv");
  EXPECT_NEAR(m[1].arrival_s, 0.75, 1e-9);
}

TEST(Trace, EveryBadTraceNamesFileLineAndColumn) {
  EXPECT_EQ(error_of("TIMESTAMP,Context,GeneratedTokens\n1,2,3\n"),
            "t.csv:1:1: ContextTokens: missing column (the header must name TIMESTAMP, ContextTokens and "
            "GeneratedTokens; it has 'TIMESTAMP,Context,GeneratedTokens')");
  EXPECT_EQ(error_of("TIMESTAMP,ContextTokens,GeneratedTokens\n1,2,3\n2, -4,3\n"),
            "t.csv:3:4: ContextTokens: -4 tokens: must be >= 1");
  EXPECT_EQ(error_of("TIMESTAMP,ContextTokens,GeneratedTokens\n1,2,3\n2,4,x7\n"),
            "t.csv:3:5: GeneratedTokens: 'x7' is not a whole number of tokens");
  EXPECT_EQ(error_of("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,2,3\n2023-11-16 18:15:4,2,3\n"),
            "t.csv:3:1: TIMESTAMP: cannot parse '2023-11-16 18:15:4' (expected YYYY-MM-DD HH:MM:SS[.fraction] or "
            "seconds)");
  EXPECT_EQ(error_of("TIMESTAMP,ContextTokens,GeneratedTokens\n5,2,3\n4.5,2,3\n"),
            "t.csv:3:1: TIMESTAMP: '4.5' is earlier than the previous row's: the trace must be sorted by time");
  EXPECT_EQ(error_of("TIMESTAMP,ContextTokens,GeneratedTokens\n5,2,3\n6,2\n"),
            "t.csv:3:4: GeneratedTokens: missing value (the row has 2 fields, the header 3)");
  EXPECT_EQ(error_of(""), "t.csv:1:1: empty trace: no header row");
  EXPECT_EQ(error_of("TIMESTAMP,ContextTokens,GeneratedTokens\n"), "t.csv:1:1: the trace has a header but no requests");
}

TEST(Trace, TheShippedConversationTrace) {
  const auto r = load_azure_trace(std::string(NPUSIM_SOURCE_DIR) + "/workloads/traces/azure_conv_2023.csv");
  ASSERT_EQ(r.size(), 19366u);  // AzureLLMInferenceTrace_conv.csv, 2023-11-16 (CC-BY-4.0)
  EXPECT_NEAR(r.back().arrival_s, 3501.7219, 1e-3);
  std::int64_t out = 0;
  for (const auto& q : r) out += q.output_tokens;
  EXPECT_EQ(out, 4088665);
}

TEST(Trace, RateScaling) {
  auto r = parse_azure_trace("TIMESTAMP,ContextTokens,GeneratedTokens\n0,1,1\n3,1,1\n", "t.csv");
  r = scale_rate(r, 2);
  EXPECT_DOUBLE_EQ(r[1].arrival_s, 1.5);
  EXPECT_THROW(scale_rate(r, 0), Error);
  EXPECT_EQ(take_first(r, 1).size(), 1u);
}

TEST(Stream, PoissonAndGammaArrivals) {
  StreamSpec s;
  s.count = 40000;
  s.rate_per_s = 5;
  s.prompt = LengthDist::parse("--prompt", "fixed:100", "ContextTokens");
  s.output = LengthDist::parse("--output", "uniform:10,20", "GeneratedTokens");
  for (double cv : {1.0, 3.0, 0.5}) {
    s.arrival = cv == 1.0 ? ArrivalKind::Poisson : ArrivalKind::Gamma;
    s.cv = cv;
    const auto r = synthesize(s);
    double sum = 0, sum2 = 0;
    for (std::size_t i = 1; i < r.size(); ++i) {
      const double g = r[i].arrival_s - r[i - 1].arrival_s;
      sum += g;
      sum2 += g * g;
    }
    const double n = double(r.size() - 1), mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
    // standard error of the mean gap: sd / sqrt(n), about 0.5% here; 4 standard errors
    EXPECT_NEAR(mean, 0.2, 4 * sd / std::sqrt(n)) << cv;
    EXPECT_NEAR(sd / mean, cv, 0.05 * cv) << cv;
  }
}

TEST(Stream, LengthsAndSeeds) {
  StreamSpec s;
  s.count = 20000;
  s.prompt = LengthDist::parse("--prompt", "lognormal:500,1.0", "ContextTokens");
  s.output = LengthDist::parse("--output", "uniform:10,20", "GeneratedTokens");
  const auto a = synthesize(s);
  std::vector<double> p;
  for (const auto& r : a) {
    EXPECT_GE(r.output_tokens, 10);
    EXPECT_LE(r.output_tokens, 20);
    p.push_back(double(r.prompt_tokens));
  }
  std::sort(p.begin(), p.end());
  EXPECT_NEAR(p[p.size() / 2], 500, 25);  // the median of a lognormal is exp(mu)
  const auto b = synthesize(s);
  EXPECT_EQ(a.back().arrival_s, b.back().arrival_s);
  EXPECT_EQ(a.back().prompt_tokens, b.back().prompt_tokens);
  s.seed = 2;
  EXPECT_NE(synthesize(s).back().arrival_s, a.back().arrival_s);
  // a different rate keeps the lengths of the same seed
  s.seed = 1;
  s.rate_per_s = 7;
  EXPECT_EQ(synthesize(s)[123].prompt_tokens, a[123].prompt_tokens);
}

TEST(Stream, TraceSampledLengths) {
  const std::string trace = std::string(NPUSIM_SOURCE_DIR) + "/workloads/traces/azure_code_2023.csv";
  const LengthDist d = LengthDist::parse("--prompt", "trace:" + trace, "ContextTokens");
  std::set<std::int64_t> in(d.samples.begin(), d.samples.end());
  StreamSpec s;
  s.count = 2000;
  s.prompt = d;
  s.output = LengthDist::parse("--output", "trace:" + trace, "GeneratedTokens");
  for (const auto& r : synthesize(s)) EXPECT_TRUE(in.count(r.prompt_tokens)) << r.prompt_tokens;
}

TEST(Stream, BadSpecifications) {
  EXPECT_THROW(LengthDist::parse("--prompt", "fixed:0", "ContextTokens"), Error);
  EXPECT_THROW(LengthDist::parse("--prompt", "uniform:5,2", "ContextTokens"), Error);
  EXPECT_THROW(LengthDist::parse("--prompt", "normal:5", "ContextTokens"), Error);
  EXPECT_THROW(parse_arrival("--arrival", "bursty"), Error);
  StreamSpec s;
  s.prompt = LengthDist::parse("--prompt", "fixed:1", "ContextTokens");
  s.output = s.prompt;
  s.rate_per_s = 0;
  EXPECT_THROW(synthesize(s), Error);
}

}  // namespace
}  // namespace npusim::serving

#include "serving/serve.h"

namespace npusim::serving {
namespace {

TEST(ServeRequest, JsonRoundTrip) {
  ServeRequest r;
  r.model = "llama2-13b";
  r.tp = 2;
  r.pp = 2;
  r.dtype = DType::Fp8;
  r.activation_dtype = DType::Fp16;
  r.kv_dtype = DType::Fp8;
  r.system = "dgx-a100";
  r.chip_link = {300e9, 1e-6};
  r.replica_link = {25e9, 5e-6};
  r.host_bytes_per_s = 32e9;
  r.memory_utilisation = 0.85;
  r.grid = ShapeGrid::Exact;
  r.stream.arrival = ArrivalKind::Gamma;
  r.stream.cv = 2.5;
  r.stream.rate_per_s = 7;
  r.stream.count = 123;
  r.stream.prompt = LengthDist::parse("--prompt", "lognormal:300,0.5", "ContextTokens");
  r.stream.output = LengthDist::parse("--output", "uniform:5,50", "GeneratedTokens");
  r.stream.seed = 99;
  r.config.replicas = 5;
  r.config.prefill_replicas = 2;
  r.config.scheduler = SchedulerKind::Disaggregated;
  r.config.router = RouterKind::LeastWork;
  r.config.preemption = PreemptionKind::Swap;
  r.config.max_batch = 64;
  r.config.slo = {1.5, 0.1};
  const nlohmann::json j = request_to_json(r);
  const ServeRequest b = request_from_json(j);
  EXPECT_EQ(request_to_json(b), j);
  EXPECT_EQ(b.stream.prompt.str(), "lognormal:300,0.5");
  EXPECT_EQ(b.config.scheduler, SchedulerKind::Disaggregated);
  EXPECT_EQ(b.dtype, DType::Fp8);
  EXPECT_EQ(b.activation_dtype, DType::Fp16);
  EXPECT_EQ(b.kv_dtype, DType::Fp8);
  EXPECT_EQ(b.system, "dgx-a100");
  nlohmann::json bad = j;
  bad["scheduler"] = "orca";
  EXPECT_THROW(request_from_json(bad), Error);
  bad = j;
  bad.erase("tp");
  EXPECT_THROW(request_from_json(bad), Error);
}

}  // namespace
}  // namespace npusim::serving
