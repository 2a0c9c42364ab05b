#include "dse/expr.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "arch/loader.h"
#include "arch/schema.h"
#include "base/error.h"

namespace npusim::dse {

const std::vector<DerivedValue>& derived_values() {
  static const std::vector<DerivedValue> kDerived = {
      {"area_mm2", "mm2", "Chip area from the area model", [](const arch::ArchConfig& c) { return c.area_mm2(); }},
      {"peak_tops", "TOPS", "Peak tera-operations per second at the default datatype (2 ops per MAC)",
       [](const arch::ArchConfig& c) {
         return 2.0 * double(c.peak_macs_per_cycle(c.datatypes.default_dtype)) * c.clock_mhz * 1e6 * 1e-12;
       }},
      {"peak_macs_per_cycle", "MAC/cycle", "MACs per cycle of all cores at the default datatype",
       [](const arch::ArchConfig& c) { return double(c.peak_macs_per_cycle(c.datatypes.default_dtype)); }},
      {"pes", "PEs", "Processing elements of all cores (cores x rows x cols)",
       [](const arch::ArchConfig& c) { return double(c.cores) * c.core.pe_array.rows * c.core.pe_array.cols; }},
      {"sram_kib", "KiB", "On-chip SRAM of all cores: scratchpads and accumulator buffers",
       [](const arch::ArchConfig& c) {
         return double(c.cores) * double(c.core.scratchpad.total_bytes + c.core.accumulator_buffer.bytes) / 1024.0;
       }},
      {"scratchpad_kib", "KiB", "Scratchpad of one core (the sum of its partitions when partitioned)",
       [](const arch::ArchConfig& c) { return double(c.core.scratchpad.total_bytes) / 1024.0; }},
      {"dram_bytes_per_cycle", "B/cycle", "DRAM bandwidth per core clock cycle",
       [](const arch::ArchConfig& c) { return c.dram_bytes_per_cycle(); }},
      {"ops_per_dram_byte", "op/B", "Machine balance: peak ops per second / DRAM bytes per second",
       [](const arch::ArchConfig& c) {
         return 2.0 * double(c.peak_macs_per_cycle(c.datatypes.default_dtype)) / c.dram_bytes_per_cycle();
       }},
  };
  return kDerived;
}

struct Expr {
  enum class Kind { Num, Str, Field, Derived, Neg, Add, Sub, Mul, Div };
  Kind kind = Kind::Num;
  double num = 0;
  std::string text;  // Str: the literal; Field/Derived: the name
  const arch::Field* field = nullptr;
  const DerivedValue* derived = nullptr;
  ExprPtr a, b;
  bool is_string() const {
    return kind == Kind::Str ||
           (kind == Kind::Field && (field->type == arch::FieldType::Choice || field->type == arch::FieldType::Text));
  }
};

namespace {

class ExprParser {
 public:
  ExprParser(const std::string& text, const SourceLoc& loc) : s_(text), loc_(loc) {}

  Constraint parse() {
    Constraint c;
    c.text = s_;
    c.loc = loc_;
    c.lhs = sum();
    skip();
    static const char* kOps[] = {"<=", ">=", "==", "!=", "<", ">"};
    for (const char* op : kOps) {
      if (s_.compare(pos_, std::strlen(op), op) == 0) {
        c.op = op;
        pos_ += c.op.size();
        break;
      }
    }
    if (c.op.empty()) error(fmt::format("expected a comparison (<=, <, >=, >, ==, !=) at '{}'", rest()));
    c.rhs = sum();
    skip();
    if (pos_ != s_.size()) error(fmt::format("unexpected '{}'", rest()));
    if (c.lhs->is_string() != c.rhs->is_string())
      error("a text value (a choice such as core.pe_array.dataflow) compares only with a quoted text");
    if (c.lhs->is_string() && c.op != "==" && c.op != "!=") error("text values compare only with == or !=");
    return c;
  }

