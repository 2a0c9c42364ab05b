#!/usr/bin/env bash
# Regenerates tests/golden/golden.json, the golden whole-model numbers (docs/GOLDEN.md), with the
# built npusim: every run of tests/golden/runs.txt on both engines. Run it when a change moves the
# numbers on purpose, read `git diff tests/golden/golden.json`, and commit the file in the same
# commit as the change, saying why the numbers moved.
#
#   scripts/regen-golden.sh [BUILD_DIR]      (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[ -d "$build" ] || { echo "regen-golden: no build folder $build (configure and build first)" >&2; exit 2; }
cmake --build "$build" --target npusim npusim-golden -j"${NPUSIM_JOBS:-2}"
"$build/tests/golden/npusim-golden" --npusim "$build/npusim" --runs "$root/tests/golden/runs.txt" \
  --golden "$root/tests/golden/golden.json" --write
git -C "$root" diff --stat -- tests/golden/golden.json || true
