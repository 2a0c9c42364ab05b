// npusim validate: GPU measurements (validate/data/<gpu>/, written by validate/harness) against
// the GPU kernel model's predictions (compiler/gpu_model.h) of the very plans the kernels ran,
// with a roofline's predictions beside them. docs/VALIDATION.md explains the method.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "compiler/gpu_model.h"
#include "validate/compare/stats.h"

namespace npusim::validate::compare {

// One timed kernel: a row of gemm.csv, cublas.csv or conv.csv that was verified and timed.
struct Measurement {
  std::string source;  // FILE:LINE
  std::string family, name, category, dtype, out_dtype;
  bool conv = false;
  compiler::GemmProblem gemm;  // for a convolution: its implicit GEMM
  compiler::ConvProblem cv;
  std::optional<compiler::Plan> plan;  // the plan the row records (the project's kernels)
  double median_us = 0, p25_us = 0, p75_us = 0;
  double sm_clock_mhz = 0;  // sampled during the runs; 0 when not recorded
  double flops() const;
};

// One calibration microbenchmark (micro.csv).
struct MicroResult {
  std::string name, dtype, metric, unit;
  double value = 0, sm_clock_mhz = 0;
};

struct MeasurementSet {
  std::vector<Measurement> rows;
  std::vector<MicroResult> micro;
  std::map<std::string, std::string> env;  // env.csv
  std::vector<std::string> skipped;        // rows not used, with the reason
};

// Reads measurement files, or folders holding gemm.csv / cublas.csv / conv.csv / micro.csv /
// env.csv. Throws Error for an unreadable file or a row that does not parse.
MeasurementSet load_measurements(const std::vector<std::string>& paths);

// The GPU architecture the measurements were taken on, from env.csv's gpu_name ("h100_sxm" or
// "h200"), or "" when it cannot tell.
std::string arch_for(const MeasurementSet& m);

// Model parameters set by the calibration microbenchmarks alone, as --set overrides ("key=value"),
// each with the line explaining it. The GEMM test shapes never set anything.
struct Calibration {
  std::vector<std::string> overrides;
  std::vector<std::string> notes;
};
Calibration calibrate(const MeasurementSet& m, const arch::ArchConfig& gpu);

struct Entry {
  const Measurement* m = nullptr;
  compiler::KernelPrediction model;
  double roofline_s = 0;
  compiler::Plan plan;        // the plan predicted (the row's own for the project's kernels)
  bool plan_matches = true;  // the model's chooser picks the same plan for the row's problem
};

struct FamilyStats {
  std::string family;  // or "all"
  ErrorStats model, roofline;
};

struct Comparison {
  std::vector<Entry> entries;
  std::vector<FamilyStats> families;  // each family, then "all"
  std::size_t below_min = 0;          // entries left out by min_us
};

// Predicts every measured entry at least `min_us` long. Throws Error when nothing is left.
Comparison compare(const MeasurementSet& m, const compiler::GpuParams& g, double min_us);

std::string report_text(const Comparison& c, const std::string& arch_name, double min_us);
// Measured against predicted time, log-log, one colour per family, the roofline's points hollow.
std::string scatter_svg(const Comparison& c, const std::string& title);
// One row per entry: the problem, the plan, measured, predicted and roofline times, the errors.
std::string residuals_csv(const Comparison& c);

}  // namespace npusim::validate::compare
