#include "serving/requests.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "base/error.h"
#include "base/files.h"
#include "base/scalar_text.h"

namespace npusim::serving {

namespace {

constexpr std::array<std::string_view, 3> kColumns = {"TIMESTAMP", "ContextTokens", "GeneratedTokens"};

[[noreturn]] void fail(const std::string& source, int line, int col, std::string_view column, std::string message) {
  throw ValidationError({Diagnostic{SourceLoc{source, line, col}, std::string(column), std::move(message)}});
}

struct Field {
  std::string_view text;
  int column = 1;  // 1-based character position of its first character
};

// Comma-separated fields with surrounding blanks trimmed; positions are kept for errors.
std::vector<Field> split(std::string_view line) {
  std::vector<Field> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = line.find(',', start);
    std::size_t end = comma == std::string_view::npos ? line.size() : comma;
    std::size_t b = start, e = end;
    while (b < e && (line[b] == ' ' || line[b] == '\t')) ++b;
    while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t')) --e;
    out.push_back({line.substr(b, e - b), static_cast<int>(b) + 1});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// A point in time as whole seconds plus a fraction, so that differences keep sub-microsecond
// precision for dates near 2023.
struct Stamp {
  std::int64_t seconds = 0;
  double fraction = 0;
  double minus(const Stamp& o) const { return double(seconds - o.seconds) + (fraction - o.fraction); }
};

bool digits(std::string_view s, std::size_t pos, std::size_t n, std::int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// "YYYY-MM-DD HH:MM:SS[.fff...]" (or 'T' between date and time), or a real number of seconds.
bool parse_stamp(std::string_view s, Stamp& out) {
  double real = 0;
  if (text::parse_real(s, real)) {
    out.seconds = static_cast<std::int64_t>(std::floor(real));
    out.fraction = real - double(out.seconds);
    return true;
  }
  std::int64_t y, mo, d, h, mi, se;
  if (s.size() < 19 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != ' ' && s[10] != 'T') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  double frac = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20) return false;
    double scale = 0.1;
    for (std::size_t i = 20; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      frac += scale * (s[i] - '0');
      scale *= 0.1;
    }
  }
  out.seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  out.fraction = frac;
  return true;
}

}  // namespace

std::vector<Request> parse_azure_trace(std::string_view text, const std::string& source) {
  std::vector<Request> out;
  std::array<int, kColumns.size()> index{-1, -1, -1};
  std::size_t needed = 0;  // fields a row must have
  bool header = false;
  Stamp first, prev;
  int line_no = 0;
  std::size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // a UTF-8 byte-order mark
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank lines
    const std::vector<Field> f = split(line);
    if (!header) {
      for (std::size_t c = 0; c < kColumns.size(); ++c) {
        for (std::size_t i = 0; i < f.size(); ++i)
          if (f[i].text == kColumns[c]) index[c] = static_cast<int>(i);
        if (index[c] < 0)
          fail(source, line_no, 1, kColumns[c],
               fmt::format("missing column (the header must name TIMESTAMP, ContextTokens and GeneratedTokens; "
                           "it has '{}')",
                           line));
        needed = std::max(needed, static_cast<std::size_t>(index[c]) + 1);
      }
      header = true;
      continue;
    }
    if (f.size() < needed) {
      std::size_t missing = 0;
      while (static_cast<std::size_t>(index[missing]) < f.size()) ++missing;
      fail(source, line_no, static_cast<int>(line.size()) + 1, kColumns[missing],
           fmt::format("missing value (the row has {} field{}, the header {})", f.size(), f.size() == 1 ? "" : "s",
                       needed));
    }
    const Field& ts = f[static_cast<std::size_t>(index[0])];
    Stamp stamp;
    if (!parse_stamp(ts.text, stamp))
      fail(source, line_no, ts.column, kColumns[0],
           fmt::format("cannot parse '{}' (expected YYYY-MM-DD HH:MM:SS[.fraction] or seconds)", ts.text));
    if (out.empty()) {
      first = stamp;
    } else if (stamp.minus(prev) < 0) {
      fail(source, line_no, ts.column, kColumns[0],
           fmt::format("'{}' is earlier than the previous row's: the trace must be sorted by time", ts.text));
    }
    prev = stamp;
    Request r;
    r.id = static_cast<std::int64_t>(out.size());
    r.arrival_s = stamp.minus(first);
    for (std::size_t c = 1; c < kColumns.size(); ++c) {
      const Field& tok = f[static_cast<std::size_t>(index[c])];
      std::int64_t v = 0;
      if (!text::parse_int(tok.text, v))
        fail(source, line_no, tok.column, kColumns[c], fmt::format("'{}' is not a whole number of tokens", tok.text));
      if (v < 1)
        fail(source, line_no, tok.column, kColumns[c],
             fmt::format("{} tokens: must be >= 1", v));
      (c == 1 ? r.prompt_tokens : r.output_tokens) = v;
    }
    out.push_back(r);
  }
  if (!header) fail(source, std::max(line_no, 1), 1, "", "empty trace: no header row");
  if (out.empty()) fail(source, line_no, 1, "", "the trace has a header but no requests");
  return out;
}

