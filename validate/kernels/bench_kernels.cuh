// Kernels of the measurement method and the calibration microbenchmarks (host-callable
// declarations; the kernels are in bench_kernels.cu):
//   flush_l2      writes a buffer (>= 256 MiB, several times the L2) between timed runs, so that
//                 every run starts with none of its operands in L2
//   empty         a kernel that does nothing: launch overhead
//   mma_peak      mma.sync.m16n8k16 back to back from registers (8 independent accumulators per
//                 warp, no memory traffic): the tensor-core rate the project's kernel can reach
//   copy          a device-to-device copy with 16-byte accesses (bytes read + bytes written)
//   read          16-byte reads of a buffer, `repeats` times (through L2 only: ld.global.cg); a
//                 buffer well inside L2 measures L2 bandwidth, one well past it HBM bandwidth
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

#include "validate/kernels/kernels.h"

namespace npusim::validate::kernels {

cudaError_t flush_l2(void* buffer, std::size_t bytes, unsigned value, cudaStream_t s);
cudaError_t launch_empty(cudaStream_t s);

// floating-point operations of one launch: blocks x 8 warps x iters x 8 x (2 x 16 x 8 x 16)
double mma_peak_flops(int blocks, int iters);
cudaError_t launch_mma_peak(DType in, float* sink, int blocks, int iters, cudaStream_t s);

// bytes must be a multiple of 16 (both pointers 16-byte aligned)
cudaError_t launch_copy(const void* src, void* dst, std::size_t bytes, int blocks, cudaStream_t s);
// sink: one float per block x thread (written only when the data would have summed to a pattern
// that cannot occur, so that the reads are not optimised away)
cudaError_t launch_read(const void* src, std::size_t bytes, int repeats, int blocks, float* sink, cudaStream_t s);

}  // namespace npusim::validate::kernels
