// Requests a pool serves: traces in the Azure LLM inference format and synthetic streams.
//
// A trace is a CSV with a header naming (in any order, other columns ignored) TIMESTAMP,
// ContextTokens and GeneratedTokens, as Microsoft's Azure LLM inference traces (2023, 2024) have
// them: the timestamp is a date and time "2023-11-16 18:15:46.6805900" or a number of seconds;
// arrivals are taken relative to the first row. A bad trace (a missing column, a negative or
// unparsable token count, an unparsable or decreasing timestamp) is one Error naming the file,
// the line and the column of the first problem.
//
// A synthetic stream draws arrivals from a Poisson process or a gamma renewal process (a
// coefficient of variation; 1 is Poisson) at a rate, and prompt and output lengths from fixed,
// uniform, lognormal or trace-sampled distributions, from a seed. The random numbers are the
// project's own (splitmix64 and the transforms below), so a seed gives the same stream with
// every standard library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace npusim::serving {

struct Request {
  std::int64_t id = 0;
  double arrival_s = 0;
  std::int64_t prompt_tokens = 0;  // ContextTokens
  std::int64_t output_tokens = 0;  // GeneratedTokens (at least 1 is served: the first token)
};

// ---- traces ----
std::vector<Request> parse_azure_trace(std::string_view text, const std::string& source);
std::vector<Request> load_azure_trace(const std::string& path);
// Arrivals compressed in time by `factor` (2 = twice the rate); throws Error unless factor > 0.
std::vector<Request> scale_rate(std::vector<Request> requests, double factor);
// The first `n` requests (all when n <= 0 or n >= size).
std::vector<Request> take_first(std::vector<Request> requests, std::int64_t n);

// ---- synthetic streams ----
enum class ArrivalKind : std::uint8_t { Poisson, Gamma };
enum class LengthKind : std::uint8_t { Fixed, Uniform, Lognormal, Trace };

// A token-length distribution; every draw is clamped to [1, max] (max 0 = no limit).
struct LengthDist {
  LengthKind kind = LengthKind::Fixed;
  std::int64_t value = 0;            // Fixed
  std::int64_t lo = 0, hi = 0;       // Uniform, inclusive
  double median = 0, sigma = 0;      // Lognormal: exp(N(ln median, sigma^2))
  std::vector<std::int64_t> samples; // Trace: drawn uniformly from these
  std::string source;                // Trace: where the samples came from
  std::int64_t max = 0;
  // "fixed:N" | "uniform:LO,HI" | "lognormal:MEDIAN,SIGMA" | "trace:FILE" (the column named by
  // `trace_column`: "ContextTokens" or "GeneratedTokens"). Throws Error naming `what`.
  static LengthDist parse(std::string_view what, std::string_view text, std::string_view trace_column);
  std::string str() const;
};

struct StreamSpec {
  ArrivalKind arrival = ArrivalKind::Poisson;
  double rate_per_s = 1;
  double cv = 1;               // Gamma: coefficient of variation of the inter-arrival times
  std::int64_t count = 1000;   // requests
  LengthDist prompt, output;
  std::uint64_t seed = 1;
};
// Throws Error for a non-positive rate, cv or count, or an empty distribution.
std::vector<Request> synthesize(const StreamSpec& spec);

// "poisson" | "gamma"
ArrivalKind parse_arrival(std::string_view what, std::string_view value);
std::string_view name_of(ArrivalKind a);

// The project's random numbers: splitmix64 (Steele, Lea, Flood 2014) with the transforms below;
// deterministic across platforms.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  double uniform();                       // [0, 1), 53 bits
  double exponential(double mean);        // -mean ln(1 - u)
  double normal();                        // Box-Muller
  double gamma(double shape, double scale);  // Marsaglia and Tsang (2000)
  std::int64_t below(std::int64_t n);     // uniform on [0, n)

 private:
  std::uint64_t state_;
  bool have_spare_ = false;
  double spare_ = 0;
};

}  // namespace npusim::serving