std::vector<Request> load_azure_trace(const std::string& path) { return parse_azure_trace(read_file(path), path); }

std::vector<Request> scale_rate(std::vector<Request> requests, double factor) {
  if (!(factor > 0) || !std::isfinite(factor))
    throw Error(fmt::format("rate scale {}: must be a positive number", factor));
  for (Request& r : requests) r.arrival_s /= factor;
  return requests;
}

std::vector<Request> take_first(std::vector<Request> requests, std::int64_t n) {
  if (n > 0 && static_cast<std::size_t>(n) < requests.size()) requests.resize(static_cast<std::size_t>(n));
  return requests;
}

// ---- random numbers ----

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Rng::uniform() { return double(next() >> 11) * 0x1.0p-53; }

double Rng::exponential(double mean) { return -mean * std::log1p(-uniform()); }

double Rng::normal() {
  if (have_spare_) {
    have_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = r * std::sin(2 * std::numbers::pi * u2);
  have_spare_ = true;
  return r * std::cos(2 * std::numbers::pi * u2);
}

double Rng::gamma(double shape, double scale) {
  if (shape < 1) {  // boost: G(a) = G(a + 1) U^(1/a)
    double u = uniform();
    while (u <= 0) u = uniform();
    return gamma(shape + 1, scale) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x, v;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (u > 0 && std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v * scale;
  }
}

std::int64_t Rng::below(std::int64_t n) { return static_cast<std::int64_t>(uniform() * double(n)); }

// ---- synthetic streams ----

ArrivalKind parse_arrival(std::string_view what, std::string_view value) {
  if (value == "poisson") return ArrivalKind::Poisson;
  if (value == "gamma") return ArrivalKind::Gamma;
  throw Error(fmt::format("{} {}: expected one of poisson, gamma", what, value));
}

std::string_view name_of(ArrivalKind a) { return a == ArrivalKind::Poisson ? "poisson" : "gamma"; }

namespace {

std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> out;
  for (const Field& f : split(s)) out.push_back(f.text);
  return out;
}

}  // namespace

LengthDist LengthDist::parse(std::string_view what, std::string_view text, std::string_view trace_column) {
  const std::size_t colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  const std::string_view args = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  auto bad = [&](std::string_view why) {
    return Error(fmt::format("{} {}: {} (expected fixed:N, uniform:LO,HI, lognormal:MEDIAN,SIGMA or trace:FILE)",
                             what, text, why));
  };
  LengthDist d;
  const std::vector<std::string_view> a = split_commas(args);
  auto integer = [&](std::string_view s) {
    std::int64_t v = 0;
    if (!text::parse_int(s, v) || v < 1) throw bad(fmt::format("'{}' is not a token count >= 1", s));
    return v;
  };
  auto real = [&](std::string_view s) {
    double v = 0;
    if (!text::parse_real(s, v)) throw bad(fmt::format("'{}' is not a number", s));
    return v;
  };
  if (kind == "fixed") {
    if (a.size() != 1) throw bad("fixed takes one value");
    d.kind = LengthKind::Fixed;
    d.value = integer(a[0]);
  } else if (kind == "uniform") {
    if (a.size() != 2) throw bad("uniform takes two values");
    d.kind = LengthKind::Uniform;
    d.lo = integer(a[0]);
    d.hi = integer(a[1]);
    if (d.hi < d.lo) throw bad("HI must be >= LO");
  } else if (kind == "lognormal") {
    if (a.size() != 2) throw bad("lognormal takes a median and a sigma");
    d.kind = LengthKind::Lognormal;
    d.median = real(a[0]);
    d.sigma = real(a[1]);
    if (!(d.median >= 1) || !(d.sigma >= 0)) throw bad("the median must be >= 1 and sigma >= 0");
  } else if (kind == "trace") {
    if (args.empty()) throw bad("trace needs a file");
    d.kind = LengthKind::Trace;
    d.source = std::string(args);
    for (const Request& r : load_azure_trace(d.source))
      d.samples.push_back(trace_column == "ContextTokens" ? r.prompt_tokens : r.output_tokens);
  } else {
    throw bad(fmt::format("unknown distribution '{}'", kind));
  }
  return d;
}

std::string LengthDist::str() const {
  switch (kind) {
    case LengthKind::Fixed: return fmt::format("fixed:{}", value);
    case LengthKind::Uniform: return fmt::format("uniform:{},{}", lo, hi);
    case LengthKind::Lognormal: return fmt::format("lognormal:{},{}", median, sigma);
    case LengthKind::Trace: return fmt::format("trace:{}", source);
  }
  return "";
}

namespace {

std::int64_t draw(const LengthDist& d, Rng& rng) {
  std::int64_t v = 1;
  switch (d.kind) {
    case LengthKind::Fixed: v = d.value; break;
    case LengthKind::Uniform: v = d.lo + rng.below(d.hi - d.lo + 1); break;
    case LengthKind::Lognormal: v = std::llround(d.median * std::exp(d.sigma * rng.normal())); break;
    case LengthKind::Trace: v = d.samples[static_cast<std::size_t>(rng.below(std::int64_t(d.samples.size())))]; break;
  }
  v = std::max<std::int64_t>(v, 1);
  if (d.max > 0) v = std::min(v, d.max);
  return v;
}

void check_dist(std::string_view what, const LengthDist& d) {
  const bool ok = (d.kind == LengthKind::Fixed && d.value >= 1) || (d.kind == LengthKind::Uniform && d.lo >= 1 && d.hi >= d.lo) ||
                  (d.kind == LengthKind::Lognormal && d.median >= 1 && d.sigma >= 0) ||
                  (d.kind == LengthKind::Trace && !d.samples.empty());
  if (!ok) throw Error(fmt::format("{}: the length distribution {} is empty or invalid", what, d.str()));
}

}  // namespace

std::vector<Request> synthesize(const StreamSpec& s) {
  if (!(s.rate_per_s > 0) || !std::isfinite(s.rate_per_s))
    throw Error(fmt::format("rate {}: must be a positive number of requests per second", s.rate_per_s));
  if (s.arrival == ArrivalKind::Gamma && !(s.cv > 0))
    throw Error(fmt::format("cv {}: the coefficient of variation must be > 0", s.cv));
  if (s.count < 1) throw Error(fmt::format("requests {}: must be >= 1", s.count));
  check_dist("prompt", s.prompt);
  check_dist("output", s.output);
  // Separate streams for arrivals and lengths, so that changing the rate keeps the lengths.
  Rng arrivals(s.seed), lengths(s.seed ^ 0x5bd1e9955bd1e995ULL);
  const double mean_gap = 1.0 / s.rate_per_s;
  // Gamma inter-arrival times with mean 1/rate and coefficient of variation cv: shape 1/cv^2.
  const double shape = 1.0 / (s.cv * s.cv);
  std::vector<Request> out(static_cast<std::size_t>(s.count));
  double t = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0)
      t += s.arrival == ArrivalKind::Poisson ? arrivals.exponential(mean_gap) : arrivals.gamma(shape, mean_gap / shape);
    out[i].id = static_cast<std::int64_t>(i);
    out[i].arrival_s = t;
    out[i].prompt_tokens = draw(s.prompt, lengths);
    out[i].output_tokens = draw(s.output, lengths);
  }
  return out;
}

}  // namespace npusim::serving
