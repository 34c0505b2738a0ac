"""Side-by-side CPU benchmark: ours (aotic + the C runtime) against AOTInductor, torch.compile,
eager PyTorch and ONNX Runtime, on the same models, at each thread count.

  python bench/bench.py --build-dir BUILD [--models M ...] [--threads 1 2] [--rounds N]
                        [--iters N] [--round-s S] [--quick] [--out DIR] [--docs-svg]
  python bench/bench.py --report DIR/bench.json      (re-render the tables and the chart)

BUILD is this project's CMake build folder (compiler/aotic, bench/aoti_bench, peak_flops,
cold_start).
Per model (bench/bench_models.py): build it (eval, seeded), torch.export it at the bench's static
shapes, save the .ep and the eager outputs (.npz), compile the .ep with aotic (timed), export it
to ONNX (dynamo exporter, else the legacy one). Then per thread count: start every
implementation (bench/bench_impls.py; AOTInductor and torch.compile compile here, timed), check
its outputs against eager's (|d| <= 1e-4 + 1e-4 |eager|; ours is not timed when it fails, a
peer is timed and flagged), and time them in interleaved rounds: each round runs every
implementation once for about --round-s seconds (or --iters calls), starting with a different
one each round; the result is the median over rounds of the mean per call. Then, in fresh
processes at the last thread count: cold start (process start to exit after one run) and peak
resident memory (the child's ru_maxrss) of ours, AOTInductor and ONNX Runtime, median of
--cold-runs. Writes DIR/bench.json, DIR/bench.md (the tables) and DIR/bench.svg (ours / best
peer per model); large files go to BUILD/bench-work/<model>/.

--quick: the small models only (unless --models), 3 rounds of ~0.05 s, one cold run, and
Inductor's caches left on (full runs turn them off so that compile times are cold).
"""

import argparse
import datetime
import gc
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import traceback
import zipfile

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
sys.path.insert(0, BENCH_DIR)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

import bench_impls  # noqa: E402
import bench_models  # noqa: E402
import bench_report  # noqa: E402
from bench_impls import IMPLS, Mismatch  # noqa: E402

TOLERANCE = 1e-4  # absolute and relative, as bench/aoti_bench checks ours
MODEL_NAME = "model"

AOTI_COLD = """
import sys, numpy, torch
torch.set_num_threads(int(sys.argv[3]))
runner = torch._inductor.aoti_load_package(sys.argv[1])
data = numpy.load(sys.argv[2])
inputs = [torch.from_numpy(data[f"case0.input{i}"])
          for i in range(sum(k.startswith("case0.input") for k in data.files))]
with torch.inference_mode():
    runner(*inputs)
"""

ORT_COLD = """
import sys, numpy
sys.path.insert(0, sys.argv[4])
from ort_session import ort_session
session = ort_session(sys.argv[1], int(sys.argv[3]))
data = numpy.load(sys.argv[2])
session.run(None, {i.name: data[f"case0.input{k}"] for k, i in enumerate(session.get_inputs())})
"""

BASELINES = {"import_torch": "import torch", "import_ort": "import numpy, onnxruntime"}


def short_error(exc, limit=400):
    text = " ".join(line.strip() for line in f"{type(exc).__name__}: {exc}".splitlines()
                    if line.strip())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# The machine and the versions
# ---------------------------------------------------------------------------------------------

def cpu_model_name():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or platform.machine()


