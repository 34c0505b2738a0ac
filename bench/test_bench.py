"""CTest bench_quick: bench/bench.py --quick on the tutorial MLP at batch 8, 1 and 2 threads (the
batch-1024 model too would double the time, past a minute) runs to the end and writes a results
JSON where every implementation was started, checked against eager and timed at both thread
counts.

  python bench/test_bench.py BUILD OUT_DIR

Exit 0 on success, 1 with the reason on failure, 77 (skipped) when torch, onnxruntime or onnx
cannot be imported.
"""

import json
import os
import subprocess
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
THREADS = [1, 2]


def fail(message):
    print(f"test_bench: {message}", file=sys.stderr)
    return 1


def problems(results):
    """What is missing from a results JSON, one string each."""
    found = []
    names = [m["name"] for m in results.get("models", [])]
    if names != ["mlp_b8"]:
        found.append(f"models {names}, expected mlp_b8")
    if not results.get("peak_flops", {}).get("results"):
        found.append("no peak FLOP rate")
    impls = ["ours", "aoti", "compile", "eager", "ort"]
    for m in results.get("models", []):
        for threads in THREADS:
            per_impl = m.get("threads", {}).get(str(threads), {})
            for key in impls:
                entry = per_impl.get(key, {})
                if entry.get("status") != "ok" or not entry.get("median_s", 0) > 0:
                    found.append(f"{m['name']}, {threads} threads: {key} has no time ({entry})")
        for key in ("ours", "aoti", "ort"):
            cold = m.get("cold", {}).get(key, {})
            if not cold.get("median_s", 0) > 0 or not cold.get("maxrss_kb", 0) > 0:
                found.append(f"{m['name']}: no cold start for {key} ({cold})")
        if not m.get("ours", {}).get("weights_bytes", 0) > 0:
            found.append(f"{m['name']}: no weights size for ours")
    return found


def main():
    if len(sys.argv) != 3:
        return fail("usage: test_bench.py BUILD OUT_DIR")
    build, out = sys.argv[1], sys.argv[2]
    try:
        import onnx, onnxruntime, torch  # noqa: F401,E401
    except ImportError as e:
        print(f"test_bench: {e}; skipping", file=sys.stderr)
        return SKIP
    json_path = os.path.join(out, "bench.json")
    if os.path.exists(json_path):
        os.remove(json_path)
    cmd = [sys.executable, os.path.join(BENCH_DIR, "bench.py"), "--build-dir", build, "--quick",
           "--models", "mlp_b8", "--threads", *map(str, THREADS), "--out", out]
    rc = subprocess.call(cmd)
    if rc != 0:
        return fail(f"bench.py exited with status {rc}")
    if not os.path.exists(json_path) or not os.path.exists(os.path.join(out, "bench.svg")):
        return fail(f"bench.py wrote no {json_path} or bench.svg")
    with open(json_path) as f:
        found = problems(json.load(f))
    for p in found:
        fail(p)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
