// The dependency rule of docs/ARCHITECTURE.md, checked against the build: the table between the
// `dependency-table` markers says which folders each target may use; CMake writes the targets it
// defines and their direct link dependencies (cmake/NpusimTargetGraph.cmake); the sources say
// what they include. Every problem is one readable line.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace npusim::tests::arch_deps {

// One row of the table.
struct Row {
  std::string folder;                      // "sim", "validate/rtl" (no trailing slash)
  std::vector<std::string> targets;        // the targets the row names
  std::map<std::string, std::string> only_with;  // target -> the condition it is built under ("CUDA")
  bool planned = false;                    // "(planned)": the folder has no code yet
  std::set<std::string> may_use;           // folders ("third_party" included)
  int line = 0;                            // in the document
};

struct Table {
  std::vector<Row> rows;
  const Row* row_of_target(const std::string& target) const;
  // The row whose folder is the longest prefix of `path` (a path relative to the source root).
  const Row* row_of_path(const std::string& path) const;
};

// Throws std::runtime_error naming the line when the table cannot be read.
Table parse_table(const std::string& markdown);

struct Target {
  std::string name, type, folder;  // folder: relative to the source root, "." for the top level
  std::vector<std::string> links;  // direct link dependencies as CMake lists them
};
struct TargetGraph {
  std::map<std::string, bool> conditions;  // "CUDA" -> ON
  std::map<std::string, Target> targets;
};
TargetGraph parse_graph(const std::string& text);

// Targets that link a folder their row does not allow, targets without a row, rows without their
// target, rows naming the wrong folder.
std::vector<std::string> check_links(const Table& table, const TargetGraph& graph);

// A source file's project includes (`#include "folder/..."`) against its folder's row.
struct Source {
  std::string path;  // relative to the source root
  std::string text;
};
std::vector<std::string> check_includes(const Table& table, const std::vector<Source>& sources);

}  // namespace npusim::tests::arch_deps
