// The parts of a run of npusim-gpu-bench (--only selects them), each writing its CSV file into the
// Bench's folder (validate/data/README.md documents the files).
#pragma once

#include "validate/harness/bench/bench.h"

namespace npusim::validate::harness {

// selftest.csv: the reference against float64 on the CPU, the GPU checker against the host's,
// every instantiated configuration with and without split-K, and planted faults that must be caught.
void run_selftest(Bench& B);
// gemm.csv (the project's GEMM) and cublas.csv (cuBLAS, cuBLASLt) over the GEMM suite.
void run_gemm_parts(Bench& B);
// conv.csv: the implicit-GEMM convolution and cuBLAS on im2col over the conv suite.
void run_conv_part(Bench& B);
// micro.csv: launch overhead, tensor-core peak, cuBLAS at 8192^3, HBM and L2 bandwidth, the L2 flush.
void run_micro_part(Bench& B);

}  // namespace npusim::validate::harness
