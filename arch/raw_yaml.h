// A mutable YAML tree that remembers where each node came from. Parsing, key-path overrides
// (--set) and schema validation work on it; only validate() turns it into typed values.
// Used for architecture files and, later, sweep specs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace npusim {

struct RawNode {
  enum class Kind { Null, Scalar, Map, Seq };
  struct Entry;

  Kind kind = Kind::Null;
  std::string scalar;          // Scalar only
  std::vector<Entry> entries;  // Map only, in file order
  std::vector<RawNode> items;  // Seq only
  SourceLoc loc;

  const RawNode* find(std::string_view key) const;
  RawNode* find(std::string_view key);
  // The node at a dotted path ("core.pe_array.rows"), or nullptr.
  const RawNode* at_path(std::string_view path) const;
  std::string_view kind_name() const;  // "a scalar", "a map", ...
};

struct RawNode::Entry {
  std::string key;
  SourceLoc key_loc;
  RawNode value;
};

// Parses YAML text; `file` names it in locations. A syntax error or a duplicate key throws
// ValidationError with file:line:column.
RawNode parse_yaml(std::string_view text, const std::string& file);

// A key-path override "a.b.c=value" as given on the command line.
struct Override {
  std::string path;
  std::string value;
  std::string text() const { return path + "=" + value; }
};
// Throws Error if `arg` is not of the form path=value with a non-empty path.
Override parse_override(std::string_view arg);

// Sets the scalar at `path`, creating intermediate maps. Its location becomes "--set path=value".
// Throws Error if a non-map node sits on the path.
void apply_override(RawNode& root, const Override& o);

std::vector<std::string_view> split_path(std::string_view path);

}  // namespace npusim
