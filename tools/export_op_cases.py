"""Export the per-op test cases: small programs, one op (or a few) each, written by real
torch.export with PyTorch eager's outputs beside them, for tests/ops (CTest label "ops").

For every case of tools/op_cases/<family>.py it writes, into tests/fixtures/ops/<family>/:
  <case>.ep           torch.export.save of the exported program
  <case>.samples.npz  inputs and eager outputs, one case<k> per input set (see docs/formats.md)
  <case>.tol          "rtol atol": the tolerance this case is compared with
and, for a case with core=True, the same again as <case>_core.* after run_decompositions()
(core ATen), so both forms a saved program comes in are tested.

Usage (from the repository root, with the venv of tools/install-deps.sh --torch):
  ~/.cache/aoti/venv/bin/python tools/export_op_cases.py [FAMILY ...] [--out DIR] [--only CASE ...]
Deterministic: each case seeds torch before building its module and inputs.
"""

import argparse
import dataclasses
import importlib
import os
import shutil
import sys
from typing import Any, Callable, Optional

import numpy as np
import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAMILIES = ("pointwise", "conv", "shape", "nn", "fusion")


@dataclasses.dataclass
class Case:
    """One op test. `make` builds (module, [input tuple per sample case]) after seeding; the first
    input tuple is the export example. `dynamic_shapes` is passed to torch.export.export."""
    name: str
    make: Callable[[], Any]
    dynamic_shapes: Optional[Any] = None
    rtol: float = 1e-5
    atol: float = 1e-5
    core: bool = False


def export_case(case, out_dir):
    torch.manual_seed(0)
    module, input_sets = case.make()
    module = module.eval()
    with torch.no_grad():
        ep = torch.export.export(module, input_sets[0], dynamic_shapes=case.dynamic_shapes)
        programs = [(case.name, ep)]
        if case.core:
            programs.append((case.name + "_core", ep.run_decompositions()))
        arrays = {}
        for k, inputs in enumerate(input_sets):
            outputs = module(*inputs)
            if isinstance(outputs, torch.Tensor):
                outputs = (outputs,)
            for i, x in enumerate(inputs):
                arrays[f"case{k}.input{i}"] = x.numpy()
            for j, y in enumerate(outputs):
                arrays[f"case{k}.output{j}"] = y.numpy()
    for name, program in programs:
        stem = os.path.join(out_dir, name)
        torch.export.save(program, stem + ".ep")
        np.savez(stem + ".samples.npz", **arrays)
        with open(stem + ".tol", "w") as f:
            f.write(f"{case.rtol!r} {case.atol!r}\n")
        ops = sorted({str(n.target) for n in program.graph.nodes if n.op == "call_function"})
        print(f"{name}: {', '.join(ops)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("families", nargs="*", default=list(FAMILIES))
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "tests", "fixtures", "ops"))
    parser.add_argument("--only", nargs="*", help="export only these case names")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(REPO_ROOT, "tools"))
    for family in args.families:
        cases = importlib.import_module(f"op_cases.{family}").cases(Case)
        out_dir = os.path.join(args.out, family)
        if not args.only and os.path.isdir(out_dir):
            shutil.rmtree(out_dir)  # a removed case leaves no stale files
        os.makedirs(out_dir, exist_ok=True)
        for case in cases:
            if not args.only or case.name in args.only:
                export_case(case, out_dir)


if __name__ == "__main__":
    main()
