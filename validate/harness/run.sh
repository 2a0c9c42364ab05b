#!/usr/bin/env bash
# The one command for a lent H100/H200: builds the GPU harness (Release, sm_90, the harness
# targets only, as a standalone CMake project: the machine has CMake and the CUDA toolkit but none
# of the project's other dependencies, and no network), then runs it.
#
#   validate/harness/run.sh [harness options]        e.g.  validate/harness/run.sh --only micro
#
# Output: --out DIR if given, else $OUT/<gpu> where $OUT is set (the device tool's folder), else
# validate/data/<gpu>, with <gpu> the GPU's name as a folder (nvidia-h100-80gb-hbm3). Copy that
# folder to validate/data/<gpu>/ in the repository. Every option of npusim-gpu-bench passes
# through (--only selftest,gemm,cublas,conv,micro to run or re-run parts; --quick for a smoke test).
# The build folder (NPUSIM_GPU_BUILD, default build-gpu/) is reused when it exists.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${NPUSIM_GPU_BUILD:-$root/build-gpu}
t0=$(date +%s)

nvcc=$(command -v nvcc || true)
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
if [ -z "$nvcc" ]; then
  echo "run.sh: no nvcc on PATH or in /usr/local/cuda/bin" >&2
  exit 3
fi
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root/validate/harness/standalone" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CUDA_COMPILER="$nvcc"
fi
cmake --build "$build" -j"$(nproc)" --target npusim-gpu-bench
bench="$build/harness/bench/npusim-gpu-bench"
echo "run.sh: built in $(( $(date +%s) - t0 )) s"

out=""
args=("$@")
for ((i = 0; i < ${#args[@]}; ++i)); do
  [ "${args[$i]}" = "--out" ] && out=${args[$((i + 1))]:-}
done
if [ -z "$out" ]; then
  slug=$("$bench" --print-slug)
  if [ -n "${OUT:-}" ]; then out="$OUT/$slug"; else out="$root/validate/data/$slug"; fi
  args+=(--out "$out")
fi
mkdir -p "$out"
rev=$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo unknown)
if [ "$rev" != unknown ] && ! git -C "$root" diff --quiet HEAD -- validate compiler 2> /dev/null; then rev="$rev-dirty"; fi

# the card as found (read-only queries; nothing here changes its settings)
command -v nvidia-smi > /dev/null && nvidia-smi -q > "$out/nvidia-smi-before.txt" 2>&1 || true
set +e
"$bench" --source-rev "$rev" "${args[@]}" 2>&1 | tee "$out/log.txt"
rc=${PIPESTATUS[0]}
set -e
command -v nvidia-smi > /dev/null && nvidia-smi -q > "$out/nvidia-smi-after.txt" 2>&1 || true
echo "run.sh: npusim-gpu-bench exited $rc after $(( $(date +%s) - t0 )) s in all; results in $out"
exit "$rc"