def git_commit():
    def git(*args):
        return subprocess.run(["git", "-C", REPO_ROOT, *args], capture_output=True,
                              text=True).stdout.strip()
    commit = git("rev-parse", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return commit + ("-dirty" if dirty else "") if commit else "unknown"


def versions():
    import onnxruntime
    v = {"python": platform.python_version(), "torch": torch.__version__,
         "onnxruntime": onnxruntime.__version__, "numpy": np.__version__}
    for name in ("torchvision", "transformers", "onnx", "onnxscript"):
        try:
            v[name] = __import__(name).__version__
        except ImportError:
            v[name] = None
    return v


def peak_flops(tool, threads):
    out = subprocess.run([tool, "--threads", *map(str, threads)], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


# ---------------------------------------------------------------------------------------------
# Preparing one model: export, samples, our package, ONNX
# ---------------------------------------------------------------------------------------------

def as_tuple(outputs):
    return (outputs,) if isinstance(outputs, torch.Tensor) else tuple(outputs)


def compare(got, want):
    """(max abs difference, within tolerance everywhere) of outputs against eager's."""
    if len(got) != len(want):
        return float("inf"), False
    worst, ok = 0.0, True
    for g, w in zip(got, want):
        g, w = np.asarray(g, dtype=np.float64), np.asarray(w, dtype=np.float64)
        if g.shape != w.shape:
            return float("inf"), False
        d = np.abs(g - w)
        worst = max(worst, float(np.nanmax(d)) if d.size else 0.0)
        ok = ok and bool(np.all(d <= TOLERANCE + TOLERANCE * np.abs(w)))
    return worst, ok


def count_flops(ep, inputs):
    """FLOPs of one call (a multiply-add counts 2) from FlopCounterMode on the exported program
    run eagerly: eager's fused fast paths (nn.MultiheadAttention's, TransformerEncoderLayer's)
    are invisible to the counter, the exported graph's plain aten ops are not."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        ep.module()(*inputs)
    return counter.get_total_flops()


def export_onnx(module, ep, inputs, path):
    """{'exporter', 'export_s', 'bytes'} or {'error'}: the dynamo exporter on the same exported
    program, the legacy TorchScript exporter on the module when that fails."""
    record = {}
    start = time.perf_counter()
    try:
        torch.onnx.export(ep, inputs, path, dynamo=True, external_data=False)
        record["exporter"] = "dynamo"
    except Exception as e:  # noqa: BLE001 - torch raises many kinds
        record["dynamo_error"] = short_error(e)
        start = time.perf_counter()
        try:
            torch.onnx.export(module, inputs, path, dynamo=False)
            record["exporter"] = "legacy"
        except Exception as e2:  # noqa: BLE001
            record["error"] = short_error(e2)
            return record
    record["export_s"] = time.perf_counter() - start
    record["bytes"] = os.path.getsize(path)
    return record


def package_facts(path):
    """(weights bytes, arena bytes, target) of our package: the sum of its weight entries'
    sizes, the arena_bytes_max its metadata holds (the memory plan's arena at the largest
    shapes), and the CPU aotic built it for (metadata "target")."""
    weights, metadata = 0, {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            base = os.path.basename(info.filename)
            if base.startswith("weight_"):
                weights += info.file_size
            elif base == f"{MODEL_NAME}_metadata.json":
                metadata = json.loads(z.read(info))
    return weights, int(metadata.get("arena_bytes_max", 0)), metadata.get("target")


def compile_ours(args, ep_path, package):
    """Compiles ep_path twice with a kernel cache private to this model's folder: first empty
    (compile_cold_s: the first model a machine builds, kernels included), then filled
    (compile_s: every later model, as in a project's build tree)."""
    record = {}
    cache = os.path.join(os.path.dirname(package), "kernel-cache")
    shutil.rmtree(cache, ignore_errors=True)
    cmd = [args.aotic, ep_path, "-o", package, "--name", MODEL_NAME, "-q", "--kernel-cache", cache,
           *shlex.split(args.aotic_args)]
    for key in ("compile_cold_s", "compile_s"):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        record[key] = time.perf_counter() - start
        if proc.returncode != 0:
            lines = [l for l in (proc.stderr + proc.stdout).splitlines() if l.strip()]
            record["error"] = (lines[0] if lines else f"aotic exited {proc.returncode}")[:400]
            return record
    record["package_bytes"] = os.path.getsize(package)
    record["weights_bytes"], record["arena_bytes"], record["target"] = package_facts(package)
    return record


class Prepared:
    """One model ready to be timed: module, inputs, eager outputs, files."""

    def __init__(self, spec, args):
        self.spec = spec
        self.workdir = os.path.join(args.work, spec.name)
        os.makedirs(self.workdir, exist_ok=True)
        self.module = spec.build()
        self.inputs = spec.make_inputs()
        with torch.no_grad():
            self.want = [o.detach().numpy() for o in as_tuple(self.module(*self.inputs))]
        start = time.perf_counter()
        self.ep = torch.export.export(self.module, self.inputs)
        self.export_s = time.perf_counter() - start
        self.ep_path = os.path.join(self.workdir, "model.ep")
        with open(self.ep_path, "wb") as f:
            torch.export.save(self.ep, f)
        self.samples = os.path.join(self.workdir, "model.samples.npz")
        arrays = {f"case0.input{i}": x.numpy() for i, x in enumerate(self.inputs)}
        arrays.update({f"case0.output{j}": y for j, y in enumerate(self.want)})
        np.savez(self.samples, **arrays)
        self.package = os.path.join(self.workdir, "ours.pt2")
        self.onnx_path = os.path.join(self.workdir, "model.onnx")

    def implementation(self, key, args):
        if key == "ours":
            return bench_impls.Ours(args.aoti_bench, self.package, self.samples)
        if key == "aoti":
            return bench_impls.AOTInductor(self.ep, self.inputs, self.workdir)
        if key == "compile":
            return bench_impls.TorchCompile(self.module, self.inputs)
        if key == "eager":
            return bench_impls.Eager(self.module, self.inputs)
        return bench_impls.OnnxRuntime(self.onnx_path, self.inputs)


# ---------------------------------------------------------------------------------------------
# Timing at one thread count
# ---------------------------------------------------------------------------------------------

def start_checked(impl, key, threads, prepared):
    """Starts impl; returns its record (status ok / mismatch / failed, max_abs, compile_s)."""
    record = {}
    try:
        impl.start(threads)
    except Mismatch as e:
        return {"status": "mismatch", "max_abs": e.max_abs, "error": str(e)}
    except Exception as e:  # noqa: BLE001 - a peer failing is a result, not a crash
        traceback.print_exc()
        return {"status": "failed", "error": short_error(e)}
    if getattr(impl, "compile_s", None) is not None:
        record["compile_s"] = impl.compile_s
    if key == "ours":
        record.update(status="ok", max_abs=impl.max_abs, load_ms=impl.load_ms)
        return record
    try:
        max_abs, ok = compare(impl.outputs(), prepared.want)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        return {"status": "failed", "error": short_error(e)}
    record.update(status="ok" if ok else "mismatch", max_abs=max_abs)
    return record


def calibrate(impl, round_s, fixed_iters):
    """Calls per round: --iters, or enough for about round_s seconds (after warm-up calls)."""
    seconds = impl.time_calls(1)
    if fixed_iters:
        return fixed_iters
    if seconds < round_s:
        seconds = impl.time_calls(1)
    if seconds * 20 < round_s:
        seconds = impl.time_calls(max(1, int(round_s / 20 / seconds)))
    return max(1, min(200000, round(round_s / seconds)))


def guarded(running, records, key, step):
    """step(running[key]); an implementation that fails or stops matching on the way is taken
    out of the rounds and its record says why."""
    try:
        step(running[key])
    except Mismatch as e:
        records[key].update(status="mismatch", max_abs=e.max_abs, error=str(e))
        running.pop(key).close()
    except Exception as e:  # noqa: BLE001 - one implementation failing must not stop the others
        traceback.print_exc()
        records[key].update(status="failed", error=short_error(e))
        running.pop(key).close()


PARK_S = 0.1  # idle seconds before each timed run of a round (see time_at)


def time_at(prepared, threads, args):
    """{impl: record} at one thread count, every implementation timed in interleaved rounds."""
    torch.set_num_threads(threads)
    records, running = {}, {}
    for key in IMPLS:
        if key == "ours" and "error" in prepared.ours:
            records[key] = {"status": "failed", "error": prepared.ours["error"]}
            continue
        if key == "ort" and "error" in prepared.onnx:
            records[key] = {"status": "failed", "error": prepared.onnx["error"]}
            continue
        impl = prepared.implementation(key, args)
        log(f"{prepared.spec.name}, {threads} thread(s): starting {key}")
        records[key] = start_checked(impl, key, threads, prepared)
        if records[key]["status"] == "ok" or (key != "ours" and records[key]["status"] == "mismatch"):
            running[key] = impl
    for key in list(running):
        records[key]["rounds_s"] = []
        guarded(running, records, key, lambda impl: records[key].update(
            iters=calibrate(impl, args.round_s, args.iters)))
    for r in range(args.rounds):
        order = list(running)
        for key in order[r % len(order):] + order[:r % len(order)]:
            # Idle first, so the previous implementation's worker threads (OpenMP's and ONNX
            # Runtime's spin after their work for a while) have parked and leave the cores free.
            time.sleep(PARK_S)
            guarded(running, records, key, lambda impl: records[key]["rounds_s"].append(
                impl.time_calls(records[key]["iters"])))
    for key, impl in running.items():
        records[key]["median_s"] = statistics.median(records[key]["rounds_s"])
        records[key]["min_s"] = min(records[key]["rounds_s"])
        if key == "ours":
            records[key]["serve_maxrss_kb"] = impl.maxrss_kb
        if key == "aoti":
            prepared.aoti_package = impl.package
        impl.close()
    torch._dynamo.reset()
    gc.collect()
    return records


# ---------------------------------------------------------------------------------------------
# Fresh processes: cold start and peak memory
# ---------------------------------------------------------------------------------------------

def run_child(launcher, cmd):
    """{'seconds' from process start to its exit, its 'maxrss_kb', exit 'status'} as
    bench/cold_start measures them (forked from a small process, so the peak is the child's),
    plus the child's 'output' lines and 'stderr'."""
    proc = subprocess.run([launcher, *cmd], capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"status": proc.returncode or 1, "output": lines, "stderr": proc.stderr}
    return dict(json.loads(lines[-1]), output=lines[:-1], stderr=proc.stderr)


def median_child(launcher, cmd, runs):
    """Median over `runs` fresh processes; the largest peak RSS; for aoti_bench, which prints
    its load and first-run times, their medians too."""
    record = {"runs_s": [], "maxrss_kb": 0}
    inner = {"load_ms": [], "first_run_ms": []}
    for _ in range(runs):
        child = run_child(launcher, cmd)
        if child["status"] != 0:
            lines = [l for l in child["stderr"].splitlines() if l.strip()]
            return {"error": (lines[-1] if lines else f"exit status {child['status']}")[:400]}
        record["runs_s"].append(child["seconds"])
        record["maxrss_kb"] = max(record["maxrss_kb"], child["maxrss_kb"])
        if child["output"] and child["output"][0].startswith("{"):
            said = json.loads(child["output"][0])
            for key in inner:
                inner[key].append(said[key])
    record["median_s"] = statistics.median(record["runs_s"])
    record.update({key: statistics.median(v) for key, v in inner.items() if v})
    return record


def cold_start(prepared, threads, args):
    """Fresh processes at `threads`: load, run once on the bench inputs, exit."""
    record = {"threads": threads}
    if "error" not in prepared.ours:
        record["ours"] = median_child(args.cold_start, [
            args.aoti_bench, "--package", prepared.package, "--model", MODEL_NAME, "--samples",
            prepared.samples, "--threads", str(threads)], args.cold_runs)
    if prepared.aoti_package:
        record["aoti"] = median_child(args.cold_start, [
            sys.executable, "-c", AOTI_COLD, prepared.aoti_package, prepared.samples,
            str(threads)], args.cold_runs)
    if "error" not in prepared.onnx:
        record["ort"] = median_child(args.cold_start, [
            sys.executable, "-c", ORT_COLD, prepared.onnx_path, prepared.samples, str(threads),
            BENCH_DIR], args.cold_runs)
    return record


def baselines(args):
    return {key: dict(median_child(args.cold_start, [sys.executable, "-c", code], args.cold_runs),
                      what=f"python -c '{code}'")
            for key, code in BASELINES.items()}


# ---------------------------------------------------------------------------------------------
# One model, start to end
# ---------------------------------------------------------------------------------------------

def bench_model(spec, args):
    record = {"name": spec.name, "note": spec.note, "heavy": spec.heavy}
    log(f"{spec.name}: build, export, samples")
    prepared = Prepared(spec, args)
    record["inputs"] = [list(x.shape) for x in prepared.inputs]
    record["export_s"] = prepared.export_s
    record["flops"] = count_flops(prepared.ep, prepared.inputs)
    log(f"{spec.name}: aotic")
    prepared.ours = record["ours"] = compile_ours(args, prepared.ep_path, prepared.package)
    log(f"{spec.name}: ONNX export")
    prepared.onnx = record["onnx"] = export_onnx(prepared.module, prepared.ep, prepared.inputs,
                                                 prepared.onnx_path)
    prepared.aoti_package = None
    record["threads"] = {}
    record["loadavg_1min"] = {}
    for threads in args.threads:
        record["threads"][str(threads)] = time_at(prepared, threads, args)
        record["loadavg_1min"][str(threads)] = os.getloadavg()[0]  # others share the machine
        summary = ", ".join(f"{k} {v['median_s'] * 1e3:.4g} ms" if v.get("median_s") is not None
                            else f"{k} {v['status']}" for k, v in record["threads"][str(threads)].items())
        log(f"{spec.name}, {threads} thread(s): {summary}")
    if prepared.aoti_package:
        record["aoti_package_bytes"] = os.path.getsize(prepared.aoti_package)
    log(f"{spec.name}: cold starts")
    record["cold"] = cold_start(prepared, args.threads[-1], args)
    return record


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

def write_outputs(results, out_dir, docs_svg=False, show=False):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "bench.json"), "w") as f:
        json.dump(results, f, indent=1)
    table = bench_report.markdown(results)
    with open(os.path.join(out_dir, "bench.md"), "w") as f:
        f.write(table)
    svg_path = os.path.join(out_dir, "bench.svg")
    with open(svg_path, "w") as f:
        f.write(bench_report.svg_chart(results))
    if docs_svg:
        shutil.copyfile(svg_path, os.path.join(REPO_ROOT, "docs", "bench.svg"))
    if show:
        print(table)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__)
    parser.add_argument("--build-dir", help="this project's CMake build folder")
    parser.add_argument("--models", nargs="+", help="model names or families (default: all; "
                        f"known: {', '.join(m.name for m in bench_models.MODELS)})")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 7, quick 3)")
    parser.add_argument("--iters", type=int, help="calls per round (default: ~--round-s worth)")
    parser.add_argument("--round-s", type=float, help="seconds per implementation per round "
                        "(default 0.2, quick 0.05)")
    parser.add_argument("--cold-runs", type=int, help="fresh processes per cold-start "
                        "measurement (default 3, quick 1)")
    parser.add_argument("--aotic-args", default="", help="extra aotic options, e.g. "
                        "\"--target generic\" (default: none, aotic's defaults)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=os.path.join(BENCH_DIR, "out"))
    parser.add_argument("--docs-svg", action="store_true", help="also copy the chart to "
                        "docs/bench.svg")
    parser.add_argument("--report", metavar="JSON", help="only re-render a results JSON")
    args = parser.parse_args()
    if args.report:
        return args
    if not args.build_dir:
        parser.error("--build-dir is required")
    args.rounds = args.rounds or (3 if args.quick else 7)
    args.round_s = args.round_s or (0.05 if args.quick else 0.2)
    args.cold_runs = args.cold_runs or (1 if args.quick else 3)
    build = os.path.abspath(args.build_dir)
    args.aotic = os.path.join(build, "compiler", "aotic")
    args.aoti_bench = os.path.join(build, "bench", "aoti_bench")
    args.peak_flops = os.path.join(build, "bench", "peak_flops")
    args.cold_start = os.path.join(build, "bench", "cold_start")
    for tool in (args.aotic, args.aoti_bench, args.peak_flops, args.cold_start):
        if not os.access(tool, os.X_OK):
            parser.error(f"{tool} is not built (cmake --build {args.build_dir} --target aotic "
                         "aoti_bench peak_flops cold_start)")
    args.work = os.path.join(build, "bench-work")
    try:
        args.specs = bench_models.pick(args.models, args.quick)
    except ValueError as e:
        parser.error(str(e))
    return args


def main():
    args = parse_args()
    if args.report:
        with open(args.report) as f:
            results = json.load(f)
        write_outputs(results, os.path.dirname(os.path.abspath(args.report)), show=True)
        return 0
    # Full runs report cold compile times; --quick keeps the caches for speed.
    torch._inductor.config.force_disable_caches = not args.quick
    results = {
        "command": " ".join(shlex.quote(a) for a in sys.argv),
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "machine": {"cpu": cpu_model_name(), "logical_cpus": os.cpu_count(),
                    "system": f"{platform.system()} {platform.release()}"},
        "git_commit": git_commit(), "versions": versions(), "threads": args.threads,
        "rounds": args.rounds, "round_s": args.round_s, "iters": args.iters,
        "cold_runs": args.cold_runs, "quick": args.quick,
        "inductor_caches": "enabled" if args.quick else "disabled",
        "aotic_args": args.aotic_args, "tolerance": {"rtol": TOLERANCE, "atol": TOLERANCE},
    }
    log("peak FLOP rate")
    results["peak_flops"] = peak_flops(args.peak_flops, args.threads)
    one = next((r["gflops"] for r in results["peak_flops"]["results"] if r["threads"] == 1), None)
    one = one or peak_flops(args.peak_flops, [1])["results"][0]["gflops"]
    results["peak_gflops"] = {str(t): t * one for t in args.threads}
    log("baseline processes")
    results["baselines"] = baselines(args)
    results["models"] = []
    for spec in args.specs:
        try:
            results["models"].append(bench_model(spec, args))
        except Exception as e:  # noqa: BLE001 - one model's crash must not lose the others
            traceback.print_exc()
            results["models"].append({"name": spec.name, "note": spec.note, "error": short_error(e),
                                      "ours": {"error": "bench error"}, "threads": {}})
        write_outputs(results, args.out)  # partial results survive an interruption
    write_outputs(results, args.out, args.docs_svg, show=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
