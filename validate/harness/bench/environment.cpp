#include "validate/harness/bench/environment.h"

#include <cstdio>

namespace npusim::validate::harness {

void write_env(Bench& B, const std::string& file, const std::map<std::string, std::string>& extra) {
  harness::CsvWriter w(file, harness::env_columns());
  auto kv = [&](const std::string& k, const std::string& v) { w.row({k, v}); };
  const cudaDeviceProp& p = B.prop;
  kv("source_rev", B.opt.source_rev);
  kv("command_line", B.opt.command_line);
  kv("parts", [&] {
    std::string s;
    for (const std::string& x : kParts)
      if (B.opt.parts.count(x)) {
        if (!s.empty()) s += ',';
        s += x;
      }
    return s;
  }());
  std::string dts;
  for (DType t : B.opt.dtypes) {
    if (!dts.empty()) dts += ',';
    dts += harness::name(t);
  }
  kv("dtypes", dts);
  kv("method", reduced_method(B.opt) ? "reduced (fewer runs/warm-ups, smaller flush or --quick): not for comparisons"
                                     : "full");
  kv("runs", harness::fmt_int(B.opt.runs));
  kv("warmup", harness::fmt_int(B.opt.warmup));
  kv("l2_flush_bytes", harness::fmt_int(static_cast<std::int64_t>(B.timer->flush_bytes())));
  kv("timer", "cudaEventElapsedTime around each launch; runs enqueued back to back, L2 flush before each");
  kv("gpu_name", p.name);
  kv("gpu_slug", harness::gpu_slug(p.name));
  char bus[32] = {};
  cudaDeviceGetPCIBusId(bus, sizeof bus, B.opt.device);
  kv("pci_bus_id", bus);
  kv("compute_capability", std::to_string(p.major) + "." + std::to_string(p.minor));
  kv("sm_count", harness::fmt_int(p.multiProcessorCount));
  kv("l2_bytes", harness::fmt_int(p.l2CacheSize));
  kv("global_memory_bytes", harness::fmt_int(static_cast<std::int64_t>(p.totalGlobalMem)));
  kv("smem_per_sm_bytes", harness::fmt_int(static_cast<std::int64_t>(p.sharedMemPerMultiprocessor)));
  kv("smem_per_block_optin_bytes", harness::fmt_int(static_cast<std::int64_t>(p.sharedMemPerBlockOptin)));
  kv("regs_per_sm", harness::fmt_int(p.regsPerMultiprocessor));
  kv("max_threads_per_sm", harness::fmt_int(p.maxThreadsPerMultiProcessor));
  kv("max_blocks_per_sm", harness::fmt_int(p.maxBlocksPerMultiProcessor));
  int attr = 0;
  if (cudaDeviceGetAttribute(&attr, cudaDevAttrClockRate, B.opt.device) == cudaSuccess)
    kv("attr_sm_clock_max_khz", harness::fmt_int(attr));
  if (cudaDeviceGetAttribute(&attr, cudaDevAttrMemoryClockRate, B.opt.device) == cudaSuccess)
    kv("attr_memory_clock_khz", harness::fmt_int(attr));
  if (cudaDeviceGetAttribute(&attr, cudaDevAttrGlobalMemoryBusWidth, B.opt.device) == cudaSuccess)
    kv("attr_memory_bus_width_bits", harness::fmt_int(attr));
  // the limits every plan of this run was chosen under (compiler::choose_plan)
  kv("plan_sms", harness::fmt_int(B.limits.sms));
  kv("plan_smem_per_sm", harness::fmt_int(B.limits.smem_per_sm));
  kv("plan_smem_per_block", harness::fmt_int(B.limits.smem_per_block));
  kv("plan_max_threads_per_sm", harness::fmt_int(B.limits.max_threads_per_sm));
  kv("plan_max_ctas_per_sm", harness::fmt_int(B.limits.max_ctas_per_sm));
  kv("plan_regs_per_sm", harness::fmt_int(B.limits.regs_per_sm));
  kv("plan_regs_per_thread_default", harness::fmt_int(B.limits.regs_per_thread));
  kv("plan_macs_per_l2_byte", harness::fmt_int(B.limits.macs_per_l2_byte));
  int v = 0;
  cudaDriverGetVersion(&v);
  kv("cuda_driver_api_version", harness::fmt_int(v));
  cudaRuntimeGetVersion(&v);
  kv("cuda_runtime_version", harness::fmt_int(v));
#ifdef NPUSIM_CUDA_TOOLKIT_VERSION
  kv("cuda_toolkit_version", NPUSIM_CUDA_TOOLKIT_VERSION);
#endif
#ifdef __VERSION__
  kv("host_compiler", __VERSION__);
#endif
  kv("cublas", B.cublas_status);
  if (B.cublas) {
    const kernels::CublasVersions cv = B.cublas->versions();
    kv("cublas_version", harness::fmt_int(cv.cublas));
    kv("cublaslt_version", harness::fmt_int(static_cast<std::int64_t>(cv.cublaslt)));
  }
  const harness::Nvml& n = *B.nvml;
  kv("nvml", n.status());
  kv("sm_clock_source", n.ok() ? "nvml: nvmlDeviceGetClockInfo(SM) sampled every ~1 ms during each row's timed runs"
                               : "none under load: NVML unavailable; attr_sm_clock_max_khz is the maximum clock only");
  if (n.ok()) {
    kv("driver_version", n.driver_version());
    kv("nvml_name", n.name());
    if (auto x = n.max_sm_clock_mhz()) kv("nvml_max_sm_clock_mhz", harness::fmt_int(*x));
    if (auto x = n.max_mem_clock_mhz()) kv("nvml_max_mem_clock_mhz", harness::fmt_int(*x));
    if (auto x = n.mem_clock_mhz()) kv("nvml_mem_clock_mhz", harness::fmt_int(*x));
    if (auto x = n.memory_bus_width()) kv("nvml_memory_bus_width_bits", harness::fmt_int(*x));
    if (auto x = n.power_limit_mw()) kv("nvml_power_limit_mw", harness::fmt_int(*x));
    if (auto x = n.temperature_c()) kv("nvml_temperature_c_at_write", harness::fmt_int(*x));
    if (auto x = n.clock_event_reasons()) kv("nvml_clock_event_reasons_at_write", harness::fmt_int(static_cast<std::int64_t>(*x)));
  }
  for (const auto& [k, val] : extra) kv(k, val);
}

compiler::GpuLimits device_limits(const cudaDeviceProp& p) {
  compiler::GpuLimits g;
  g.sms = p.multiProcessorCount;
  g.smem_per_sm = static_cast<std::int64_t>(p.sharedMemPerMultiprocessor);
  g.smem_per_block = static_cast<std::int64_t>(p.sharedMemPerBlockOptin);
  g.max_threads_per_sm = p.maxThreadsPerMultiProcessor;
  g.max_ctas_per_sm = p.maxBlocksPerMultiProcessor;
  g.regs_per_sm = p.regsPerMultiprocessor;
  return g;
}

void list_suites(const Options& o, const compiler::GpuLimits& limits, const std::string& source) {
  std::printf("plans under %s limits: %d SMs, %lld B smem/SM\n", source.c_str(), limits.sms,
              static_cast<long long>(limits.smem_per_sm));
  double flops = 0;
  const auto shapes = selected_gemms(o);
  for (const harness::GemmShape& g : shapes) {
    const compiler::Plan p = harness::plan_for(g, DType::bf16, limits);
    flops += g.flops();
    std::printf("%-11s %-40s %6lld %6lld %6lld x%-4lld cfg %d split %d ctas %lld waves %lld\n",
                std::string(harness::name(g.category)).c_str(), g.name.c_str(), static_cast<long long>(g.m),
                static_cast<long long>(g.n), static_cast<long long>(g.k), static_cast<long long>(g.batch), p.cfg.id,
                p.split_k, static_cast<long long>(p.ctas), static_cast<long long>(p.waves));
  }
  std::printf("%zu GEMM shapes, %.1f TFLOP per type and family\n", shapes.size(), flops / 1e12);
  for (const harness::ConvShape& c : selected_convs(o)) {
    const compiler::Plan p = harness::plan_for(c, DType::bf16, limits);
    std::printf("conv %-22s n%-3lld %3lldx%-3lld c%-4lld k%-4lld %lldx%lld s%lld  gemm %lld x %lld x %lld cfg %d split %d\n",
                c.name.c_str(), static_cast<long long>(c.n), static_cast<long long>(c.h), static_cast<long long>(c.w),
                static_cast<long long>(c.c), static_cast<long long>(c.k), static_cast<long long>(c.r),
                static_cast<long long>(c.s), static_cast<long long>(c.stride), static_cast<long long>(c.gemm_m()),
                static_cast<long long>(c.gemm_n()), static_cast<long long>(c.gemm_k()), p.cfg.id, p.split_k);
  }
}

}  // namespace npusim::validate::harness
