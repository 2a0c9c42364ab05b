// CSV files of the measurements (RFC 4180: fields with a comma, a quote or a line break are
// quoted, quotes doubled; rows end with \n). Rows are flushed as they are written, so a run cut
// short keeps every row it finished.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace npusim::validate::harness {

// one field, quoted where needed
std::string csv_escape(std::string_view field);
// one line (no line break) from fields
std::string csv_line(const std::vector<std::string>& fields);

// Numbers as fields: integers exactly; doubles with `digits` significant digits (shortest form,
// no trailing zeros); a non-finite double as "nan"/"inf"/"-inf".
std::string fmt_int(std::int64_t v);
std::string fmt_double(double v, int digits = 6);

class CsvWriter {
 public:
  // Creates (truncates) `path` and writes the header. Throws std::runtime_error if it cannot.
  CsvWriter(const std::string& path, std::vector<std::string> header);
  // Writes one row; throws std::invalid_argument if it has not as many fields as the header,
  // std::runtime_error if the write fails.
  void row(const std::vector<std::string>& fields);
  const std::vector<std::string>& header() const { return header_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> header_;
  std::ofstream out_;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // index of a column; throws std::out_of_range if absent
  std::size_t column(std::string_view name) const;
};

// Parses CSV text (quoted fields, doubled quotes, \n or \r\n line ends); the first row is the
// header. Throws std::runtime_error on an unterminated quote or a row whose field count differs
// from the header's.
CsvTable parse_csv(std::string_view text);
CsvTable read_csv(const std::string& path);

}  // namespace npusim::validate::harness