 private:
  [[noreturn]] void error(const std::string& msg) const {
    throw ValidationError({Diagnostic{loc_, "", fmt::format("constraint '{}': {}", s_, msg)}});
  }
  std::string rest() const { return pos_ < s_.size() ? s_.substr(pos_) : std::string("end of text"); }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) return ++pos_, true;
    return false;
  }
  static ExprPtr node(Expr::Kind k, ExprPtr a, ExprPtr b = nullptr) {
    auto e = std::make_shared<Expr>();
    e->kind = k, e->a = std::move(a), e->b = std::move(b);
    return e;
  }
  void numeric(const ExprPtr& e) const {
    if (e->is_string()) error(fmt::format("'{}' is text, not a number", e->text));
  }
  ExprPtr sum() {
    ExprPtr l = product();
    while (true) {
      if (eat('+')) {
        ExprPtr r = product();
        numeric(l), numeric(r);
        l = node(Expr::Kind::Add, l, r);
      } else if (eat('-')) {
        ExprPtr r = product();
        numeric(l), numeric(r);
        l = node(Expr::Kind::Sub, l, r);
      } else {
        return l;
      }
    }
  }
  ExprPtr product() {
    ExprPtr l = unary();
    while (true) {
      if (eat('*')) {
        ExprPtr r = unary();
        numeric(l), numeric(r);
        l = node(Expr::Kind::Mul, l, r);
      } else if (eat('/')) {
        ExprPtr r = unary();
        numeric(l), numeric(r);
        l = node(Expr::Kind::Div, l, r);
      } else {
        return l;
      }
    }
  }
  ExprPtr unary() {
    if (eat('-')) {
      ExprPtr a = unary();
      numeric(a);
      return node(Expr::Kind::Neg, a);
    }
    return primary();
  }
  ExprPtr primary() {
    skip();
    if (pos_ >= s_.size()) error("expected a value at the end");
    const char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      ExprPtr e = sum();
      if (!eat(')')) error(fmt::format("expected ')' at '{}'", rest()));
      return e;
    }
    auto e = std::make_shared<Expr>();
    if (c == '\'' || c == '"') {
      const std::size_t end = s_.find(c, pos_ + 1);
      if (end == std::string::npos) error("unterminated quoted text");
      e->kind = Expr::Kind::Str;
      e->text = s_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return e;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* b = s_.data() + pos_;
      double v = 0;
      auto [p, ec] = std::from_chars(b, s_.data() + s_.size(), v, std::chars_format::general);
      if (ec != std::errc()) error(fmt::format("bad number at '{}'", rest()));
      pos_ += static_cast<std::size_t>(p - b);
      e->kind = Expr::Kind::Num;
      e->num = v;
      return e;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t end = pos_;
      while (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_' || s_[end] == '.'))
        ++end;
      e->text = s_.substr(pos_, end - pos_);
      pos_ = end;
      for (const auto& d : derived_values())
        if (d.name == e->text) {
          e->kind = Expr::Kind::Derived;
          e->derived = &d;
          return e;
        }
      if (const arch::Field* f = arch::arch_schema().find(e->text)) {
        e->kind = Expr::Kind::Field;
        e->field = f;
        return e;
      }
      std::vector<std::string> names;
      for (const auto& d : derived_values()) names.push_back(d.name);
      for (const auto& f : arch::arch_schema().fields()) names.push_back(f.path);
      std::string derived;
      for (const auto& d : derived_values()) derived += fmt::format("{}{}", derived.empty() ? "" : ", ", d.name);
      error(fmt::format("unknown name '{}'{}: not a config key path nor a derived value ({})", e->text,
                        arch::did_you_mean(names, e->text), derived));
    }
    error(fmt::format("unexpected '{}'", rest()));
  }

  const std::string& s_;
  SourceLoc loc_;
  std::size_t pos_ = 0;
};

struct Val {
  double num = 0;
  std::string str;
};

