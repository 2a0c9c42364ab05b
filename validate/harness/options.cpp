#include "validate/harness/options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <climits>
#include <optional>
#include <sstream>

namespace npusim::validate::harness {

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// what the list options give, checked once CLI11 has parsed them
struct Lists {
  std::optional<std::string> only, dtypes, categories;
};

void apply_lists(const Lists& l, Options& o) {
  if (l.only) {
    o.parts.clear();
    o.only = true;
    for (const std::string& p : split_list(*l.only)) {
      if (std::find(kParts.begin(), kParts.end(), p) == kParts.end()) throw CLI::ValidationError("--only", "unknown part " + p);
      o.parts.insert(p);
    }
    if (o.parts.empty()) throw CLI::ValidationError("--only", "needs at least one part");
  }
  if (l.dtypes) {
    o.dtypes.clear();
    for (const std::string& t : split_list(*l.dtypes)) {
      const auto d = parse_dtype(t);
      if (!d || *d == DType::fp32) throw CLI::ValidationError("--dtypes", "bf16 or fp16, got " + t);
      o.dtypes.push_back(*d);
    }
    if (o.dtypes.empty()) throw CLI::ValidationError("--dtypes", "needs at least one type");
  }
  if (l.categories)
    for (const std::string& c : split_list(*l.categories)) {
      bool found = false;
      for (Category k : kCategories)
        if (name(k) == c) o.categories.insert(k), found = true;
      if (!found) throw CLI::ValidationError("--category", "unknown category " + c);
    }
}

}  // namespace

Options parse_options(int argc, const char* const* argv) {
  Options o;
  for (int i = 0; i < argc; ++i) o.command_line += (i ? " " : "") + std::string(argv[i]);
  CLI::App app{"npusim-gpu-bench: measures the project's GPU kernels, cuBLAS/cuBLASLt and calibration "
               "microbenchmarks on one GPU and writes CSVs (validate/data/README.md)",
               "npusim-gpu-bench"};
  Lists lists;
  int runs = 0, warmup = 0, flush_mib = 0;
  app.add_option("--out", o.out_dir, "Folder for the CSV files (required unless --list or --print-slug)");
  app.add_option("--only", lists.only, "Comma-separated subset of selftest,gemm,cublas,conv,micro (default: all)");
  app.add_option("--dtypes", lists.dtypes, "bf16,fp16 (default: both)");
  app.add_option("--filter", o.filter, "Only shapes whose name contains TEXT");
  app.add_option("--category", lists.categories,
                 "Only these GEMM categories (projection,mlp,attention,decode,square,odd)");
  app.add_option("--limit", o.limit, "Only the first N GEMM shapes after filtering (and N conv shapes)")
      ->check(CLI::Range(1, INT_MAX));
  app.add_option("--runs", runs, "Timed runs per row (default 50; fewer is marked in env.csv)")->check(CLI::Range(1, INT_MAX));
  app.add_option("--warmup", warmup, "Warm-up runs per row (default 10)")->check(CLI::Range(0, INT_MAX));
  app.add_option("--flush-mib", flush_mib, "L2 flush buffer written before every timed run (default 256)")
      ->check(CLI::Range(0, INT_MAX));
  app.add_flag("!--no-fp32-out", o.fp32_out, "Skip the fp32-output rows of the project's GEMM");
  app.add_flag("--quick", o.quick, "Smoke test: 1 in 8 shapes, 5 runs, 2 warm-ups (not for comparisons)");
  app.add_option("--device", o.device, "CUDA device (default 0)")->check(CLI::Range(0, INT_MAX));
  app.add_option("--source-rev", o.source_rev, "The source revision, recorded in env.csv");
  app.add_flag("--list", o.list, "Print the suites and their plans (device limits if a GPU is present)");
  app.add_flag("--print-slug", o.print_slug, "Print the GPU's folder name under validate/data/ and exit");
  try {
    app.parse(argc, argv);
    apply_lists(lists, o);
    if (!o.list && !o.print_slug && o.out_dir.empty()) throw CLI::RequiredError("--out");
  } catch (const CLI::CallForHelp&) {
    throw UsageExit(0, app.help());
  } catch (const CLI::ParseError& e) {
    throw UsageExit(2, std::string("npusim-gpu-bench: ") + e.what() + "\n" + app.help());
  }
  if (o.quick) {
    o.runs = 5;
    o.warmup = 2;
  }
  if (app.count("--runs")) o.runs = runs;
  if (app.count("--warmup")) o.warmup = warmup;
  if (app.count("--flush-mib")) o.flush_mib = static_cast<std::size_t>(flush_mib);
  return o;
}

bool reduced_method(const Options& o) { return o.runs < 50 || o.warmup < 10 || o.flush_mib < 256 || o.quick; }

std::vector<GemmShape> selected_gemms(const Options& o) {
  std::vector<GemmShape> out;
  int index = 0;
  for (const GemmShape& g : gemm_suite()) {
    if (!o.filter.empty() && g.name.find(o.filter) == std::string::npos) continue;
    if (!o.categories.empty() && !o.categories.count(g.category)) continue;
    if (o.quick && (index++ % 8) != 0) continue;
    out.push_back(g);
    if (o.limit && static_cast<int>(out.size()) >= o.limit) break;
  }
  return out;
}

std::vector<ConvShape> selected_convs(const Options& o) {
  std::vector<ConvShape> out;
  int index = 0;
  for (const ConvShape& c : conv_suite()) {
    if (!o.filter.empty() && c.name.find(o.filter) == std::string::npos && c.layers.find(o.filter) == std::string::npos)
      continue;
    if (o.quick && (index++ % 4) != 0) continue;
    out.push_back(c);
    if (o.limit && static_cast<int>(out.size()) >= o.limit) break;
  }
  return out;
}

}  // namespace npusim::validate::harness
