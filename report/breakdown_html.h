// An HTML page (inline SVG, no external files) for a breakdown of a time and a memory budget:
// the multi-chip training step's iteration (forward, backward, each collective exposed and hidden,
// pipeline bubble, optimizer) and its memory per chip. report/ does not know system/: callers pass
// plain rows.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace npusim::report {

struct BreakdownRow {
  std::string label;
  double value = 0;
  std::string kind;  // groups rows into colours ("compute", "communication", "idle", ...)
};

struct BreakdownReport {
  std::string title;
  std::vector<std::pair<std::string, std::string>> facts;  // summary lines
  std::vector<BreakdownRow> time;    // seconds, adding up to the iteration
  std::vector<BreakdownRow> hidden;  // seconds overlapped with compute (not in the sum)
  std::vector<BreakdownRow> memory;  // bytes per chip
  double memory_capacity = 0;
};

std::string breakdown_html(const BreakdownReport& r);

}  // namespace npusim::report
