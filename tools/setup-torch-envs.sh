#!/usr/bin/env bash
# Creates (or reuses) one Python venv per older torch release, for writing and checking the
# torch.export fixtures in tests/fixtures/torch-<major.minor>/ (see tools/export_fixtures.py).
# The main venv (~/.cache/aoti/venv, current torch) is made by the install script, not here.
#
# Usage: tools/setup-torch-envs.sh [--export] [VERSION[|FALLBACK]...]
#   default versions: 2.8.0 2.6.0 "2.2.2|2.1.2"  (a|b: try b when a fails to install)
#   --export  also run tools/export_fixtures.py and tools/check_fixture.py with each venv
# Env: AOTI_VENV_ROOT (default ~/.cache/aoti): venvs go to $AOTI_VENV_ROOT/venv-torch<version>
#      AOTI_PYTHON (default python3): interpreter the venvs are made from
#      PIP_INDEX_URL etc. are passed through to pip (e.g. a CPU-only wheel index).
# Idempotent: a venv whose python can already `import torch` is left as it is.
# Installs run one after another: each torch wheel pulls CUDA libraries of several GB.
set -euo pipefail

venv_root="${AOTI_VENV_ROOT:-$HOME/.cache/aoti}"
python="${AOTI_PYTHON:-python3}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

export_fixtures=0
if [[ "${1:-}" == "--export" ]]; then
  export_fixtures=1
  shift
fi
versions=("$@")
if [[ ${#versions[@]} -eq 0 ]]; then
  versions=(2.8.0 2.6.0 "2.2.2|2.1.2")
fi

# numpy 2 breaks torch builds before 2.3 (they were compiled against the numpy 1 ABI).
numpy_spec() {
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  if (( major < 2 || (major == 2 && minor < 3) )); then echo "numpy<2"; else echo "numpy"; fi
}

# Prints the venv's python on success; all progress goes to stderr.
ensure_venv() {
  local version="$1" venv="$venv_root/venv-torch$1"
  if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "import torch" 2>/dev/null; then
    echo "torch $version: reusing $venv" >&2
    echo "$venv/bin/python"
    return 0
  fi
  echo "torch $version: installing into $venv" >&2
  local start=$SECONDS
  "$python" -m venv "$venv" >&2
  if ! "$venv/bin/pip" install --quiet "torch==$version" "$(numpy_spec "$version")" >&2 ||
     ! "$venv/bin/python" -c "import torch" >&2; then
    echo "torch $version: install FAILED after $((SECONDS - start)) s" >&2
    return 1
  fi
  echo "torch $version: installed in $((SECONDS - start)) s" >&2
  echo "$venv/bin/python"
}

export_with() {
  local venv_python="$1"
  (cd "$repo_root" &&
   "$venv_python" tools/export_fixtures.py &&
   folder="tests/fixtures/torch-$("$venv_python" -c 'import torch; print(".".join(torch.__version__.split(".")[:2]))')" &&
   "$venv_python" tools/check_fixture.py "$folder")
}

status=0
for spec in "${versions[@]}"; do
  IFS='|' read -r -a alternatives <<<"$spec"
  venv_python=""
  for version in "${alternatives[@]}"; do
    if venv_python="$(ensure_venv "$version")"; then break; fi
    venv_python=""
  done
  if [[ -z "$venv_python" ]]; then
    echo "no torch from '$spec' could be installed" >&2
    status=1
    continue
  fi
  if (( export_fixtures )) && ! export_with "$venv_python"; then
    echo "fixtures with $venv_python: FAILED" >&2
    status=1
  fi
done
exit $status
