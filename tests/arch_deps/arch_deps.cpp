#include "tests/arch_deps/arch_deps.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace npusim::tests::arch_deps {

namespace {

constexpr std::string_view kBegin = "<!-- dependency-table: begin";
constexpr std::string_view kEnd = "<!-- dependency-table: end";
constexpr std::string_view kThirdParty = "third_party";
constexpr std::string_view kTests = "tests";

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

bool is_name_char(char c, bool dots) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (dots && (c == '.' || c == '+' || c == '-'));
}

struct TargetEntry {
  std::string name;
  bool planned = false;
  std::string condition;  // "with COND" -> COND
};

// NAME, `NAME`, NAME (planned) or NAME (with CONDITION)
std::optional<TargetEntry> parse_target_entry(std::string_view entry) {
  std::size_t i = 0;
  const bool ticked = i < entry.size() && entry[i] == '`';
  if (ticked) ++i;
  const std::size_t name_begin = i;
  while (i < entry.size() && is_name_char(entry[i], true)) ++i;
  TargetEntry t;
  t.name = std::string(entry.substr(name_begin, i - name_begin));
  if (t.name.empty()) return std::nullopt;
  if (ticked) {
    if (i >= entry.size() || entry[i] != '`') return std::nullopt;
    ++i;
  }
  const std::string rest = trim(entry.substr(i));
  if (rest.empty()) return t;
  if (rest.front() != '(' || rest.back() != ')') return std::nullopt;
  const std::string inner = rest.substr(1, rest.size() - 2);
  if (inner == "planned") {
    t.planned = true;
    return t;
  }
  const std::string with = "with ";
  if (inner.rfind(with, 0) != 0) return std::nullopt;
  t.condition = inner.substr(with.size());
  if (t.condition.empty()) return std::nullopt;
  for (char c : t.condition)
    if (!is_name_char(c, false)) return std::nullopt;
  return t;
}

// `  #  include "x/y.h"` -> x/y.h
std::optional<std::string> quoted_include(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos || line[i] != '#') return std::nullopt;
  i = line.find_first_not_of(" \t", i + 1);
  const std::string_view kw = "include";
  if (i == std::string_view::npos || line.substr(i, kw.size()) != kw) return std::nullopt;
  i = line.find_first_not_of(" \t", i + kw.size());
  if (i == std::string_view::npos || line[i] != '"') return std::nullopt;
  const std::size_t close = line.find('"', i + 1);
  if (close == std::string_view::npos || close == i + 1) return std::nullopt;
  return std::string(line.substr(i + 1, close - i - 1));
}

// `sim/` -> sim
std::string folder_name(std::string_view cell) {
  std::string s = trim(cell);
  s.erase(std::remove(s.begin(), s.end(), '`'), s.end());
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (true) {
    const auto next = s.find(sep, at);
    out.push_back(trim(s.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at)));
    if (next == std::string_view::npos) return out;
    at = next + 1;
  }
}

// "| a | b |" -> {a, b}
std::vector<std::string> cells(std::string_view line) {
  std::string s = trim(line);
  if (s.size() < 2 || s.front() != '|' || s.back() != '|') return {};
  return split(std::string_view(s).substr(1, s.size() - 2), '|');
}

bool starts_with_folder(const std::string& path, const std::string& folder) {
  return path == folder || (path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
                            path[folder.size()] == '/');
}

std::string list_of(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "nothing" : out;
}

// what a dependency is, seen from the table
struct Place {
  enum Kind { External, Settings, Tests, ThirdParty, Folder, NoRow } kind = External;
  std::string folder;  // Folder: the row's folder; NoRow: where it is defined
};

Place place_of(const Table& table, const TargetGraph& graph, const std::string& name) {
  const auto it = graph.targets.find(name);
  if (it == graph.targets.end()) return {Place::External, ""};
  const Target& t = it->second;
  if (starts_with_folder(t.folder, std::string(kTests))) return {Place::Tests, t.folder};
  if (starts_with_folder(t.folder, std::string(kThirdParty))) return {Place::ThirdParty, std::string(kThirdParty)};
  if (t.folder == "." && t.type == "INTERFACE_LIBRARY") return {Place::Settings, "."};
  if (const Row* r = table.row_of_target(name)) return {Place::Folder, r->folder};
  return {Place::NoRow, t.folder};
}

