"""Time the AOTInductor tutorial MLP on the CPU: PyTorch eager, AOTInductor, and ours.

For each batch size (default 8 and 1024) it times, in interleaved rounds (every
implementation once per round, so drift in machine load hits all of them alike):
  eager       the nn.Module under torch.no_grad()
  aoti        torch._inductor.aoti_compile_and_package(ep, inductor_configs={"freezing": True})
              loaded with torch._inductor.aoti_load_package (its compile time is reported too)
  ours        `aotic` compiles the same exported program (saved with torch.export.save; its
              compile time is reported too) and bench/aoti_bench times the package
Each round runs --iters calls and records the mean per call; the reported time is the median
over --rounds rounds. Ratios are ours / peer (below 1: ours is faster). Every implementation's
outputs are checked against eager before anything is timed. Results go to <out>/bench_mlp.json
and a Markdown table on stdout (and <out>/bench_mlp.md).

Usage: python bench/bench_mlp.py --build-dir BUILD [--out DIR] [--batches 8 1024] [--rounds 15]
                                 [--iters 200]
BUILD is a CMake build folder of this project (it holds compiler/aotic and bench/aoti_bench).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "examples", "aoti_example"))
from model import Model  # noqa: E402  (the tutorial model, one definition for example and bench)

MODEL_NAME = "model"


def export_model():
    torch.manual_seed(0)
    model = Model().eval()
    batch = torch.export.Dim("batch", min=1, max=1024)
    ep = torch.export.export(model, (torch.randn(8, 10),), dynamic_shapes={"x": {0: batch}})
    return model, ep


def compile_aoti(ep, workdir):
    """(callable, compile seconds) for AOTInductor's CPU build of ep."""
    package_path = os.path.join(workdir, "aoti_inductor.pt2")
    start = time.perf_counter()
    torch._inductor.aoti_compile_and_package(ep, package_path=package_path,
                                             inductor_configs={"freezing": True})
    compile_s = time.perf_counter() - start
    return torch._inductor.aoti_load_package(package_path), compile_s


def write_samples(path, model, batches):
    """Inputs/outputs in the project's .samples.npz layout, one case per batch size."""
    generator = torch.Generator().manual_seed(1234)
    arrays = {}
    with torch.no_grad():
        for case, batch in enumerate(batches):
            x = torch.randn(batch, 10, generator=generator)
            arrays[f"case{case}.input0"] = x.numpy()
            arrays[f"case{case}.output0"] = model(x).numpy()
    np.savez(path, **arrays)
    return arrays


def time_python(fn, x, iters):
    """Mean microseconds per call over iters calls (after one warm-up call)."""
    with torch.no_grad():
        fn(x)
        start = time.perf_counter_ns()
        for _ in range(iters):
            fn(x)
        return (time.perf_counter_ns() - start) / iters / 1e3


def compile_ours(aotic, ep, workdir):
    """(package path, compile seconds) for aotic's build of ep, saved as torch.export.save does."""
    ep_path = os.path.join(workdir, "model.ep")
    package = os.path.join(workdir, "ours.pt2")
    torch.export.save(ep, ep_path)
    start = time.perf_counter()
    subprocess.run([aotic, ep_path, "--name", MODEL_NAME, "-o", package, "-q"], check=True)
    return package, time.perf_counter() - start


def time_ours(aoti_bench, package, samples, case, iters):
    """Mean microseconds per call over iters calls, timed inside bench/aoti_bench, which also
    refuses to time outputs that differ from the saved eager ones."""
    result = subprocess.run(
        [aoti_bench, "--package", package, "--model", MODEL_NAME, "--samples", samples,
         "--case", str(case), "--iters", str(iters), "--warmup", "1"],
        check=True, capture_output=True, text=True)
    return float(json.loads(result.stdout)["mean_us"])


def check_aoti_matches_eager(aoti_fn, arrays, batches):
    """AOTInductor may reassociate, so compare with a tolerance, and fail loudly if it is off."""
    for case, _ in enumerate(batches):
        x = torch.from_numpy(arrays[f"case{case}.input0"])
        with torch.no_grad():
            got = aoti_fn(x)
        got = got[0] if isinstance(got, (list, tuple)) else got
        np.testing.assert_allclose(got.numpy(), arrays[f"case{case}.output0"], rtol=1e-5, atol=1e-6)


def markdown_table(results):
    lines = ["| batch | eager (us) | AOTInductor (us) | ours (us) | ours / eager | ours / AOTInductor |",
             "|---|---|---|---|---|---|"]
    for r in results["batches"]:
        t = r["median_us"]
        lines.append(f"| {r['batch']} | {t['eager']:.2f} | {t['aoti']:.2f} | {t['ours']:.2f} | "
                     f"{t['ours'] / t['eager']:.2f} | {t['ours'] / t['aoti']:.2f} |")
    lines.append("")
    lines.append(f"Compile time: AOTInductor {results['aoti_compile_s']:.2f} s, "
                 f"aotic {results['ours_compile_s']:.2f} s "
                 f"(ratio {results['ours_compile_s'] / results['aoti_compile_s']:.3f}).")
    lines.append(f"torch {results['torch']} with {results['threads']} threads; ours single-threaded; "
                 f"{results['machine']}; median of {results['rounds']} rounds of {results['iters']} calls.")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "bench", "results"))
    parser.add_argument("--batches", type=int, nargs="+", default=[8, 1024])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--build-dir", required=True,
                        help="this project's CMake build folder (compiler/aotic, bench/aoti_bench)")
    args = parser.parse_args()
    aotic = os.path.join(args.build_dir, "compiler", "aotic")
    aoti_bench = os.path.join(args.build_dir, "bench", "aoti_bench")
    for exe in (aotic, aoti_bench):
        if not os.access(exe, os.X_OK):
            parser.error(f"{exe} is not built (cmake --build {args.build_dir})")
    os.makedirs(args.out, exist_ok=True)

    model, ep = export_model()
    samples = os.path.join(args.out, "bench_mlp.samples.npz")
    arrays = write_samples(samples, model, args.batches)
    with tempfile.TemporaryDirectory() as workdir:
        aoti_fn, aoti_compile_s = compile_aoti(ep, workdir)
        check_aoti_matches_eager(aoti_fn, arrays, args.batches)
        package, ours_compile_s = compile_ours(aotic, ep, workdir)

        per_round = {b: {"eager": [], "aoti": [], "ours": []} for b in args.batches}
        for _ in range(args.rounds):
            for case, batch in enumerate(args.batches):
                x = torch.from_numpy(arrays[f"case{case}.input0"])
                per_round[batch]["eager"].append(time_python(model, x, args.iters))
                per_round[batch]["aoti"].append(time_python(aoti_fn, x, args.iters))
                per_round[batch]["ours"].append(
                    time_ours(aoti_bench, package, samples, case, args.iters))

    results = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "rounds": args.rounds,
        "iters": args.iters,
        "aoti_compile_s": aoti_compile_s,
        "ours_compile_s": ours_compile_s,
        "batches": [{"batch": b,
                     "median_us": {impl: statistics.median(times)
                                   for impl, times in per_round[b].items() if times},
                     "rounds_us": {impl: times for impl, times in per_round[b].items() if times}}
                    for b in args.batches],
    }
    with open(os.path.join(args.out, "bench_mlp.json"), "w") as f:
        json.dump(results, f, indent=2)
    table = markdown_table(results)
    with open(os.path.join(args.out, "bench_mlp.md"), "w") as f:
        f.write(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
