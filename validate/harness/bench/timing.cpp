#include "validate/harness/bench/timing.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include "validate/kernels/bench_kernels.cuh"

namespace npusim::validate::harness {

void cuda_check(cudaError_t e, const std::string& what) {
  if (e != cudaSuccess) throw std::runtime_error(what + ": " + cudaGetErrorString(e));
}

Timer::Timer(cudaStream_t stream, std::size_t flush_bytes, const Nvml* nvml)
    : stream_(stream), flush_bytes_(flush_bytes / 16 * 16), nvml_(nvml) {
  if (flush_bytes_ > 0) cuda_check(cudaMalloc(&flush_buf_, flush_bytes_), "allocating the L2 flush buffer");
}

Timer::~Timer() {
  for (cudaEvent_t e : start_) cudaEventDestroy(e);
  for (cudaEvent_t e : stop_) cudaEventDestroy(e);
  if (flush_buf_) cudaFree(flush_buf_);
}

void Timer::flush() {
  if (flush_buf_) cuda_check(kernels::flush_l2(flush_buf_, flush_bytes_, ++flush_count_, stream_), "L2 flush");
}

Timed Timer::time(const Launch& launch, const TimingOptions& opt) {
  if (opt.runs < 1) throw std::invalid_argument("timing needs at least one run");
  while (static_cast<int>(start_.size()) < opt.runs) {
    cudaEvent_t a = nullptr, b = nullptr;
    cuda_check(cudaEventCreate(&a), "cudaEventCreate");
    cuda_check(cudaEventCreate(&b), "cudaEventCreate");
    start_.push_back(a);
    stop_.push_back(b);
  }
  std::string why;
  for (int i = 0; i < opt.warmup; ++i)
    if (!launch(&why)) throw std::runtime_error("launch failed (warm-up): " + why);
  cuda_check(cudaStreamSynchronize(stream_), "warm-up");
  cuda_check(cudaGetLastError(), "warm-up");

  for (int i = 0; i < opt.runs; ++i) {
    if (opt.flush) flush();
    cuda_check(cudaEventRecord(start_[static_cast<std::size_t>(i)], stream_), "cudaEventRecord");
    if (!launch(&why)) throw std::runtime_error("launch failed: " + why);
    cuda_check(cudaEventRecord(stop_[static_cast<std::size_t>(i)], stream_), "cudaEventRecord");
  }
  Timed t;
  // sample the SM clock while the runs execute (at least once)
  const cudaEvent_t last = stop_[static_cast<std::size_t>(opt.runs - 1)];
  do {
    if (nvml_ && nvml_->ok())
      if (auto mhz = nvml_->sm_clock_mhz()) t.sm_clock_mhz.push_back(*mhz);
    if (cudaEventQuery(last) != cudaErrorNotReady) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  } while (true);
  cuda_check(cudaStreamSynchronize(stream_), "timed runs");
  // (cudaEventQuery's "not ready" above is a status, not an error)
  if (const cudaError_t e = cudaGetLastError(); e != cudaSuccess && e != cudaErrorNotReady) cuda_check(e, "timed runs");
  t.us.reserve(static_cast<std::size_t>(opt.runs));
  for (int i = 0; i < opt.runs; ++i) {
    float ms = 0;
    cuda_check(cudaEventElapsedTime(&ms, start_[static_cast<std::size_t>(i)], stop_[static_cast<std::size_t>(i)]),
               "cudaEventElapsedTime");
    t.us.push_back(1000.0 * ms);
  }
  t.stats = summarize(t.us);
  return t;
}

}  // namespace npusim::validate::harness
