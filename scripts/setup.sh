#!/usr/bin/env bash
# Installs the Debian packages npusim builds and tests with, when any is missing.
# Idempotent: a machine that has them all is left untouched and no network is used.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libsystemc-dev          # SystemC 2.3.4 (built by Debian as C++17)
  libyaml-cpp-dev         # architecture and sweep specs
  libfmt-dev              # output formatting
  libcli11-dev            # command line
  libgtest-dev libgmock-dev  # GoogleTest through CTest
  nlohmann-json3-dev      # JSON reports
  libboost-dev            # header-only parts (program options are not used)
  libsqlite3-dev          # sweep results database
  verilator               # RTL of the PE array (validate/rtl)
  openmpi-bin libopenmpi-dev  # mpirun sweeps
  chromium                # headless rendering test of the HTML report
  libonnx-dev libprotobuf-dev # ONNX import (workloads/onnx): the ONNX protobuf classes over libprotobuf
  libonnx-testdata        # ONNX's node test models, imported by tests/workloads/onnx_*
  python3-onnx python3-numpy  # writes the test fixtures (ResNet-50, BERT-base and bad models as ONNX)
  clang-14 libclang-rt-14-dev # libFuzzer with ASan/UBSan for the importer's fuzz target (tests/fuzz)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: missing packages (${missing[*]}) and not root; install them as root" >&2; exit 1
  fi
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
