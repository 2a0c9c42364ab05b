#include "serving/published.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/error.h"
#include "base/files.h"
#include "base/scalar_text.h"
#include "driver/driver.h"
#include "serving/serve.h"

namespace npusim::serving {

namespace {

std::vector<std::string> fields(std::string_view line) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = line.find(',', pos);
    out.emplace_back(line.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

constexpr std::array<const char*, 10> kHeader = {"source", "gpu", "dtype", "tp", "measure",
                                                 "batch",  "input", "output", "value", "unit"};

}  // namespace

std::vector<PublishedRow> load_published(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<PublishedRow> rows;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::vector<std::string> f = fields(line);
    auto bad = [&](const std::string& why) { return Error(fmt::format("{}:{}: {}", path, line_no, why)); };
    if (line_no == 1) {
      if (f.size() != kHeader.size()) throw bad("expected the header " + fmt::format("{}", fmt::join(kHeader, ",")));
      for (std::size_t i = 0; i < f.size(); ++i)
        if (f[i] != kHeader[i]) throw bad(fmt::format("column {} is '{}', expected '{}'", i + 1, f[i], kHeader[i]));
      continue;
    }
    if (f.size() != kHeader.size()) throw bad(fmt::format("{} fields, expected {}", f.size(), kHeader.size()));
    PublishedRow r;
    r.source = f[0], r.gpu = f[1], r.dtype = f[2], r.measure = f[4], r.unit = f[9];
    std::int64_t tp = 0;
    if (!text::parse_int(f[3], tp) || tp < 1) throw bad(fmt::format("tp '{}'", f[3]));
    r.tp = static_cast<std::int32_t>(tp);
    if (!text::parse_int(f[5], r.batch) || !text::parse_int(f[6], r.input) || !text::parse_int(f[7], r.output) ||
        r.batch < 1 || r.input < 1 || r.output < 1)
      throw bad("batch, input and output must be whole numbers >= 1");
    if (!text::parse_real(f[8], r.value) || !(r.value > 0)) throw bad(fmt::format("value '{}'", f[8]));
    if (r.measure != "ttft" && r.measure != "throughput") throw bad(fmt::format("measure '{}': ttft or throughput", r.measure));
    r.line = line_no;
    rows.push_back(r);
  }
  return rows;
}

std::string published_machine(const std::string& gpu) {
  // The machines NVIDIA measured on: DGX A100 and DGX H100 nodes (configs/systems/: NVSwitch,
  // NVLink per GPU and direction from the whitepapers, the message latency from ASTRA-sim's
  // calibrated HGX-H100 example).
  if (gpu == "a100_sxm") return "dgx-a100";
  if (gpu == "h100_sxm") return "dgx-h100";
  throw Error(fmt::format("published measurements on '{}': no system preset describes its machine", gpu));
}

std::vector<Prediction> predict_published(const std::vector<PublishedRow>& rows, const std::string& model) {
  std::vector<Prediction> out;
  for (const PublishedRow& row : rows) {
    ServeRequest r;
    r.arch = row.gpu;
    r.model = model;
    r.tp = row.tp;
    r.dtype = driver::parse_operand_dtype("dtype", row.dtype);
    if (*r.dtype == DType::Fp8) {
      // TensorRT-LLM's FP8 recipe (examples/quantization/README.md: quantize.py --dtype float16
      // --qformat fp8 --kv_cache_dtype fp8): FP8 weights, the GEMMs' inputs quantised to FP8, an
      // FP8 KV cache; the activations between the GEMMs (norms, residuals, the attention's math,
      // the all-reduces) stay in the model's FP16.
      r.activation_dtype = DType::Fp16;
      r.kv_dtype = DType::Fp8;
    }
    r.system = published_machine(row.gpu);
    const std::int64_t n = row.measure == "ttft" ? 1 : row.batch, out_tokens = row.measure == "ttft" ? 1 : row.output;
    for (std::int64_t i = 0; i < n; ++i) r.requests.push_back(Request{i, 0.0, row.input, out_tokens});  // all at once
    r.config.scheduler = SchedulerKind::Static;
    r.config.max_batch = n;
    // The largest iteration is the batch's prefill (a static batch prefills its prompts together).
    r.config.max_batched_tokens = std::max(n * row.input, row.input + out_tokens);
    const ServeOutcome o = serve(r);
    Prediction p;
    p.row = row;
    p.predicted = row.measure == "ttft" ? o.summary.ttft_s.mean * 1e3
                                        : o.summary.throughput_tokens_per_s / double(row.tp);
    p.error = (p.predicted - row.value) / row.value;
    out.push_back(p);
  }
  return out;
}

}  // namespace npusim::serving
