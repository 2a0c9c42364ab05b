// Timing one GPU operation the way every row of the CSVs is timed:
//   `warmup` launches (module load, clocks up, caches of the driver), then
//   `runs` times: [L2 flush: write `flush_bytes`] event, launch, event
// all enqueued at once on one stream (no host synchronisation between runs, so the GPU never waits
// for the host); the per-run times are the events' elapsed times (~0.5 us resolution). While the
// GPU works through the runs, the host samples the SM clock through NVML every millisecond.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "validate/harness/bench/env_info.h"
#include "validate/harness/stats.h"

namespace npusim::validate::harness {

struct TimingOptions {
  int warmup = 10;
  int runs = 50;
  bool flush = true;
};

struct Timed {
  std::vector<double> us;  // per run
  Summary stats;           // of us
  std::vector<unsigned> sm_clock_mhz;  // NVML samples during the runs (empty without NVML)
};

// enqueues one run of the operation; false (and a message) when it could not be launched
using Launch = std::function<bool(std::string* why)>;

class Timer {
 public:
  // allocates the flush buffer; throws std::runtime_error on failure
  Timer(cudaStream_t stream, std::size_t flush_bytes, const Nvml* nvml);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // throws std::runtime_error on a launch failure or a CUDA error
  Timed time(const Launch& launch, const TimingOptions& opt);
  std::size_t flush_bytes() const { return flush_bytes_; }
  void flush();  // one flush, enqueued

 private:
  cudaStream_t stream_;
  std::size_t flush_bytes_;
  void* flush_buf_ = nullptr;
  unsigned flush_count_ = 0;
  const Nvml* nvml_;
  std::vector<cudaEvent_t> start_, stop_;
};

// throws std::runtime_error("what: <CUDA error>") unless e == cudaSuccess
void cuda_check(cudaError_t e, const std::string& what);

}  // namespace npusim::validate::harness
