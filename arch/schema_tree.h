// Validation of a parsed YAML tree (arch/raw_yaml.h) against a schema (arch/schema.h), for any
// configuration type: unknown keys (with "did you mean"), maps where values belong, every present
// key parsed and range-checked into the configuration, missing required keys, --set paths, and
// the effective configuration written back as YAML. Each problem is a Diagnostic with the file,
// line, column and key path. arch/loader.cpp and system/ use it; what is special to one kind of
// description (technology defaults, relations between keys) stays with it.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arch/loader.h"
#include "arch/raw_yaml.h"
#include "arch/schema.h"
#include "base/error.h"

namespace npusim::arch {

struct Leaf {
  SourceLoc key_loc;
  const RawNode* value = nullptr;
};

std::string join_path(std::string_view prefix, std::string_view key);
// Parses and range-checks one value; records a diagnostic and returns nullopt when it is bad.
std::optional<FieldValue> parse_value(const FieldSpec& f, const Leaf& leaf, std::vector<Diagnostic>& diags);
// A value as YAML writes it.
std::string yaml_scalar(const FieldValue& v);

// The keys of a tree: leaves the schema knows, every map seen (for locating missing keys), and a
// diagnostic for each unknown key or misplaced scalar.
template <class Schema>
struct KeyWalker {
  const Schema& schema;
  std::vector<Diagnostic>& diags;
  std::map<std::string, Leaf> leaves;
  std::map<std::string, SourceLoc> maps;  // every map seen, by prefix

  void walk(const RawNode& n, const std::string& prefix) {
    maps[prefix] = n.loc;
    for (const auto& e : n.entries) {
      std::string path = join_path(prefix, e.key);
      if (schema.find(path)) {
        leaves[path] = Leaf{e.key_loc, &e.value};
      } else if (schema.is_map_prefix(path)) {
        if (e.value.kind != RawNode::Kind::Map)
          diags.push_back({e.key_loc, path, "expected a map, got " + std::string(e.value.kind_name())});
        else
          walk(e.value, path);
      } else {
        diags.push_back({e.key_loc, path, "unknown key" + did_you_mean(schema.child_names(prefix), e.key)});
      }
    }
  }

  // Location for a problem about an absent key: its nearest present ancestor map.
  SourceLoc where_missing(const std::string& path) const {
    std::string p = path;
    while (true) {
      auto dot = p.rfind('.');
      p = dot == std::string::npos ? "" : p.substr(0, dot);
      auto it = maps.find(p);
      if (it != maps.end()) return it->second;
      if (p.empty()) return SourceLoc{};
    }
  }
  SourceLoc loc_of(const std::string& path) const {
    auto it = leaves.find(path);
    return it != leaves.end() ? it->second.key_loc : where_missing(path);
  }
};

// Parses every present leaf into `cfg`; returns the paths that had a valid value.
template <class Config>
std::map<std::string, bool> parse_leaves(const BasicSchema<Config>& schema, const KeyWalker<BasicSchema<Config>>& w,
                                         Config& cfg, std::vector<Diagnostic>& diags) {
  std::map<std::string, bool> given;
  for (const auto& f : schema.fields()) {
    auto it = w.leaves.find(f.path);
    if (it == w.leaves.end()) continue;
    if (auto v = parse_value(f, it->second, diags)) {
      f.set(cfg, *v);
      given[f.path] = true;
    }
  }
  return given;
}

// A diagnostic for every Required key that is absent.
template <class Config>
void report_missing_required(const BasicSchema<Config>& schema, const KeyWalker<BasicSchema<Config>>& w,
                             std::vector<Diagnostic>& diags) {
  for (const auto& f : schema.fields())
    if (f.presence == Presence::Required && !w.leaves.count(f.path))
      diags.push_back({w.where_missing(f.path), f.path, "missing required key"});
}

// Throws Error naming an override whose path the schema does not know (`flag` is how the user
// wrote it, e.g. "--set" or "--set system.").
template <class Config>
void check_override_paths(const BasicSchema<Config>& schema, std::span<const Override> overrides,
                          std::string_view flag = "--set ") {
  for (const auto& o : overrides) {
    if (schema.find(o.path)) continue;
    const auto dot = o.path.rfind('.');
    std::string prefix = dot == std::string::npos ? "" : o.path.substr(0, dot);
    std::string last = o.path.substr(prefix.empty() ? 0 : prefix.size() + 1);
    std::string h = schema.is_map_prefix(prefix) ? did_you_mean(schema.child_names(prefix), last) : "";
    if (schema.is_map_prefix(o.path))
      throw Error(std::string(flag) + o.text() + ": '" + o.path + "' is a group of keys, not a single key");
    throw Error(std::string(flag) + o.text() + ": unknown key path '" + o.path + "'" + h);
  }
}

// The effective configuration as YAML: every key, in schema order.
template <class Config>
std::string to_yaml(const BasicSchema<Config>& schema, const Config& cfg) {
  std::string out;
  std::vector<std::string_view> open;  // map keys currently open
  for (const auto& f : schema.fields()) {
    if (f.present_in && !f.present_in(cfg)) continue;
    FieldValue v = f.get(cfg);
    if (f.type == FieldType::Text && f.presence == Presence::Optional && std::get<std::string>(v).empty()) continue;
    auto parts = split_path(f.path);
    std::size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
    open.resize(common);
    for (std::size_t i = common; i + 1 < parts.size(); ++i) {
      out += std::string(2 * i, ' ') + std::string(parts[i]) + ":\n";
      open.push_back(parts[i]);
    }
    std::string value = f.type == FieldType::Choice ? std::get<std::string>(v) : yaml_scalar(v);
    out += std::string(2 * (parts.size() - 1), ' ') + std::string(parts.back()) + ": " + value + "\n";
  }
  return out;
}

}  // namespace npusim::arch
