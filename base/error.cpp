#include "base/error.h"

#include <fmt/format.h>

namespace npusim {

std::string SourceLoc::str() const {
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Diagnostic::str() const {
  std::string where = loc.str();
  if (path.empty()) return fmt::format("{}: {}", where, message);
  return fmt::format("{}: {}: {}", where, path, message);
}

static std::string first_message(const std::vector<Diagnostic>& d) {
  if (d.empty()) return "validation failed";
  if (d.size() == 1) return d.front().str();
  return fmt::format("{} (and {} more problem{})", d.front().str(), d.size() - 1, d.size() == 2 ? "" : "s");
}

ValidationError::ValidationError(std::vector<Diagnostic> diags)
    : Error(first_message(diags)), diags_(std::move(diags)) {}

}  // namespace npusim