// $<LINK_ONLY:x> -> x; CMake's cross-directory markers (::@...) -> ""
std::string link_name(const std::string& entry) {
  if (entry.rfind("::@", 0) == 0) return "";
  const std::string prefix = "$<LINK_ONLY:";
  if (entry.rfind(prefix, 0) == 0 && entry.size() > prefix.size() + 1 && entry.back() == '>' &&
      entry.find('>') == entry.size() - 1)
    return entry.substr(prefix.size(), entry.size() - prefix.size() - 1);
  return entry;
}

}  // namespace

const Row* Table::row_of_target(const std::string& target) const {
  for (const Row& r : rows)
    if (std::find(r.targets.begin(), r.targets.end(), target) != r.targets.end()) return &r;
  return nullptr;
}

const Row* Table::row_of_path(const std::string& path) const {
  const Row* best = nullptr;
  for (const Row& r : rows)
    if (starts_with_folder(path, r.folder) && (!best || r.folder.size() > best->folder.size())) best = &r;
  return best;
}

Table parse_table(const std::string& markdown) {
  std::istringstream in(markdown);
  std::string line;
  int n = 0;
  bool inside = false, ended = false;
  int c_folder = -1, c_target = -1, c_deps = -1;
  std::size_t columns = 0;
  Table table;
  std::set<std::string> above;
  while (std::getline(in, line)) {
    ++n;
    if (line.find(kBegin) != std::string::npos) {
      inside = true;
      continue;
    }
    if (!inside) continue;
    if (line.find(kEnd) != std::string::npos) {
      ended = true;
      break;
    }
    const std::vector<std::string> c = cells(line);
    if (c.empty()) continue;
    if (c_folder < 0) {  // the header
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (c[i] == "folder") c_folder = int(i);
        if (c[i] == "target") c_target = int(i);
        if (c[i] == "may depend on") c_deps = int(i);
      }
      if (c_folder < 0 || c_target < 0 || c_deps < 0)
        throw std::runtime_error(fmt::format("line {}: the table's header needs the columns 'folder', 'target' and "
                                             "'may depend on'",
                                             n));
      columns = c.size();
      continue;
    }
    if (std::all_of(c.begin(), c.end(), [](const std::string& x) { return x.find_first_not_of("-: ") == std::string::npos; }))
      continue;  // |---|---|
    if (c.size() != columns)
      throw std::runtime_error(fmt::format("line {}: {} cells where the header has {} (a '|' inside a cell?)", n,
                                           c.size(), columns));
    Row r;
    r.line = n;
    r.folder = folder_name(c[std::size_t(c_folder)]);
    for (const std::string& entry : split(c[std::size_t(c_target)], ',')) {
      const std::optional<TargetEntry> t = parse_target_entry(entry);
      if (!t)
        throw std::runtime_error(fmt::format("line {}: target '{}': expected NAME, NAME (with CONDITION) or NAME (planned)",
                                             n, entry));
      r.targets.push_back(t->name);
      if (t->planned) r.planned = true;
      if (!t->condition.empty()) r.only_with[t->name] = t->condition;
    }
    const std::string deps = trim(c[std::size_t(c_deps)]);
    if (deps == "everything above") {
      r.may_use = above;
    } else if (deps != "-") {
      for (const std::string& d : split(deps, ',')) {
        const std::string f = folder_name(d);
        if (f != kThirdParty && !above.count(f))
          throw std::runtime_error(fmt::format("line {}: {}/ may depend on '{}', which is no row above it (dependencies "
                                               "point one way: up the table)",
                                               n, r.folder, f));
        r.may_use.insert(f);
      }
    }
    above.insert(r.folder);
    table.rows.push_back(std::move(r));
  }
  if (!inside) throw std::runtime_error("no '<!-- dependency-table: begin' marker");
  if (!ended) throw std::runtime_error("no '<!-- dependency-table: end' marker");
  if (table.rows.empty()) throw std::runtime_error("the dependency table has no rows");
  return table;
}

TargetGraph parse_graph(const std::string& text) {
  TargetGraph g;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream w(line);
    std::string kind, a, b, c;
    w >> kind >> a >> b;
    if (kind == "condition") {
      g.conditions[a] = b == "ON";
    } else if (kind == "target") {
      w >> c;
      g.targets[a] = Target{a, b, c, {}};
    } else if (kind == "link") {
      std::string rest;
      std::getline(w, rest);
      g.targets[a].links.push_back(trim(b + rest));
    }
  }
  return g;
}

