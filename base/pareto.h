// Pareto fronts: the points no other point dominates. Used by the sweep analysis (dse/) and the
// HTML reports (report/).
#pragma once

#include <cstddef>
#include <vector>

namespace npusim {

// Indices (ascending) of the points no other point dominates: another point dominates when it
// is at least as good in every dimension and better in one. `minimize[d]` gives the direction.
// Points with a non-finite value are never in the set. Two dimensions take O(n log n).
std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& values, const std::vector<bool>& minimize);

}  // namespace npusim
