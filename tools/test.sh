#!/usr/bin/env bash
# Builds AOTI and runs the whole test suite with CTest (what .ci/run runs).
#   AOTI_BUILD_DIR  build folder (default: build/test)
#   AOTI_VENV       Python venv with torch (default ~/.cache/aoti/venv); tests labelled "torch"
#                   use it to regenerate models with real PyTorch
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${AOTI_BUILD_DIR:-$root/build/test}"
venv="${AOTI_VENV:-$HOME/.cache/aoti/venv}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAOTI_TEST_PYTHON="$venv/bin/python" \
      -DAOTI_ZOO_TESTS=ON
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"
