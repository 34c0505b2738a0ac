#!/usr/bin/env bash
# Integration test: build examples/aoti_example as an outside project with find_package(AOTI),
# run it and compare what it prints with PyTorch's outputs (model.expected.txt), run its CTest,
# and check that the package is rebuilt exactly when model.ep or aotic changes.
#
#   example.sh BUILD_DIR SOURCE_DIR WORK_DIR PYTHON FROM
# PYTHON: a Python with torch to regenerate model.ep from model.py, or "none" to use the
# committed model.ep. Exits 77 (skipped) when PYTHON is given but has no torch.
# FROM: "install" (install BUILD_DIR into a temporary prefix and find AOTI there) or "build-tree"
# (find AOTI in BUILD_DIR itself).
set -euo pipefail
build="$1" src="$2" work="$3" python="$4" from="$5"

if [ "$python" != none ] && ! "$python" -c "import torch" 2>/dev/null; then
  echo "skipped: $python cannot import torch (run tools/install-deps.sh --torch)"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
case "$from" in
  install)
    cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
    find_arg="-DCMAKE_PREFIX_PATH=$work/prefix"
    aotic="$work/prefix/bin/aotic" ;;
  build-tree)
    find_arg="-DAOTI_DIR=$build"
    aotic="" ;;  # the build tree's aotic is not ours to touch
  *) echo "example.sh: FROM must be install or build-tree, not '$from'"; exit 2 ;;
esac

py_arg=-DPython3_EXECUTABLE=/nonexistent/python
[ "$python" = none ] || py_arg="-DPython3_EXECUTABLE=$python"
# A copy of the example, so that touching model.ep below does not touch the source tree.
cp -r "$src/examples/aoti_example" "$work/src"
cmake -S "$work/src" -B "$work/build" "$find_arg" "$py_arg" > "$work/configure.log"
cmake --build "$work/build" > "$work/build1.log" 2>&1 || { cat "$work/build1.log"; exit 1; }
grep -q "aotic: compiling model" "$work/build1.log" || { echo "FAIL: aotic did not run"; exit 1; }

expected="$work/src/model.expected.txt"
[ "$python" = none ] || expected="$work/build/exported/model.expected.txt"
(cd "$work/build" && ./aoti_example) > "$work/output.txt"
cat "$work/output.txt"

# Same lines; numbers equal within 1e-5, text lines identical.
awk -v tol=1e-5 '
  NR == FNR { want[FNR] = $0; n = FNR; next }
  { got[FNR] = $0; m = FNR }
  END {
    if (n != m) { printf "FAIL: %d lines printed, %d expected\n", m, n; exit 1 }
    bad = 0
    for (i = 1; i <= n; i++) {
      if (want[i] ~ /^-?[0-9.]+(e-?[0-9]+)?$/) {
        d = got[i] - want[i]; if (d < 0) d = -d
        if (d > tol || got[i] !~ /^-?[0-9.]+/) { printf "FAIL line %d: got %s, want %s\n", i, got[i], want[i]; bad = 1 }
      } else if (got[i] != want[i]) { printf "FAIL line %d: got \"%s\", want \"%s\"\n", i, got[i], want[i]; bad = 1 }
    }
    exit bad
  }' "$expected" "$work/output.txt"

(cd "$work/build" && ctest --output-on-failure) > "$work/ctest.log" 2>&1 || { cat "$work/ctest.log"; exit 1; }
grep -q "100% tests passed" "$work/ctest.log" || { cat "$work/ctest.log"; exit 1; }

# Nothing changed: no recompilation. model.ep changed: recompiled.
cmake --build "$work/build" > "$work/build2.log" 2>&1
if grep -q "aotic: compiling model" "$work/build2.log"; then echo "FAIL: rebuilt with nothing changed"; exit 1; fi
if [ "$python" = none ]; then
  touch "$work/src/model.ep"
  cmake --build "$work/build" > "$work/build3.log" 2>&1
  grep -q "aotic: compiling model" "$work/build3.log" || { echo "FAIL: model.ep changed but the package was not rebuilt"; exit 1; }
fi
if [ -n "$aotic" ]; then
  touch "$aotic"
  cmake --build "$work/build" > "$work/build4.log" 2>&1
  grep -q "aotic: compiling model" "$work/build4.log" || { echo "FAIL: aotic changed but the package was not rebuilt"; exit 1; }
fi
echo "PASS"
