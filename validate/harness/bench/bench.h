// npusim-gpu-bench's shared pieces: device memory, the run's state (Bench), and the one way every
// row is measured (verify_and_time: poison the output, run once, compare with the GPU reference
// under the bounds of error_bound.h, then, if right, time). The parts (parts.h) and the
// environment file (environment.h) build on it; main.cpp sets it up.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "compiler/gpu_tiling.h"
#include "validate/harness/bench/env_info.h"
#include "validate/harness/bench/timing.h"
#include "validate/harness/columns.h"
#include "validate/harness/csv.h"
#include "validate/harness/error_bound.h"
#include "validate/harness/options.h"
#include "validate/harness/suite.h"
#include "validate/kernels/cublas_ref.cuh"
#include "validate/kernels/kernels.h"

namespace npusim::validate::harness {

// ---- device memory ----

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes) { resize(bytes); }
  ~DeviceBuffer() { reset(); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void resize(std::size_t bytes) {
    if (bytes <= bytes_) return;
    reset();
    harness::cuda_check(cudaMalloc(&p_, bytes), "cudaMalloc(" + std::to_string(bytes >> 20) + " MiB)");
    bytes_ = bytes;
  }
  void reset() {
    if (p_) cudaFree(p_);
    p_ = nullptr;
    bytes_ = 0;
  }
  void* get() const { return p_; }
  std::size_t bytes() const { return bytes_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(p_);
  }

 private:
  void* p_ = nullptr;
  std::size_t bytes_ = 0;
};

// ---- the run ----

struct Bench {
  Options opt;
  cudaStream_t stream = nullptr;
  cudaDeviceProp prop{};
  compiler::GpuLimits limits;
  std::unique_ptr<harness::Nvml> nvml;
  std::unique_ptr<harness::Timer> timer;
  std::unique_ptr<kernels::CublasPeer> cublas;
  DeviceBuffer a, b, c, ref, ws, col, scratch;
  std::string cublas_status = "not created";
  int failures = 0;
  std::map<std::string, int> rows_written;
  std::string out_dir;

  harness::TimingOptions timing(bool flush = true) const { return {opt.warmup, opt.runs, flush && opt.flush_mib > 0}; }

  harness::ErrorStats* scratch_stats() const { return scratch.as<harness::ErrorStats>(); }

  void write(harness::CsvWriter& w, const harness::Row& r) {
    w.row(r.fields());
    ++rows_written[w.path()];
  }

  // a CUDA error that survives a device synchronisation poisons the context: stop
  void assert_device_usable(const std::string& where) {
    const cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess) {
      std::cerr << "npusim-gpu-bench: the GPU context is unusable after " << where << ": " << cudaGetErrorString(e)
                << "\nrerun the remaining parts with --only/--filter\n";
      std::exit(3);
    }
    (void)cudaGetLastError();
  }
};

// The median of the SM clock samples, "" without samples.
std::string median_clock(const std::vector<unsigned>& mhz);
void set_timing(harness::Row& row, const harness::Timed& t, const harness::TimingOptions& o, double flops);
void set_check(harness::Row& row, const harness::CheckResult& r);
std::string launch_error(cudaError_t e, const std::string& why);
// The occupancy and registers the hardware gives the plan's instantiation, noted where they
// differ from the plan.
void set_resources(harness::Row& row, DType in, DType out, const compiler::Plan& plan, bool conv);

// The output of one row's problem, for the comparison: `rows, cols, ld, batch, stride`.
struct OutputView {
  DType type;
  long long rows, cols, ld, batch, stride;
  std::int64_t k;  // reduction length, for the bound
};

// One family on one problem: poison, run once, compare, then (if right) time. Writes the row.
void verify_and_time(Bench& B, harness::CsvWriter& w, harness::Row& row, const harness::Launch& launch,
                     const OutputView& out, double flops, const std::string& label);

// The kernels' arguments for a suite shape, on the Bench's buffers (a, b -> c).
kernels::GemmArgs gemm_args(const Bench& B, const harness::GemmShape& g);
kernels::ConvArgs conv_args(const Bench& B, const harness::ConvShape& c);

}  // namespace npusim::validate::harness
