"""The implementations bench/bench.py compares, behind one interface.

Each implementation is started for one thread count (`start`: compile or load what that count
needs; raises on failure), gives its outputs on the bench inputs once (`outputs`, for the check
against eager), then times `time_calls(n)`: the mean seconds per call over n back-to-back calls.

  ours     bench/aoti_bench --serve: one long-lived process per (model, threads), driven round by
           round over a pipe; it checks its own outputs against the saved eager ones
  aoti     AOTInductor: torch._inductor.aoti_compile_and_package(ep, freezing on), loaded with
           aoti_load_package; compiled once per thread count: Inductor bakes the OpenMP thread
           count into the generated code (torch/_inductor/codegen/cpp.py writes
           `#pragma omp parallel num_threads(N)`, N = torch.get_num_threads() at compile time,
           torch/_inductor/utils.py parallel_num_threads, unless config cpp.dynamic_threads)
  compile  torch.compile(module), default mode, compiled (first call) per thread count
  eager    the module itself
  ort      ONNX Runtime on the model's ONNX export, a session per thread count
           (bench/ort_session.py: intra-op threads = threads, inter-op 1, all graph optimizations)
The torch peers run under torch.inference_mode with torch.set_num_threads(threads).
"""

import json
import os
import subprocess
import time

import numpy as np
import torch

from ort_session import ort_session

IMPLS = ["ours", "aoti", "compile", "eager", "ort"]
LABELS = {"ours": "ours", "aoti": "AOTInductor", "compile": "torch.compile", "eager": "eager",
          "ort": "ONNX Runtime"}


class Mismatch(Exception):
    """Outputs that differ from eager's: the implementation is not timed."""

    def __init__(self, max_abs):
        super().__init__(f"outputs differ from eager (max abs {max_abs:.3g})")
        self.max_abs = max_abs


def as_arrays(outputs):
    if isinstance(outputs, torch.Tensor):
        outputs = (outputs,)
    return [o.detach().numpy() if isinstance(o, torch.Tensor) else np.asarray(o) for o in outputs]


class TorchCallable:
    """A peer that is a Python callable on torch tensors."""

    def __init__(self, inputs):
        self.inputs = inputs
        self.fn = None

    def outputs(self):
        with torch.inference_mode():
            return as_arrays(self.fn(*self.inputs))

    def time_calls(self, n):
        fn, inputs = self.fn, self.inputs
        with torch.inference_mode():
            start = time.perf_counter()
            for _ in range(n):
                fn(*inputs)
            return (time.perf_counter() - start) / n

    def close(self):
        self.fn = None


class Eager(TorchCallable):
    def __init__(self, module, inputs):
        super().__init__(inputs)
        self.module = module

    def start(self, threads):
        self.fn = self.module


class TorchCompile(TorchCallable):
    """torch.compile's first call compiles; its time is recorded as compile_s."""

    def __init__(self, module, inputs):
        super().__init__(inputs)
        self.module = module
        self.compile_s = None

    def start(self, threads):
        torch._dynamo.reset()
        self.fn = torch.compile(self.module)
        start = time.perf_counter()
        with torch.inference_mode():
            self.fn(*self.inputs)
        self.compile_s = time.perf_counter() - start


class AOTInductor(TorchCallable):
    """Compiles ep into <workdir>/aoti_t<threads>.pt2 (timed: compile_s) and loads it."""

    def __init__(self, ep, inputs, workdir):
        super().__init__(inputs)
        self.ep, self.workdir = ep, workdir
        self.compile_s = self.package = None

    def start(self, threads):
        self.package = os.path.join(self.workdir, f"aoti_t{threads}.pt2")
        start = time.perf_counter()
        torch._inductor.aoti_compile_and_package(self.ep, package_path=self.package,
                                                 inductor_configs={"freezing": True})
        self.compile_s = time.perf_counter() - start
        self.fn = torch._inductor.aoti_load_package(self.package)


class OnnxRuntime:
    def __init__(self, onnx_path, inputs):
        self.onnx_path = onnx_path
        self.arrays = [x.numpy() for x in inputs]
        self.session = self.feeds = None

    def start(self, threads):
        self.session = ort_session(self.onnx_path, threads)
        names = [i.name for i in self.session.get_inputs()]
        self.feeds = dict(zip(names, self.arrays))

    def outputs(self):
        return self.session.run(None, self.feeds)

    def time_calls(self, n):
        run, feeds = self.session.run, self.feeds
        start = time.perf_counter()
        for _ in range(n):
            run(None, feeds)
        return (time.perf_counter() - start) / n

    def close(self):
        self.session = None


class Ours:
    """bench/aoti_bench --serve on our package; it checks its outputs itself (max_abs)."""

    def __init__(self, aoti_bench, package, samples):
        self.cmd = [aoti_bench, "--package", package, "--model", "model", "--samples", samples]
        self.proc = None
        self.max_abs = self.load_ms = self.maxrss_kb = None

    def start(self, threads):
        self.proc = subprocess.Popen(self.cmd + ["--threads", str(threads), "--serve"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        first = self._answer()
        self.max_abs, self.load_ms = first["max_abs"], first["load_ms"]
        if not first["match"]:
            self.close()
            raise Mismatch(first["max_abs"])

    def _answer(self):
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read().strip()
            self.proc.wait()
            raise RuntimeError(err.splitlines()[-1] if err else
                               f"aoti_bench exited with status {self.proc.returncode}")
        return json.loads(line)

    def outputs(self):
        return None  # checked inside aoti_bench

    def time_calls(self, n):
        self.proc.stdin.write(f"{n}\n")
        self.proc.stdin.flush()
        answer = self._answer()
        if answer.get("match") is False:  # aoti_bench checks every round's outputs
            self.close()
            raise Mismatch(answer["max_abs"])
        self.maxrss_kb = answer["maxrss_kb"]
        return answer["mean_us"] / 1e6

    def close(self):
        if self.proc:
            self.proc.stdin.close()
            self.proc.wait()
            self.proc.stdout.close()
            self.proc.stderr.close()
            self.proc = None
