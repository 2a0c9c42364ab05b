// npusim-gpu-bench: measures the project's GPU kernels, cuBLAS/cuBLASLt and calibration
// microbenchmarks on one GPU, and writes CSVs (validate/data/README.md documents them).
//
//   npusim-gpu-bench --out DIR [--only selftest,gemm,cublas,conv,micro] [--dtypes bf16,fp16]
//                    [--filter TEXT] [--category NAME,...] [--limit N] [--runs N] [--warmup N]
//                    [--flush-mib N] [--no-fp32-out] [--quick] [--device N] [--source-rev REV]
//   npusim-gpu-bench --list     the GEMM and conv suites with their plans, no GPU work
//
// Every kernel is checked before it is timed: inputs uniform in [-1, 1] from a counter-based
// hash (never zeros), the output filled with NaN, one run, the output compared with the GPU
// reference (fp32 accumulation) under the bounds of error_bound.h. A row that fails is written
// with verified = 0 and no times. Exit status: 0 when every check passed, 1 when any failed, 2 on
// bad arguments, 3 when the GPU is unusable (a CUDA error that poisons the context).
//
// The program, by file: the command line (../options.h), the run's state and how a row is
// measured (bench.h), the parts (parts.h: selftest.cpp, gemm_part.cpp, conv_part.cpp,
// micro_part.cpp), env.csv and --list (environment.h), the timer (timing.h) and the machine
// (env_info.h); this file sets the run up and runs the parts.
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "validate/harness/bench/bench.h"
#include "validate/harness/bench/environment.h"
#include "validate/harness/bench/parts.h"

int main(int argc, char** argv) {
  using namespace npusim::validate;
  using harness::Bench, harness::DType;
  namespace compiler = npusim::compiler;
  Bench B;
  try {
    B.opt = harness::parse_options(argc, argv);
  } catch (const harness::UsageExit& e) {
    (e.exit_code == 0 ? std::cout : std::cerr) << e.what();
    return e.exit_code;
  }
  int devices = 0;
  const bool have_gpu = cudaGetDeviceCount(&devices) == cudaSuccess && devices > B.opt.device;
  if (B.opt.list) {
    if (have_gpu && cudaGetDeviceProperties(&B.prop, B.opt.device) == cudaSuccess)
      harness::list_suites(B.opt, harness::device_limits(B.prop), B.prop.name);
    else
      harness::list_suites(B.opt, compiler::GpuLimits{}, "default (H100)");
    return 0;
  }
  if (!have_gpu) {
    std::cerr << "npusim-gpu-bench: no CUDA device " << B.opt.device << " (found " << devices << ")\n";
    return 3;
  }
  if (B.opt.print_slug) {
    if (cudaGetDeviceProperties(&B.prop, B.opt.device) != cudaSuccess) return 3;
    std::cout << harness::gpu_slug(B.prop.name) << "\n";
    return 0;
  }
  try {
    harness::cuda_check(cudaSetDevice(B.opt.device), "cudaSetDevice");
    harness::cuda_check(cudaGetDeviceProperties(&B.prop, B.opt.device), "cudaGetDeviceProperties");
    if (B.prop.major != 9) {
      std::cerr << "npusim-gpu-bench: the kernels are built for sm_90 (Hopper); this is " << B.prop.name << " (sm_"
                << B.prop.major << B.prop.minor << ")\n";
      return 3;
    }
    B.limits = harness::device_limits(B.prop);
    harness::cuda_check(cudaStreamCreateWithFlags(&B.stream, cudaStreamNonBlocking), "cudaStreamCreate");
    char bus[32] = {};
    cudaDeviceGetPCIBusId(bus, sizeof bus, B.opt.device);
    B.nvml = std::make_unique<harness::Nvml>(bus, B.opt.device);
    B.timer = std::make_unique<harness::Timer>(B.stream, B.opt.flush_mib << 20, B.nvml.get());
    try {
      B.cublas = std::make_unique<kernels::CublasPeer>(B.stream);
      B.cublas_status = "ok";
    } catch (const std::exception& e) {
      B.cublas_status = std::string("unavailable: ") + e.what();
      std::cerr << "npusim-gpu-bench: cuBLAS " << B.cublas_status << " (no cuBLAS rows)\n";
    }
    B.scratch.resize(sizeof(harness::ErrorStats));
    harness::cuda_check(kernels::prepare_kernels(), "prepare_kernels");
    B.out_dir = B.opt.out_dir;
    std::filesystem::create_directories(B.out_dir);
  } catch (const std::exception& e) {
    std::cerr << "npusim-gpu-bench: " << e.what() << "\n";
    return 3;
  }
  std::printf("npusim-gpu-bench on %s (%d SMs), writing %s%s\n", B.prop.name, B.prop.multiProcessorCount,
              B.out_dir.c_str(), harness::reduced_method(B.opt) ? "  [reduced method: not for comparisons]" : "");
  std::string env_file = B.out_dir + "/env.csv";
  if (B.opt.only) {
    std::string parts;
    for (const std::string& x : harness::kParts)
      if (B.opt.parts.count(x)) parts += (parts.empty() ? "" : "-") + x;
    env_file = B.out_dir + "/env-" + parts + ".csv";
  }
  const std::string started = harness::utc_timestamp();
  const std::string smi_start = harness::nvidia_smi_query();
  std::map<std::string, std::string> extra{{"timestamp_start", started}, {"status", "running"}};
  if (!smi_start.empty()) extra["nvidia_smi_start"] = smi_start;
  harness::write_env(B, env_file, extra);

  const auto t0 = std::chrono::steady_clock::now();
  auto part = [&](const std::string& name, void (*fn)(Bench&)) {
    if (!B.opt.parts.count(name)) return;
    const auto p0 = std::chrono::steady_clock::now();
    try {
      fn(B);
    } catch (const std::exception& e) {
      ++B.failures;
      std::cerr << "ERROR in part " << name << ": " << e.what() << "\n";
      B.assert_device_usable(name);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - p0).count();
    extra["seconds_" + name] = harness::fmt_double(s, 4);
    std::printf("part %s: %.1f s\n", name.c_str(), s);
  };
  part("selftest", harness::run_selftest);
  part("gemm", harness::run_gemm_parts);  // with the cuBLAS rows too when both parts are asked for
  if (!B.opt.parts.count("gemm")) part("cublas", harness::run_gemm_parts);
  part("conv", harness::run_conv_part);
  part("micro", harness::run_micro_part);

  extra["timestamp_end"] = harness::utc_timestamp();
  extra["seconds_total"] = harness::fmt_double(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 4);
  extra["failures"] = harness::fmt_int(B.failures);
  extra["status"] = B.failures ? "finished with failures" : "finished";
  if (const std::string smi_end = harness::nvidia_smi_query(); !smi_end.empty()) extra["nvidia_smi_end"] = smi_end;
  for (const auto& [f, n] : B.rows_written)
    extra["rows_" + std::filesystem::path(f).filename().string()] = harness::fmt_int(n);
  harness::write_env(B, env_file, extra);
  std::printf("done: %d failures; files in %s\n", B.failures, B.out_dir.c_str());
  return B.failures ? 1 : 0;
}
