#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "validate/harness/bench/parts.h"
#include "validate/harness/stats.h"
#include "validate/kernels/bench_kernels.cuh"
#include "validate/kernels/reference.cuh"

namespace npusim::validate::harness {

void run_micro_part(Bench& B) {
  std::printf("microbenchmarks\n");
  harness::CsvWriter w(B.out_dir + "/micro.csv", harness::micro_columns());
  auto emit = [&](const std::string& name, const std::string& dtype, const std::string& metric, double value,
                  const std::string& unit, const harness::Timed* t, int runs, double bytes, double flops,
                  const std::string& note) {
    harness::Row row(harness::micro_columns());
    row.set("name", name).set("dtype", dtype).set("metric", metric).set("value", harness::fmt_double(value, 5));
    row.set("unit", unit).set("runs", harness::fmt_int(runs)).set("note", note);
    if (t) {
      row.set("median_us", harness::fmt_double(t->stats.median));
      row.set("p25_us", harness::fmt_double(t->stats.p25));
      row.set("p75_us", harness::fmt_double(t->stats.p75));
      row.set("sm_clock_mhz", median_clock(t->sm_clock_mhz));
    }
    if (bytes > 0) row.set("bytes", harness::fmt_double(bytes, 12));
    if (flops > 0) row.set("flops", harness::fmt_double(flops, 12));
    B.write(w, row);
    std::printf("  %-34s %-5s %12.4g %s\n", name.c_str(), dtype.c_str(), value, unit.c_str());
    std::fflush(stdout);
  };
  auto guarded = [&](const std::string& name, const std::function<void()>& f) {
    try {
      f();
    } catch (const std::exception& e) {
      ++B.failures;
      std::cerr << "ERROR micro " << name << ": " << e.what() << "\n";
      emit(name, "", "error", 0, "", nullptr, 0, 0, 0, e.what());
      B.assert_device_usable(name);
    }
  };
  const harness::TimingOptions no_flush = B.timing(false);

  // launch overhead
  guarded("launch_back_to_back", [&] {
    constexpr int kLaunches = 1000;
    const harness::Timed t = B.timer->time(
        [&](std::string* why) {
          for (int i = 0; i < kLaunches; ++i)
            if (const cudaError_t e = kernels::launch_empty(B.stream); e != cudaSuccess) {
              *why = cudaGetErrorString(e);
              return false;
            }
          return true;
        },
        no_flush);
    emit("launch_back_to_back", "", "us_per_launch", t.stats.median / kLaunches, "us", &t, no_flush.runs, 0, 0,
         "1000 empty kernels between two events; median over runs / 1000");
  });
  guarded("launch_sync_roundtrip", [&] {
    std::vector<double> us;
    for (int i = 0; i < 20 + 1000; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      harness::cuda_check(kernels::launch_empty(B.stream), "empty kernel");
      harness::cuda_check(cudaStreamSynchronize(B.stream), "sync");
      const auto t1 = std::chrono::steady_clock::now();
      if (i >= 20) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    const harness::Summary s = harness::summarize(us);
    harness::Timed t;
    t.stats = s;
    emit("launch_sync_roundtrip", "", "us", s.median, "us", &t, 1000, 0, 0,
         "host clock around one empty launch + cudaStreamSynchronize; median of 1000 after 20 warm-ups");
  });

  // tensor-core peak of mma.sync
  for (DType t : B.opt.dtypes)
    guarded("mma_sync_peak", [&] {
      DeviceBuffer sink(static_cast<std::size_t>(B.prop.multiProcessorCount) * 8 * 256 * sizeof(float));
      const int blocks = B.prop.multiProcessorCount * 4, iters = 20000;
      const double flops = kernels::mma_peak_flops(blocks, iters);
      const harness::Timed tm = B.timer->time(
          [&](std::string* why) {
            const cudaError_t e = kernels::launch_mma_peak(t, sink.as<float>(), blocks, iters, B.stream);
            if (e != cudaSuccess) *why = cudaGetErrorString(e);
            return e == cudaSuccess;
          },
          no_flush);
      emit("mma_sync_peak", std::string(harness::name(t)), "tflops", flops / (tm.stats.median * 1e-6) / 1e12, "TFLOP/s", &tm,
           no_flush.runs, 0, flops,
           "mma.sync.m16n8k16 fp32-accumulate from registers, 8 independent chains x 8 warps x 4 CTAs per SM");
    });

  // cuBLAS on 8192^3 (with the L2 flush, as in the suite)
  if (B.cublas)
    for (DType t : B.opt.dtypes)
      guarded("cublas_gemm_8192", [&] {
        const int n = 8192;
        const std::size_t elems = static_cast<std::size_t>(n) * n;
        DeviceBuffer a(elems * 2), b(elems * 2), c(elems * 2);
        harness::cuda_check(kernels::fill_random(t, a.get(), elems, 11, -1.f, 1.f, B.stream), "fill");
        harness::cuda_check(kernels::fill_random(t, b.get(), elems, 12, -1.f, 1.f, B.stream), "fill");
        kernels::GemmArgs g;
        g.m = g.n = g.k = n;
        g.a = a.get();
        g.b = b.get();
        g.c = c.get();
        g.lda = g.ldb = g.ldc = n;
        const harness::TimingOptions o = B.timing();
        const harness::Timed tm = B.timer->time([&](std::string* why) { return B.cublas->gemm(t, t, g, why); }, o);
        const double flops = 2.0 * n * static_cast<double>(n) * n;
        emit("cublas_gemm_8192", std::string(harness::name(t)), "tflops", flops / (tm.stats.median * 1e-6) / 1e12,
             "TFLOP/s", &tm, o.runs, 0, flops, "cublasGemmEx 8192^3, random inputs, L2 flushed before each run");
      });

  // memory bandwidth
  const std::size_t big = std::size_t{1} << 30;  // 1 GiB
  const int blocks = B.prop.multiProcessorCount * 4;
  guarded("hbm", [&] {
    DeviceBuffer src(big), dst(big);
    harness::cuda_check(kernels::fill_random(DType::fp32, src.get(), big / 4, 5, -1.f, 1.f, B.stream), "fill");
    harness::cuda_check(cudaMemsetAsync(dst.get(), 0, big, B.stream), "memset");
    auto bw = [&](const std::string& name, const harness::Launch& l, double bytes, const std::string& note) {
      const harness::Timed tm = B.timer->time(l, no_flush);
      emit(name, "", "gbps", bytes / (tm.stats.median * 1e-6) / 1e9, "GB/s", &tm, no_flush.runs, bytes, 0, note);
    };
    auto ok = [](cudaError_t e, std::string* why) {
      if (e != cudaSuccess) *why = cudaGetErrorString(e);
      return e == cudaSuccess;
    };
    bw("hbm_copy_kernel", [&](std::string* why) { return ok(kernels::launch_copy(src.get(), dst.get(), big, blocks, B.stream), why); },
       2.0 * big, "1 GiB -> 1 GiB, 16-byte accesses; bytes = read + written");
    bw("hbm_copy_memcpy", [&](std::string* why) { return ok(cudaMemcpyAsync(dst.get(), src.get(), big, cudaMemcpyDeviceToDevice, B.stream), why); },
       2.0 * big, "cudaMemcpyAsync device to device, 1 GiB; bytes = read + written");
    DeviceBuffer sink(static_cast<std::size_t>(blocks) * 512 * sizeof(float));
    bw("hbm_read", [&](std::string* why) { return ok(kernels::launch_read(src.get(), big, 1, blocks, sink.as<float>(), B.stream), why); },
       1.0 * big, "1 GiB read once, 16-byte ld.global.cg");
    bw("hbm_write", [&](std::string* why) { return ok(kernels::flush_l2(dst.get(), big, 7, B.stream), why); }, 1.0 * big,
       "1 GiB written, 16-byte stores (the L2 flush kernel)");
  });
  for (double fraction : {0.25, 0.5})
    guarded("l2_read", [&] {
      const std::size_t ws = static_cast<std::size_t>(B.prop.l2CacheSize * fraction) / 16 * 16;
      DeviceBuffer src(ws), sink(static_cast<std::size_t>(blocks) * 512 * sizeof(float));
      harness::cuda_check(kernels::fill_random(DType::fp32, src.get(), ws / 4, 6, -1.f, 1.f, B.stream), "fill");
      const int repeats = static_cast<int>(std::max<std::size_t>(1, (std::size_t{4} << 30) / ws));
      const harness::Timed tm = B.timer->time(
          [&](std::string* why) {
            const cudaError_t e = kernels::launch_read(src.get(), ws, repeats, blocks, sink.as<float>(), B.stream);
            if (e != cudaSuccess) *why = cudaGetErrorString(e);
            return e == cudaSuccess;
          },
          no_flush);
      const double bytes = static_cast<double>(ws) * repeats;
      emit(fraction < 0.3 ? "l2_read_quarter" : "l2_read_half", "", "gbps", bytes / (tm.stats.median * 1e-6) / 1e9,
           "GB/s", &tm, no_flush.runs, bytes,
           0, std::to_string(ws) + " B working set (" + harness::fmt_double(fraction, 2) + " of L2) read " +
                  std::to_string(repeats) + " times, ld.global.cg");
    });
  guarded("l2_flush", [&] {
    const harness::Timed tm = B.timer->time(
        [&](std::string*) {
          B.timer->flush();
          return true;
        },
        no_flush);
    const double bytes = static_cast<double>(B.timer->flush_bytes());
    emit("l2_flush", "", "us", tm.stats.median, "us", &tm, no_flush.runs, bytes, 0,
         "the flush enqueued before every timed run (" + std::to_string(B.timer->flush_bytes() >> 20) + " MiB written)");
  });
}

}  // namespace npusim::validate::harness