std::vector<std::string> check_links(const Table& table, const TargetGraph& graph) {
  std::vector<std::string> problems;
  // rows against the build
  for (const Row& r : table.rows)
    for (const std::string& name : r.targets) {
      const auto it = graph.targets.find(name);
      if (r.planned) {
        if (it != graph.targets.end())
          problems.push_back(fmt::format("docs/ARCHITECTURE.md:{}: {}/ is marked (planned) but the build defines {} (in "
                                         "{}/): remove the mark",
                                         r.line, r.folder, name, it->second.folder));
        continue;
      }
      if (it == graph.targets.end()) {
        const auto cond = r.only_with.find(name);
        if (cond == r.only_with.end()) {
          problems.push_back(fmt::format("docs/ARCHITECTURE.md:{}: the row of {}/ names the target {}, which the build "
                                         "does not define",
                                         r.line, r.folder, name));
        } else if (const auto c = graph.conditions.find(cond->second); c == graph.conditions.end()) {
          problems.push_back(fmt::format("docs/ARCHITECTURE.md:{}: {} (with {}): the build records no condition {} "
                                         "(cmake/NpusimTargetGraph.cmake)",
                                         r.line, name, cond->second, cond->second));
        } else if (c->second) {
          problems.push_back(fmt::format("docs/ARCHITECTURE.md:{}: {} is built with {}, which is on, but the build does "
                                         "not define it",
                                         r.line, name, cond->second));
        }
        continue;
      }
      if (it->second.folder != r.folder)
        problems.push_back(fmt::format("docs/ARCHITECTURE.md:{}: {} is defined in {}/, not in {}/ as its row says",
                                       r.line, name, it->second.folder, r.folder));
    }
  // the build against the rows
  for (const auto& [name, t] : graph.targets) {
    const Place self = place_of(table, graph, name);
    if (self.kind == Place::Tests || self.kind == Place::Settings) continue;  // tests may use anything
    if (self.kind == Place::NoRow) {
      problems.push_back(fmt::format("target {} (defined in {}/) has no row in docs/ARCHITECTURE.md's dependency table: "
                                     "add it to its folder's row",
                                     name, t.folder));
      continue;
    }
    const Row* row = self.kind == Place::Folder ? table.row_of_target(name) : nullptr;
    for (const std::string& entry : t.links) {
      const std::string dep = link_name(entry);
      if (dep.empty()) continue;
      const Place p = place_of(table, graph, dep);
      if (p.kind == Place::External || p.kind == Place::Settings || p.kind == Place::NoRow) continue;
      if (p.kind == Place::Tests) {
        problems.push_back(fmt::format("{} ({}/) links the test target {}", name, self.folder, dep));
        continue;
      }
      if (p.folder == self.folder) continue;
      if (self.kind == Place::ThirdParty) {
        problems.push_back(fmt::format("{} (third_party/) links {} ({}/): a vendored library depends on none of npusim's "
                                       "folders",
                                       name, dep, p.folder));
        continue;
      }
      if (!row->may_use.count(p.folder))
        problems.push_back(fmt::format("{} ({}/) links {} ({}/), which its row does not allow: {}/ may depend on {} "
                                       "(docs/ARCHITECTURE.md:{})",
                                       name, self.folder, dep, p.folder, self.folder, list_of(row->may_use), row->line));
    }
  }
  return problems;
}

std::vector<std::string> check_includes(const Table& table, const std::vector<Source>& sources) {
  std::vector<std::string> problems;
  for (const Source& s : sources) {
    const Row* row = table.row_of_path(s.path);
    if (!row || row->planned) continue;
    std::istringstream in(s.text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      const std::optional<std::string> quoted = quoted_include(line);
      if (!quoted) continue;
      const std::string path = *quoted;
      if (path.find('/') == std::string::npos) continue;  // generated or local headers
      std::string folder;
      if (starts_with_folder(path, std::string(kThirdParty)))
        folder = kThirdParty;
      else if (const Row* to = table.row_of_path(path))
        folder = to->folder;
      else
        continue;
      if (folder == row->folder || row->may_use.count(folder)) continue;
      problems.push_back(fmt::format("{}:{}: includes {} ({}/), which its row does not allow: {}/ may depend on {} "
                                     "(docs/ARCHITECTURE.md:{})",
                                     s.path, n, path, folder, row->folder, list_of(row->may_use), row->line));
    }
  }
  return problems;
}

}  // namespace npusim::tests::arch_deps
