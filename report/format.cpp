#include "report/format.h"

#include <fmt/format.h>

#include <cmath>

namespace npusim::report {

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024.0 && u < 4) b /= 1024.0, ++u;
  return u == 0 ? fmt::format("{:.0f} B", b) : fmt::format("{:.1f} {}", b, units[u]);
}

std::string human_count(double n) {
  const char* units[] = {"", "K", "M", "G", "T", "P"};
  int u = 0;
  while (std::abs(n) >= 1000.0 && u < 5) n /= 1000.0, ++u;
  return u == 0 ? fmt::format("{:.0f}", n) : fmt::format("{:.2f}{}", n, units[u]);
}

std::string human_seconds(double s) {
  if (s == 0) return "0 s";
  if (std::abs(s) >= 1) return fmt::format("{:.3g} s", s);
  if (std::abs(s) >= 1e-3) return fmt::format("{:.3g} ms", s * 1e3);
  if (std::abs(s) >= 1e-6) return fmt::format("{:.3g} us", s * 1e6);
  return fmt::format("{:.3g} ns", s * 1e9);
}

std::string fit(const std::string& s, std::size_t width) {
  if (s.size() <= width || width == 0) return s;
  std::string out(s, 0, width - 1);
  out.push_back('~');
  return out;
}

}  // namespace npusim::report
