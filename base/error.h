// Errors reported to users: one line naming the thing and the value.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace npusim {

// A user-facing error (bad config, bad model, bad command line). main() prints what() as one
// line and exits non-zero; nothing else is caught there, so a bug still shows as a bug.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where a value came from: a file position, or a command-line override.
struct SourceLoc {
  std::string file;  // file name, "<preset:NAME>" or "--set"
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown

  std::string str() const;
};

// One problem found while validating, e.g. "tpu.yaml:12:5: core.pe_array.rows: must be >= 1, got 0".
struct Diagnostic {
  SourceLoc loc;
  std::string path;  // key path, e.g. core.pe_array.rows
  std::string message;

  std::string str() const;
};

// Raised when validation found one or more problems; what() is the first, all() holds them all.
class ValidationError : public Error {
 public:
  explicit ValidationError(std::vector<Diagnostic> diags);
  const std::vector<Diagnostic>& all() const { return diags_; }

 private:
  std::vector<Diagnostic> diags_;
};

}  // namespace npusim
