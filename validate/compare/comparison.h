// npusim validate: GPU measurements against the GPU kernel model's predictions
// (compiler/gpu_model.h), with a roofline's predictions beside them. Two kinds of input:
//  - the project's harness files (validate/data/<gpu>/, written by validate/harness): the project's
//    kernels predicted with the very plans they ran, cuBLAS rows as library kernels;
//  - generic public measurement tables (validate/data/public/README.md): library GEMMs
//    (m,n,k,batch,dtype,time_us), memory-bound operators and attention, measured by others.
// Statistics per kernel family, size band, datatype and source; a calibration / test split of the
// rows and the fit of the model's global parameters on the calibration rows alone.
// docs/VALIDATION.md explains the method and reports the results.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "compiler/gpu_model.h"
#include "validate/compare/stats.h"

namespace npusim::validate::compare {

enum class RowKind : std::uint8_t { Gemm, Conv, MemoryOp, Attention };

// One timed kernel: a verified row of the harness's gemm.csv, cublas.csv or conv.csv, or a row of
// a generic public table.
struct Measurement {
  std::string source;  // FILE:LINE
  std::string origin;  // who measured it: the table's `source` column, or "harness"
  std::string family, name, category, dtype, out_dtype;
  RowKind kind = RowKind::Gemm;
  bool conv = false;     // kind == Conv
  bool library = false;  // a library GEMM of a public table: predicted by predict_library_gemm
  compiler::GemmProblem gemm;  // for a convolution: its implicit GEMM
  compiler::ConvProblem cv;
  compiler::MemoryOp op;
  compiler::AttentionProblem attn;
  std::optional<compiler::Plan> plan;  // the plan the row records (the project's kernels)
  compiler::Timer timer = compiler::Timer::Events;
  std::string kernel;  // the library kernel's CTA tile as the source recorded it ("128x64"), or ""
  std::optional<bool> calibration;  // the row's split when the table assigns it (column `split`)
  double median_us = 0, p25_us = 0, p75_us = 0;
  double sm_clock_mhz = 0;  // sampled during the runs; 0 when not recorded
  double flops() const;     // floating-point operations (a multiply-add counts 2); memory ops: 0
  double work() const;      // flops(), or the compulsory bytes of a memory-bound operator
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
// env.csv (the harness) or *.csv generic tables. Throws Error for an unreadable file or a row that
// does not parse, naming FILE:LINE.
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

// Which rows: every row, or one side of the fixed calibration / test split. A row belongs to the
// calibration split when its table says so (column `split`: calibration or test; for sources of a
// point or two), else when the hash of its identity (origin, name, datatype, shape: FNV-1a, then
// MurmurHash3's final mix) is 0 modulo 4: about a quarter of the rows, never the same as the test rows, independent of the
// model and of the measured times.
enum class Split : std::uint8_t { All, Calibration, Test };
std::optional<Split> parse_split(std::string_view s);
std::string_view name_of(Split s);
bool in_calibration_split(const Measurement& m);

struct CompareOptions {
  double min_us = 0;                // rows measured shorter than this are left out
  Split split = Split::All;
  std::vector<std::string> dtypes;  // only these datatypes; empty: all
};

// The size band of a row: GEMMs and attention by FLOPs (<1, 1-10, 10-100, >=100 GFLOP), memory
// operators by their compulsory bytes (<64, 64-512, >=512 MB).
std::string size_band(const Measurement& m);

struct Entry {
  const Measurement* m = nullptr;
  double predicted_s = 0;
  double roofline_s = 0;
  std::string kernel;  // what the model runs: the plan or the library kernel
  std::string bound;   // the term that bounds it
  double dram_bytes = 0, l2_bytes = 0;
  compiler::Plan plan;        // the project's kernels: the plan predicted (the row's own)
  bool plan_matches = true;   // the model's chooser picks the same plan for the row's problem
  int kernel_matches = -1;    // a recorded library tile: 1 when the model's pick has it, 0 when not
  std::string band;
};

struct GroupStats {
  std::string key;  // the family, band, datatype or source; "all" for every entry
  ErrorStats model, roofline;
};

struct Comparison {
  std::vector<Entry> entries;
  GroupStats overall;
  std::vector<GroupStats> families, bands, dtypes, sources;
  std::size_t below_min = 0;     // left out by min_us
  std::size_t other_split = 0;   // left out by the split
  std::size_t other_dtype = 0;   // left out by the datatype filter
  std::size_t kernels_named = 0, kernels_matched = 0;  // recorded library tiles, and those the model picks
};

// Predicts every selected row. Throws Error when nothing is left.
Comparison compare(const MeasurementSet& m, const compiler::GpuParams& g, const CompareOptions& o);

std::string report_text(const Comparison& c, const std::string& arch_name, const CompareOptions& o);
// The statistics as JSON. Stable keys (scripts rely on them): at top level `overall`, `families`,
// `bands`, `dtypes`, `sources`; each group holds count, mape_pct, median_ape_pct, p90_ape_pct,
// max_ape_pct, bias_pct, spearman (of achieved TFLOP/s, GB/s for memory operators),
// pearson_log_time, and `roofline` with the same keys for the roofline.
std::string report_json(const Comparison& c, const std::string& arch_name, const CompareOptions& o);
// Measured against predicted time, log-log, one colour per family, the roofline's points hollow.
std::string scatter_svg(const Comparison& c, const std::string& title);
// One row per entry: the problem, the kernel, measured, predicted and roofline times, the errors.
std::string residuals_csv(const Comparison& c);

// The global parameters that may be fitted on public measurements, as --set keys:
// gpu.wgmma_fraction, gpu.mma_sync_fraction, gpu.simt_fraction, gpu.dram_fraction,
// gpu.kernel_fixed_us.
const std::vector<std::string>& fittable_keys();

struct FitResult {
  std::vector<std::pair<std::string, double>> values;  // key, fitted value
  std::size_t rows = 0;                                // calibration rows fitted on
  double mape_before = 0, mape_after = 0;              // on those rows
  std::vector<std::string> overrides() const;          // "key=value"
};

// Fits `keys` (a subset of fittable_keys()) to the calibration split of `m` (the options' split is
// ignored: always Split::Calibration), minimising the model's MAPE: a coarse grid over each key's
// range, then a golden-section refinement, key after key, three rounds. Deterministic.
FitResult fit(const MeasurementSet& m, const compiler::GpuParams& g, const std::vector<std::string>& keys,
              CompareOptions o);

}  // namespace npusim::validate::compare
