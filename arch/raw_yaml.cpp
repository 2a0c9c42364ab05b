#include "arch/raw_yaml.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace npusim {

namespace {

SourceLoc loc_of(const YAML::Mark& m, const std::string& file) {
  if (m.line < 0) return SourceLoc{file, 0, 0};
  return SourceLoc{file, m.line + 1, m.column + 1};
}

RawNode convert(const YAML::Node& n, const std::string& file) {
  RawNode r;
  r.loc = loc_of(n.Mark(), file);
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: r.kind = RawNode::Kind::Null; break;
    case YAML::NodeType::Scalar:
      r.kind = RawNode::Kind::Scalar;
      r.scalar = n.Scalar();
      break;
    case YAML::NodeType::Sequence:
      r.kind = RawNode::Kind::Seq;
      for (const auto& item : n) r.items.push_back(convert(item, file));
      break;
    case YAML::NodeType::Map:
      r.kind = RawNode::Kind::Map;
      for (const auto& kv : n) {
        SourceLoc kloc = loc_of(kv.first.Mark(), file);
        if (!kv.first.IsScalar())
          throw ValidationError({Diagnostic{kloc, "", "map keys must be plain names"}});
        std::string key = kv.first.Scalar();
        for (const auto& e : r.entries)
          if (e.key == key)
            throw ValidationError({Diagnostic{kloc, key, fmt::format("duplicate key (first at line {})", e.key_loc.line)}});
        r.entries.push_back(RawNode::Entry{std::move(key), kloc, convert(kv.second, file)});
      }
      break;
  }
  return r;
}

}  // namespace

const RawNode* RawNode::find(std::string_view key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

RawNode* RawNode::find(std::string_view key) {
  for (auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

const RawNode* RawNode::at_path(std::string_view path) const {
  const RawNode* n = this;
  for (std::string_view part : split_path(path)) {
    if (n->kind != Kind::Map) return nullptr;
    n = n->find(part);
    if (!n) return nullptr;
  }
  return n;
}

std::string_view RawNode::kind_name() const {
  switch (kind) {
    case Kind::Null: return "nothing";
    case Kind::Scalar: return "a scalar";
    case Kind::Map: return "a map";
    case Kind::Seq: return "a list";
  }
  return "?";
}

RawNode parse_yaml(std::string_view text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ValidationError({Diagnostic{loc_of(e.mark, file), "", fmt::format("YAML syntax error: {}", e.msg)}});
  }
  RawNode r = convert(root, file);
  if (r.kind == RawNode::Kind::Null) {
    r.kind = RawNode::Kind::Map;  // an empty document is an empty map; required keys will be reported
    r.loc = SourceLoc{file, 1, 1};
  }
  return r;
}

Override parse_override(std::string_view arg) {
  auto eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw Error(fmt::format("--set {}: expected KEY.PATH=VALUE", arg));
  Override o{std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1))};
  for (std::string_view part : split_path(o.path))
    if (part.empty()) throw Error(fmt::format("--set {}: empty component in key path '{}'", arg, o.path));
  return o;
}

void apply_override(RawNode& root, const Override& o) {
  SourceLoc where{"--set " + o.text(), 0, 0};
  RawNode* n = &root;
  std::string walked;
  for (std::string_view part : split_path(o.path)) {
    if (n->kind == RawNode::Kind::Null) n->kind = RawNode::Kind::Map;
    if (n->kind != RawNode::Kind::Map)
      throw Error(fmt::format("--set {}: '{}' is {}, not a map", o.text(), walked, n->kind_name()));
    RawNode::Entry* entry = nullptr;
    for (auto& e : n->entries)
      if (e.key == part) entry = &e;
    if (!entry) {
      n->entries.push_back(RawNode::Entry{std::string(part), where, RawNode{}});
      entry = &n->entries.back();
      entry->value.loc = where;
    }
    if (!walked.empty()) walked += '.';
    walked += part;
    if (walked == o.path) entry->key_loc = where;  // problems with the value point at the override
    n = &entry->value;
  }
  if (n->kind == RawNode::Kind::Map || n->kind == RawNode::Kind::Seq)
    throw Error(fmt::format("--set {}: '{}' is {}, not a single value", o.text(), o.path, n->kind_name()));
  n->kind = RawNode::Kind::Scalar;
  n->scalar = o.value;
  n->loc = where;
}

}  // namespace npusim
