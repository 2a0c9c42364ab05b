#include "base/pareto.h"

#include <algorithm>
#include <cmath>

namespace npusim {

std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& values,
                                      const std::vector<bool>& minimize) {
  const std::size_t dims = minimize.size();
  auto good = [&](std::size_t i) {
    if (values[i].size() != dims) return false;
    for (double v : values[i])
      if (!std::isfinite(v)) return false;
    return true;
  };
  // better-or-equal in every dimension, strictly better in one
  auto dominates = [&](std::size_t a, std::size_t b) {
    bool strictly = false;
    for (std::size_t d = 0; d < dims; ++d) {
      const double x = minimize[d] ? values[a][d] : -values[a][d];
      const double y = minimize[d] ? values[b][d] : -values[b][d];
      if (x > y) return false;
      if (x < y) strictly = true;
    }
    return strictly;
  };
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (good(i)) idx.push_back(i);
  std::vector<std::size_t> front;
  if (dims == 2) {
    // Sort by the first objective (better first, ties by the second); sweep keeping the best second.
    auto key = [&](std::size_t i, std::size_t d) { return minimize[d] ? values[i][d] : -values[i][d]; };
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      if (key(a, 0) != key(b, 0)) return key(a, 0) < key(b, 0);
      return key(a, 1) < key(b, 1);
    });
    double best = INFINITY;
    double best_first = NAN;
    for (std::size_t i : idx) {
      const double y = key(i, 1);
      if (y < best) {
        front.push_back(i);
        best = y;
        best_first = key(i, 0);
      } else if (y == best && key(i, 0) == best_first) {
        front.push_back(i);  // an equal point: neither dominates the other
      }
    }
    std::sort(front.begin(), front.end());
    return front;
  }
  for (std::size_t i : idx) {
    bool dominated = false;
    for (std::size_t j : idx)
      if (j != i && dominates(j, i)) {
        dominated = true;
        break;
      }
    if (!dominated) front.push_back(i);
  }
  return front;
}

}  // namespace npusim
