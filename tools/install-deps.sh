#!/usr/bin/env bash
# Installs what building and testing AOTI needs on Debian 12, as root (or through sudo):
#   - Debian packages: compiler, CMake, libzip, jansson, GoogleTest (skipped when all present);
#   - with --torch: a Python virtual environment with PyTorch from PyPI at $AOTI_VENV
#     (default ~/.cache/aoti/venv), used to regenerate models and compare with AOTInductor.
#     It is created once and reused (the wheels pull a few GB of CUDA libraries).
set -euo pipefail

want_torch=0
for arg in "$@"; do
  case "$arg" in
    --torch) want_torch=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

packages=(build-essential cmake pkg-config git libzip-dev libjansson-dev libgtest-dev
          python3 python3-venv)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "install-deps.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

if ((want_torch)); then
  venv="${AOTI_VENV:-$HOME/.cache/aoti/venv}"
  # Pinned so that fixtures regenerate identically; bump together with tests/fixtures.
  reqs=(torch==2.15.0 torchvision==0.29.2 transformers==5.23.0 numpy onnxruntime onnx)
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, torchvision, transformers, numpy, onnxruntime" 2>/dev/null; then
    echo "install-deps.sh: reusing $venv ($("$venv/bin/python" -c 'import torch; print("torch", torch.__version__)'))"
  else
    echo "install-deps.sh: creating $venv (PyTorch from PyPI: a few GB, several minutes)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "${reqs[@]}"
  fi
fi
