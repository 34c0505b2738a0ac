#!/usr/bin/env bash
# Builds and installs AOTI, then builds examples/aoti_example as an outside project with
# find_package(AOTI) (compiling model.ep into model.pt2 at build time) and runs it.
#   AOTI_BUILD_DIR  build folder (default: build/example-run)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${AOTI_BUILD_DIR:-$root/build/example-run}"
cmake -S "$root" -B "$build/aoti" -DCMAKE_BUILD_TYPE=Release -DAOTI_BUILD_TESTS=OFF \
      -DAOTI_BUILD_EXAMPLE=OFF
cmake --build "$build/aoti" -j "$(nproc)"
cmake --install "$build/aoti" --prefix "$build/prefix"
cmake -S "$root/examples/aoti_example" -B "$build/example" -DCMAKE_PREFIX_PATH="$build/prefix"
cmake --build "$build/example"
cd "$build/example"
./aoti_example
