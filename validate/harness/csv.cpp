#include "validate/harness/csv.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace npusim::validate::harness {

std::string csv_escape(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char ch : field) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) line += ',';
    line += csv_escape(fields[i]);
  }
  return line;
}

std::string fmt_int(std::int64_t v) { return std::to_string(v); }

std::string fmt_double(double v, int digits) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

CsvWriter::CsvWriter(const std::string& path, std::vector<std::string> header)
    : path_(path), header_(std::move(header)), out_(path, std::ios::trunc) {
  if (!out_) throw std::runtime_error("cannot write " + path);
  out_ << csv_line(header_) << '\n' << std::flush;
  if (!out_) throw std::runtime_error("write failed: " + path);
}

void CsvWriter::row(const std::vector<std::string>& fields) {
  if (fields.size() != header_.size())
    throw std::invalid_argument(path_ + ": a row of " + std::to_string(fields.size()) + " fields for " +
                                std::to_string(header_.size()) + " columns");
  out_ << csv_line(fields) << '\n' << std::flush;
  if (!out_) throw std::runtime_error("write failed: " + path_);
}

std::size_t CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw std::out_of_range("no column " + std::string(name));
}

CsvTable parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  std::size_t i = 0;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    rows.push_back(std::move(row));
    row.clear();
  };
  while (i < text.size()) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      ++i;
      continue;
    }
    if (ch == '"' && !field_started && field.empty()) {
      quoted = true;
      field_started = true;
    } else if (ch == ',') {
      end_field();
    } else if (ch == '\n' || (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      end_row();
      if (ch == '\r') ++i;
    } else {
      field += ch;
      field_started = true;
    }
    ++i;
  }
  if (quoted) throw std::runtime_error("CSV: unterminated quoted field");
  if (field_started || !field.empty() || !row.empty()) end_row();

  CsvTable t;
  if (rows.empty()) return t;
  t.header = std::move(rows.front());
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != t.header.size())
      throw std::runtime_error("CSV: row " + std::to_string(r + 1) + " has " + std::to_string(rows[r].size()) +
                               " fields, the header " + std::to_string(t.header.size()));
    t.rows.push_back(std::move(rows[r]));
  }
  return t;
}

CsvTable read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_csv(ss.str());
}

}  // namespace npusim::validate::harness
