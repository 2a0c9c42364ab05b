#!/usr/bin/env bash
# Builds npusim and runs the whole test suite: once optimised with warnings as errors, once
# under AddressSanitizer and UndefinedBehaviorSanitizer. This is the README's test command and
# what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DNPUSIM_WERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure

# (the CUDA code is compiled once, in the plain build: the sanitizers are for the host code)
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNPUSIM_SANITIZE=ON -DNPUSIM_WERROR=ON -DNPUSIM_CUDA=OFF
cmake --build build-sanitize -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-sanitize -j"$jobs" --output-on-failure
echo "test.sh: all tests passed (plain and sanitized)"
