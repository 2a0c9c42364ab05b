// npusim validate: GPU measurements against the GPU kernel model (docs/VALIDATION.md).
// npusim gpu-plan: the GPU tiling path: the plan the project's kernel runs for every GEMM and
// convolution of a model on a GPU description, and the model's time for it.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "base/error.h"
#include "base/files.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "compiler/gpu_model.h"
#include "compiler/layer.h"
#include "validate/compare/comparison.h"

namespace npusim::cli {

namespace {

struct ValidateOptions {
  std::vector<std::string> measurements;
  std::string arch;
  std::vector<std::string> sets;
  std::string calibrate;  // micro.csv; "" = the one among the measurements, if any
  bool no_calibrate = false;
  double min_us = 0;
  std::string split = "all";
  std::vector<std::string> dtypes;
  std::vector<std::string> fit;
  std::string format = "text";
  std::string out = "npusim-validate";
};

void run_validate(const ValidateOptions& o) {
  validate::compare::MeasurementSet ms = validate::compare::load_measurements(o.measurements);
  if (!o.calibrate.empty()) {
    validate::compare::MeasurementSet cal = validate::compare::load_measurements({o.calibrate});
    ms.micro = cal.micro;
  }
  std::string arch = o.arch;
  if (arch.empty()) {
    arch = validate::compare::arch_for(ms);
    if (arch.empty())
      throw Error("--arch: the measurements do not name an H100 or H200 (env.csv gpu_name); give the GPU's description");
  }
  const auto base = driver::load_arch(arch, {});
  (void)compiler::GpuParams::from(*base);  // a GPU description, or the error that says it is not
  // calibration: the microbenchmarks alone set model parameters
  std::vector<std::string> sets;
  validate::compare::Calibration cal;
  if (!o.no_calibrate && !ms.micro.empty()) {
    cal = validate::compare::calibrate(ms, *base);
    sets = cal.overrides;
  }
  sets.insert(sets.end(), o.sets.begin(), o.sets.end());
  const auto a = driver::load_arch(arch, sets);
  const compiler::GpuParams g = compiler::GpuParams::from(*a);
  check_choice("--format", o.format, {"text", "json"});
  validate::compare::CompareOptions co;
  co.min_us = o.min_us;
  co.dtypes = o.dtypes;
  const auto split = validate::compare::parse_split(o.split);
  if (!split) throw Error(fmt::format("--split: '{}' is not one of all, calibration, test", o.split));
  co.split = *split;

  if (!o.fit.empty()) {  // fit global parameters on the calibration split, report, stop
    const validate::compare::FitResult f = validate::compare::fit(ms, g, o.fit, co);
    fmt::print("fitted on {} calibration rows of {} (MAPE {:.2f}% -> {:.2f}%):\n", f.rows, a->name, f.mape_before,
               f.mape_after);
    for (const auto& [key, value] : f.values) fmt::print("  {} = {:.4g}\n", key, value);
    fmt::print("as overrides: --set {}\n", fmt::join(f.overrides(), " --set "));
    return;
  }
  const validate::compare::Comparison c = validate::compare::compare(ms, g, co);

  if (o.format == "json") {
    fmt::print("{}", validate::compare::report_json(c, a->name, co));
  } else {
    if (!cal.notes.empty()) {
      fmt::print("calibration from the microbenchmarks (micro.csv):\n");
      for (const auto& n : cal.notes) fmt::print("  {}\n", n);
      fmt::print("\n");
    } else if (!o.no_calibrate && std::any_of(ms.rows.begin(), ms.rows.end(),
                                              [](const auto& r) { return r.origin == "harness"; })) {
      fmt::print("no calibration microbenchmarks (micro.csv): the description's figures as they stand\n\n");
    }
    fmt::print("{}", validate::compare::report_text(c, a->name, co));
    if (!ms.skipped.empty()) fmt::print("{} rows skipped (not verified or not timed)\n", ms.skipped.size());
  }

  if (o.out.empty()) return;
  const std::filesystem::path dir(o.out);
  std::filesystem::create_directories(dir);
  write_text_file(dir / "scatter.svg",
                  validate::compare::scatter_svg(c, fmt::format("{}: predicted vs measured kernel time ({} kernels)",
                                                                a->name, c.entries.size())));
  write_text_file(dir / "residuals.csv", validate::compare::residuals_csv(c));
  write_text_file(dir / "report.txt", validate::compare::report_text(c, a->name, co));
  write_text_file(dir / "report.json", validate::compare::report_json(c, a->name, co));
  if (o.format == "text")
    fmt::print("wrote {}, {}, {} and {}\n", (dir / "scatter.svg").string(), (dir / "residuals.csv").string(),
               (dir / "report.txt").string(), (dir / "report.json").string());
}

// The GEMM problem (or convolution) of a lowered layer, as the project's GPU kernels run it.
struct GpuProblem {
  bool conv = false, supported = true;
  compiler::GemmProblem gemm;
  compiler::ConvProblem cv;
};

GpuProblem gpu_problem(const compiler::Layer& L) {
  GpuProblem p;
  const std::int32_t out_bytes = static_cast<std::int32_t>(bytes_of(L.dtype));
  p.gemm = {L.M, L.N, L.K, L.G, L.dtype, out_bytes};
  if (L.conv) {
    const auto& c = *L.conv;
    if (L.G == 1 && c.stride_h == c.stride_w && c.pad_top == c.pad_left && c.dil_h == c.dil_w) {
      p.conv = true;
      p.cv = {c.batch, c.in_h, c.in_w, c.channels, L.N, c.kh, c.kw, c.stride_h, c.pad_top, c.dil_h, L.dtype, out_bytes};
      p.gemm = p.cv.gemm();
    } else {
      p.supported = false;  // grouped or asymmetric: the project's conv kernel does not run it
    }
  }
  return p;
}

}  // namespace

void register_validate_commands(CLI::App& app) {
  auto o = std::make_shared<ValidateOptions>();
  CLI::App* v = app.add_subcommand(
      "validate", "Compare GPU measurements (validate/data/) with the GPU kernel model's predictions");
  v->add_option("--measurements", o->measurements,
                "A measurement folder or CSV file: the harness's (validate/data/<gpu>/: gemm.csv, cublas.csv, "
                "conv.csv) or a generic public table (validate/data/public/README.md); repeatable")
      ->required();
  v->add_option("--arch", o->arch, "The GPU's description, e.g. h100_sxm, h200, a100_sxm [default: from env.csv]");
  v->add_option("--set", o->sets, "Override a key of the description (after calibration)");
  v->add_option("--calibrate", o->calibrate,
                "micro.csv to calibrate from [default: the one among the measurements]");
  v->add_flag("--no-calibrate", o->no_calibrate, "Use the description's figures as they stand");
  v->add_option("--min-us", o->min_us, "Only kernels that took at least this long")->capture_default_str();
  v->add_option("--split", o->split,
                "Rows: all, or the calibration or test side of the fixed split (docs/VALIDATION.md)")
      ->capture_default_str();
  v->add_option("--dtype", o->dtypes, "Only rows of this datatype (bf16, fp16, tf32, fp32, fp8); repeatable");
  v->add_option("--fit", o->fit,
                "Fit these global parameters on the calibration split and print them: gpu.wgmma_fraction, "
                "gpu.mma_sync_fraction, gpu.simt_fraction, gpu.dram_fraction, gpu.kernel_fixed_us")
      ->delimiter(',');
  v->add_option("--format", o->format, "text or json (the statistics only; stable keys)")->capture_default_str();
  v->add_option("--out", o->out, "Folder for scatter.svg, residuals.csv, report.txt and report.json (\"\" for none)")
      ->capture_default_str();
  v->callback([o] { run_validate(*o); });

  auto m = std::make_shared<ModelOptions>();
  m->arch = "h100_sxm";
  m->dtype = "bf16";
  CLI::App* gp = app.add_subcommand(
      "gpu-plan", "The plan the project's GPU kernels run for every GEMM and convolution of a model, and its time");
  add_arch_options(*gp, *m);
  add_model_options(*gp, *m);
  gp->callback([m] {
    const auto a = driver::load_arch(m->arch, m->sets);
    const compiler::GpuParams g = compiler::GpuParams::from(*a);
    const driver::LoadedModel lm = driver::load_model(model_spec(*m), *a);
    print_model_warnings(lm.graph);
    const compiler::LayerGraph lg = compiler::lower(lm.graph);
    fmt::print("{} on {} ({} SMs, {:.0f} MHz, {} dense MACs/clock/SM)\n\n", lm.graph.name(), a->name, g.sms,
               g.clock_hz / 1e6, g.macs_per_cycle_per_sm[index_of(lm.graph.dtype())]);
    fmt::print("{:<30} {:>26}  {:<16} {:>5} {:>7} {:>6} {:>5} {:>11} {:>7} {:>11}\n", "layer", "problem", "CTA tile",
               "split", "CTAs", "CTA/SM", "waves", "model us", "bound", "roofline us");
    double total = 0, total_roof = 0;
    for (const compiler::Layer& L : lg.layers) {
      if (L.cls != compiler::LayerClass::Gemm) continue;
      const GpuProblem p = gpu_problem(L);
      const std::string shape =
          fmt::format("{}{}x{}x{}", p.gemm.batch > 1 ? fmt::format("{} x ", p.gemm.batch) : "", p.gemm.m, p.gemm.n, p.gemm.k);
      if (!p.supported) {
        fmt::print("{:<30} {:>26}  grouped or asymmetric convolution: not run by the project's kernels\n", fit(L.name, 30),
                   shape);
        continue;
      }
      const compiler::Plan plan = compiler::gpu_plan(g, p.gemm);
      const compiler::KernelPrediction k =
          p.conv ? compiler::predict_conv(g, p.cv, plan, compiler::MathPath::MmaSync)
                 : compiler::predict_gemm(g, p.gemm, plan, compiler::MathPath::MmaSync);
      const double roof = p.conv ? compiler::roofline_conv(g, p.cv) : compiler::roofline_gemm(g, p.gemm);
      total += k.seconds, total_roof += roof;
      fmt::print("{:<30} {:>26}  {:<16} {:>5} {:>7} {:>6} {:>5} {:>11.2f} {:>7} {:>11.2f}\n", fit(L.name, 30), shape,
                 fmt::format("{}x{}x{} s{}", plan.cfg.bm, plan.cfg.bn, plan.cfg.bk, plan.cfg.stages), plan.split_k,
                 plan.ctas, plan.ctas_per_sm, plan.waves, k.seconds * 1e6, k.bound, roof * 1e6);
    }
    fmt::print("\ntotal: {:.2f} us predicted for the project's kernels, {:.2f} us by the roofline\n", total * 1e6,
               total_roof * 1e6);
  });
}

}  // namespace npusim::cli
