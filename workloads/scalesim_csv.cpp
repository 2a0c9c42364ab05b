#include "workloads/scalesim_csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <optional>
#include <set>
#include <vector>

#include "base/checked.h"
#include "base/error.h"

namespace npusim::workloads {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const std::size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Comma-separated fields (tab-separated in a file whose header has tabs and no commas, as
// SCALE-Sim's UNet_maestro.csv), trimmed. A field starting with '#' starts a comment: it and
// everything after it are dropped (SCALE-Sim files annotate rows like "...,1,#dw").
std::vector<std::string_view> split_fields(std::string_view line, char sep = ',') {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = line.find(sep, pos);
    const std::string_view f = trim(line.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    if (f.starts_with('#')) break;
    out.push_back(f);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

bool skippable(std::string_view line) {
  const std::string_view t = trim(line);
  return t.empty() || t.starts_with('#');
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

struct Header {
  CsvKind kind = CsvKind::ConvTopology;
  std::array<std::size_t, 3> mnk{1, 2, 3};  // GEMM: column of M, N, K
  bool ninth_is_other = false;              // conv: the header names a 9th column that is not a stride
};

char separator_of(std::string_view header) {
  return header.find(',') == std::string_view::npos && header.find('\t') != std::string_view::npos ? '\t' : ',';
}

Header parse_header(std::string_view line, const std::string& file, int line_no) {
  Header h;
  const std::vector<std::string_view> cols = split_fields(line, separator_of(line));
  if (lower(line).find("ifmap") != std::string::npos) {
    h.kind = CsvKind::ConvTopology;
    if (cols.size() > 8 && !cols[8].empty()) h.ninth_is_other = lower(cols[8]).find("stride") == std::string::npos;
    return h;
  }
  std::array<std::optional<std::size_t>, 3> found;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const std::string c = lower(cols[i]);
    for (std::size_t j = 0; j < 3; ++j)
      if (c == std::string(1, "mnk"[j]) && !found[j]) found[j] = i;
  }
  if (found[0] && found[1] && found[2]) {
    h.kind = CsvKind::Gemm;
    h.mnk = {*found[0], *found[1], *found[2]};
    return h;
  }
  throw Error(fmt::format("{}:{}: unrecognised header '{}': expected a SCALE-Sim conv topology (Layer name, IFMAP "
                          "Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides) or a GEMM "
                          "list (Layer, M, N, K)",
                          file, line_no, trim(line)));
}

struct Row {
  const std::string& file;
  int line;
  std::string_view name;
  const std::vector<std::string_view>& fields;

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{}:{}: layer '{}': {}", file, line, name, what));
  }
  std::int64_t positive(std::size_t col, std::string_view column) const {
    const std::string_view f = col < fields.size() ? fields[col] : std::string_view{};
    const std::optional<std::int64_t> v = parse_int(f);
    if (!v || *v <= 0)
      fail(fmt::format("{} must be a positive integer, got '{}'{}", column, f, f.empty() ? " (missing)" : ""));
    return *v;
  }
};

std::string unique_name(std::set<std::string>& used, std::string_view name) {
  std::string n(name);
  for (int i = 2; used.count(n) != 0; ++i) n = fmt::format("{}_{}", name, i);
  used.insert(n);
  return n;
}

void add_conv_row(Graph& g, const Row& r, const Header& h, const std::string& op, std::int64_t batch) {
  const std::int64_t H = r.positive(1, "IFMAP Height"), W = r.positive(2, "IFMAP Width");
  const std::int64_t R = r.positive(3, "Filter Height"), S = r.positive(4, "Filter Width");
  const std::int64_t C = r.positive(5, "Channels"), F = r.positive(6, "Num Filter");
  const std::int64_t stride = r.positive(7, "Strides");
  std::int64_t stride_w = stride;
  if (r.fields.size() > 8 && !r.fields[8].empty() && !h.ninth_is_other) stride_w = r.positive(8, "Stride Width");
  if (R > H || S > W) r.fail(fmt::format("filter {}x{} is larger than the IFMAP {}x{}", R, S, H, W));
  // SCALE-Sim's "DP" layers: a per-channel (depthwise) expansion, F filters for every channel.
  const bool depthwise = r.name.find("DP") != std::string_view::npos;
  Graph::ConvSpec s;
  s.out_channels = depthwise ? checked_mul(C, F, fmt::format("layer '{}' output channels", r.name)) : F;
  s.kh = R;
  s.kw = S;
  s.stride = stride;
  s.stride_w = stride_w;
  // SCALE-Sim takes the IFMAP as already padded and counts OFMAP = ceil((IFMAP - Filter + Stride) /
  // Stride): where the stride does not divide IFMAP - Filter, its last window reaches past the
  // bottom (right) edge. The same windows here: zeros below and to the right, none above or left.
  // A window entirely past the edge (a strided 1x1 filter on an even IFMAP: 29 outputs from 56
  // rows) is more padding than a convolution has; there the IFMAP is taken that much larger
  // instead (SCALE-Sim's IFMAP is the padded one), which gives the same windows and MACs.
  std::int64_t pad_b = (stride - (H - R) % stride) % stride, pad_r = (stride_w - (W - S) % stride_w) % stride_w;
  std::int64_t in_h = H, in_w = W;
  if (pad_b >= R) in_h += pad_b, pad_b = 0;
  if (pad_r >= S) in_w += pad_r, pad_r = 0;
  s.padding = {0, pad_b, 0, pad_r};
  s.groups = depthwise ? C : 1;
  const TensorId x = g.input(op + ".ifmap", {batch, C, in_h, in_w});
  g.mark_output(g.conv2d(op, x, s));
}

void add_gemm_row(Graph& g, const Row& r, const Header& h, const std::string& op) {
  const std::int64_t M = r.positive(h.mnk[0], "M"), N = r.positive(h.mnk[1], "N"), K = r.positive(h.mnk[2], "K");
  const TensorId a = g.input(op + ".A", {M, K});
  g.mark_output(g.matmul(op, a, N));
}

}  // namespace

CsvKind detect_csv_kind(std::string_view header_line, const std::string& file) {
  return parse_header(header_line, file, 1).kind;
}

Graph read_scalesim_csv(std::string_view text, const std::string& file, const ModelParams& params) {
  if (params.batch <= 0) throw Error(fmt::format("{}: batch must be >= 1, got {}", file, params.batch));
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte-order mark
  std::string stem = std::filesystem::path(file).stem().string();
  Graph g(stem.empty() ? std::string("scalesim") : stem, params.dtype);

  std::optional<Header> header;
  int header_line = 0;
  char sep = ',';
  std::set<std::string> used;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (skippable(line)) continue;
    if (!header) {
      header = parse_header(line, file, line_no);
      header_line = line_no;
      sep = separator_of(line);
      continue;
    }
    const std::vector<std::string_view> fields = split_fields(line, sep);
    if (std::all_of(fields.begin(), fields.end(), [](std::string_view f) { return f.empty(); })) continue;  // ",,,"
    const std::string_view name = fields[0];
    if (name.empty()) throw Error(fmt::format("{}:{}: the layer name (first column) is empty", file, line_no));
    // a name and nothing else is a section title (SCALE-Sim's MLPERF.csv: "AlphaGoZero,")
    if (std::all_of(fields.begin() + 1, fields.end(), [](std::string_view f) { return f.empty(); })) continue;
    const Row row{file, line_no, name, fields};
    const std::string op = unique_name(used, name);
    try {
      if (header->kind == CsvKind::ConvTopology)
        add_conv_row(g, row, *header, op, params.batch);
      else
        add_gemm_row(g, row, *header, op);
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what.starts_with(fmt::format("{}:{}:", file, line_no))) throw;
      row.fail(what);  // e.g. a size that overflows 64 bits, reported by the graph builder
    }
  }
  if (!header) throw Error(fmt::format("{}: empty file: expected a SCALE-Sim layer list with a header row", file));
  if (g.ops().empty()) throw Error(fmt::format("{}:{}: no layers after the header", file, header_line));
  return g;
}

}  // namespace npusim::workloads