Val eval(const Expr& e, const arch::ArchConfig& cfg, const Constraint& c) {
  switch (e.kind) {
    case Expr::Kind::Num: return {e.num, {}};
    case Expr::Kind::Str: return {0, e.text};
    case Expr::Kind::Derived: return {e.derived->value(cfg), {}};
    case Expr::Kind::Field: {
      if (e.field->present_in && !e.field->present_in(cfg))
        throw Error(fmt::format("constraint '{}': key '{}' is not set in this design point", c.text, e.text));
      const arch::FieldValue v = e.field->get(cfg);
      if (auto* i = std::get_if<std::int64_t>(&v)) return {double(*i), {}};
      if (auto* d = std::get_if<double>(&v)) return {*d, {}};
      if (auto* b = std::get_if<bool>(&v)) return {*b ? 1.0 : 0.0, {}};
      return {0, std::get<std::string>(v)};
    }
    case Expr::Kind::Neg: return {-eval(*e.a, cfg, c).num, {}};
    case Expr::Kind::Add: return {eval(*e.a, cfg, c).num + eval(*e.b, cfg, c).num, {}};
    case Expr::Kind::Sub: return {eval(*e.a, cfg, c).num - eval(*e.b, cfg, c).num, {}};
    case Expr::Kind::Mul: return {eval(*e.a, cfg, c).num * eval(*e.b, cfg, c).num, {}};
    case Expr::Kind::Div: return {eval(*e.a, cfg, c).num / eval(*e.b, cfg, c).num, {}};
  }
  return {};
}

// The value of a field from a raw tree: its scalar parsed by the field's type.
std::optional<Val> raw_value(const arch::Field& f, const RawNode& root) {
  const RawNode* n = root.at_path(f.path);
  if (!n || n->kind != RawNode::Kind::Scalar) return std::nullopt;
  const std::string& s = n->scalar;
  switch (f.type) {
    case arch::FieldType::Choice:
    case arch::FieldType::Text: return Val{0, s};
    case arch::FieldType::Boolean: {
      std::string l = s;
      std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return std::tolower(ch); });
      if (l == "true" || l == "yes" || l == "on") return Val{1, {}};
      if (l == "false" || l == "no" || l == "off") return Val{0, {}};
      return std::nullopt;
    }
    case arch::FieldType::Integer:
    case arch::FieldType::Real: {
      double d = 0;
      std::string_view v = s;
      if (!v.empty() && v.front() == '+') v.remove_prefix(1);
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d, std::chars_format::general);
      if (ec != std::errc() || p != v.data() + v.size() || v.empty()) return std::nullopt;
      return Val{d, {}};
    }
  }
  return std::nullopt;
}

std::optional<Val> eval_raw(const Expr& e, const RawNode& root) {
  auto num = [&](const ExprPtr& x) -> std::optional<double> {
    auto v = eval_raw(*x, root);
    if (!v) return std::nullopt;
    return v->num;
  };
  switch (e.kind) {
    case Expr::Kind::Num: return Val{e.num, {}};
    case Expr::Kind::Str: return Val{0, e.text};
    case Expr::Kind::Derived: return std::nullopt;
    case Expr::Kind::Field: return raw_value(*e.field, root);
    case Expr::Kind::Neg: {
      auto a = num(e.a);
      if (!a) return std::nullopt;
      return Val{-*a, {}};
    }
    case Expr::Kind::Add:
    case Expr::Kind::Sub:
    case Expr::Kind::Mul:
    case Expr::Kind::Div: {
      auto a = num(e.a), b = num(e.b);
      if (!a || !b) return std::nullopt;
      const double r = e.kind == Expr::Kind::Add   ? *a + *b
                       : e.kind == Expr::Kind::Sub ? *a - *b
                       : e.kind == Expr::Kind::Mul ? *a * *b
                                                   : *a / *b;
      return Val{r, {}};
    }
  }
  return std::nullopt;
}

bool compare(const Constraint& c, const Val& l, const Val& r) {
  if (c.lhs->is_string()) return (l.str == r.str) == (c.op == "==");
  if (c.op == "<=") return l.num <= r.num;
  if (c.op == "<") return l.num < r.num;
  if (c.op == ">=") return l.num >= r.num;
  if (c.op == ">") return l.num > r.num;
  if (c.op == "==") return l.num == r.num;
  return l.num != r.num;
}

}  // namespace

Constraint parse_constraint(const std::string& text, const SourceLoc& loc) { return ExprParser(text, loc).parse(); }

bool satisfies(const Constraint& c, const arch::ArchConfig& cfg) {
  return compare(c, eval(*c.lhs, cfg, c), eval(*c.rhs, cfg, c));
}

std::optional<bool> satisfies_raw(const Constraint& c, const RawNode& root) {
  auto l = eval_raw(*c.lhs, root), r = eval_raw(*c.rhs, root);
  if (!l || !r) return std::nullopt;
  return compare(c, *l, *r);
}

}  // namespace npusim::dse
