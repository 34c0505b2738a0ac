"""Export the torch.export test fixtures with whatever torch runs this script.

Writes into --out (default tests/fixtures/torch-<major.minor>/ of this repository):
  mlp.ep       tutorial MLP Linear(10,16)->ReLU->Linear(16,1)->Sigmoid, batch dynamic 1..1024,
               as torch.export.export leaves it
  mlp_core.ep  the same after ep.run_decompositions() (core ATen)
  buffers.ep   persistent buffer, non-persistent buffer, lifted tensor constant; batch dynamic
  strided.ep   non-contiguous parameter view, two buffers viewing one storage at offsets; batch dynamic
  static.ep    the MLP with every size static (batch 4)
and beside each <name>.samples.npz: arrays case<k>.input<i> / case<k>.output<j> computed by eager
(cases: batch 8 then batch 1 for dynamic programs, batch 2 instead of 1 where the file declares
min 2 (torch 2.2); batch 4 for static.ep).

It then prints the call_function targets of every graph, fails if one falls outside the
compiler's first op table (ALLOWED_OPS), and updates the folder's row in
tests/fixtures/README.md (container layout and schema version read back from the written file).

Works with torch 2.2 ... 2.15; the API differences it copes with are commented where they occur.
Usage: python tools/export_fixtures.py [--out DIR] [--no-readme]
"""

import argparse
import json
import os
import re
import sys
import zipfile

import numpy as np
import torch
import torch.nn.functional as F

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES_DIR = os.path.join(REPO_ROOT, "tests", "fixtures")
README_PATH = os.path.join(FIXTURES_DIR, "README.md")

# ATen overload packets the compiler's first op table covers (any overload of each packet).
ALLOWED_OPS = {
    "linear", "addmm", "mm", "t", "permute", "transpose", "view", "reshape", "_unsafe_view",
    "relu", "sigmoid", "clone", "expand", "unsqueeze", "squeeze", "flatten", "alias", "detach",
}
# Ops allowed only with one overload (add.Scalar etc. are not in the table).
ALLOWED_OVERLOADS = {"add.Tensor", "sub.Tensor", "mul.Tensor", "div.Tensor"}

DYNAMIC_BATCHES = (8, 1)  # the small case is raised to the declared minimum (2 under torch 2.2)
STATIC_BATCH = 4
IN_FEATURES = 10
HIDDEN = 16


class MLP(torch.nn.Module):
    """The AOTInductor tutorial model."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(IN_FEATURES, HIDDEN)
        self.relu = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(HIDDEN, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.fc2(self.relu(self.fc1(x))))


class Buffers(torch.nn.Module):
    """Every kind of non-parameter state: persistent buffer (in the state dict), non-persistent
    buffer (not in the state dict, still a graph input) and a plain tensor attribute that
    torch.export lifts to a tensor constant."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(IN_FEATURES, HIDDEN)
        self.register_buffer("buf", torch.randn(HIDDEN))
        self.register_buffer("scale", torch.rand(HIDDEN) + 0.5, persistent=False)
        self.const_tensor = torch.randn(HIDDEN)

    def forward(self, x):
        return F.relu(self.fc(x) + self.buf) * self.scale + self.const_tensor


class Strided(torch.nn.Module):
    """State whose memory is not one contiguous tensor per name: a transposed parameter
    (strides (1, 16)) and two buffers that share one storage at offsets 0 and 16."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(IN_FEATURES, HIDDEN).t())
        base = torch.randn(40)
        self.register_buffer("a", base[0:HIDDEN])
        self.register_buffer("b", base[HIDDEN:2 * HIDDEN])

    def forward(self, x):
        return F.linear(x, self.weight) + self.a + self.b


def seeded(cls, seed=0):
    torch.manual_seed(seed)
    return cls().eval()


def batch_dim():
    # torch.export.Dim exists from torch 2.1 on; min=1 keeps batch 1 inside the range.
    return torch.export.Dim("batch", min=1, max=1024)


def export(model, batch, dynamic):
    example = (torch.randn(batch, IN_FEATURES),)
    # dynamic_shapes keyed by forward()'s argument name: accepted from 2.1 on. strict= is left
    # at each version's default (True before 2.9-ish, False after) so the file is what a user of
    # that release gets from plain torch.export.export.
    dynamic_shapes = {"x": {0: batch_dim()}} if dynamic else None
    return torch.export.export(model, example, dynamic_shapes=dynamic_shapes)


def decompose(ep):
    # run_decompositions(): decomp_table=None means the core ATen table in every release
    # (2.2: core_aten_decompositions(); 2.5+: default_decompositions()); its later keyword
    # arguments differ, so pass none.
    return ep.run_decompositions()


def sample_arrays(model, batches, seed):
    generator = torch.Generator().manual_seed(seed)
    arrays = {}
    with torch.no_grad():
        for case, batch in enumerate(batches):
            x = torch.randn(batch, IN_FEATURES, generator=generator)
            outputs = model(x)
            if isinstance(outputs, torch.Tensor):
                outputs = (outputs,)
            arrays[f"case{case}.input0"] = x.numpy()
            for j, y in enumerate(outputs):
                arrays[f"case{case}.output{j}"] = np.ascontiguousarray(y.numpy())
    return arrays


def declared_batches(ep):
    """DYNAMIC_BATCHES kept inside the program's declared batch range, so every sample case is
    one a runtime that enforces range_constraints must accept. torch 2.2 writes min 2 for
    Dim(min=1) (it specializes sizes 0 and 1), so its small case is batch 2."""
    (batch_range,) = ep.range_constraints.values()
    return tuple(max(b, int(batch_range.lower)) for b in DYNAMIC_BATCHES)


def fixture_programs():
    """(name, model, exported program, sample batches) for every fixture."""
    mlp = seeded(MLP)
    mlp_ep = export(mlp, 8, dynamic=True)
    buffers = seeded(Buffers)
    strided = seeded(Strided)
    dynamic = [
        ("mlp", mlp, mlp_ep),
        ("mlp_core", mlp, decompose(mlp_ep)),
        ("buffers", buffers, export(buffers, 8, dynamic=True)),
        ("strided", strided, export(strided, 8, dynamic=True)),
    ]
    return ([(name, model, ep, declared_batches(ep)) for name, model, ep in dynamic] +
            [("static", mlp, export(mlp, STATIC_BATCH, dynamic=False), (STATIC_BATCH,))])


def op_targets(ep):
    return sorted({str(n.target) for n in ep.graph.nodes if n.op == "call_function"})


def disallowed(targets):
    bad = []
    for target in targets:
        # str(torch.ops.aten.add.Tensor) == "aten.add.Tensor"
        parts = target.split(".")
        if len(parts) < 2 or parts[0] != "aten":
            bad.append(target)
            continue
        packet, overload = parts[1], ".".join(parts[2:])
        if packet in ALLOWED_OPS or f"{packet}.{overload}" in ALLOWED_OVERLOADS:
            continue
        bad.append(target)
    return bad


def describe_container(ep_path):
    """(layout, schema version) read back from a file written by torch.export.save."""
    with zipfile.ZipFile(ep_path) as z:
        names = z.namelist()

        def find(suffix):
            return next((n for n in names if n == suffix or n.endswith("/" + suffix)), None)

        if find("archive_format"):
            model_json = next(n for n in names if re.search(r"(^|/)models/[^/]+\.json$", n))
            schema = json.loads(z.read(model_json))["schema_version"]
            if any(re.search(r"(^|/)data/weights/weight_\d+$", n) for n in names):
                layout = "PT2 raw"
            else:
                layout = "PT2 pickled"
            return layout, f"{schema['major']}.{schema['minor']}"
        if find("serialized_state_dict.json"):
            layout = "legacy zip .json names"
        else:
            layout = "legacy zip .pt"
        version = z.read(find("version")).decode().strip()
        return layout, version


def regenerate_command(args):
    python = sys.executable.replace(os.path.expanduser("~"), "~", 1)
    command = [python, "tools/export_fixtures.py"]
    if args.out_given:
        command += ["--out", os.path.relpath(args.out, REPO_ROOT)]
    return " ".join(command)


README_HEADER = """# torch.export fixtures

Files written by real PyTorch releases with `tools/export_fixtures.py`, one folder per release,
run from the repository root. Each `<name>.ep` has a `<name>.samples.npz` beside it (inputs and
PyTorch eager outputs; see tools/export_fixtures.py for the modules). `tools/check_fixture.py`
reloads each file with the torch that wrote it and compares `ep.module()` against the samples.
The venvs are made by `tools/setup-torch-envs.sh` (the main venv `~/.cache/aoti/venv` by the
install script).

Bad input, in `tests/fixtures/bad/` (kept out of the `torch-<version>` folders, whose every
`.ep` tests/models compiles): `unsupported_ops.ep` (lgamma, i0 and sort beside linear:
ops outside the compiler's table) and `mutation.ep` + `mutation.samples.npz` (a forward() that
updates two buffers, functionalized so the program has `buffer_mutation` output specs; the
samples hold eager's user output, which reads no buffer). Written by torch 2.15 with
`~/.cache/aoti/venv/bin/python tools/export_bad_fixtures.py` (see that file for the modules).

Layouts: *legacy zip* = Python zipfile with `serialized_exported_program.json`,
`serialized_state_dict.*`, `serialized_constants.*`, `version` (weights as nested torch.save;
entry names end in `.json` up to 2.2, `.pt` later). *PT2* = PyTorchStreamWriter archive
`<stem>/archive_format` ... with `models/model.json`; *pickled* = weights in
`data/weights/model.pt`, *raw* = `data/weights/weight_<i>` + `model_weights_config.json`.
Schema version: the legacy `version` entry, or `schema_version` {major, minor} of the PT2 JSON.

Differences between the releases that a reader must handle (seen in these files):
- 2.2 (strict export through dynamo): the graph is already decomposed (`t` + `addmm`, and
  `t` + `mm` + `add` for a bias-less `F.linear`); unions are written with every member present
  and all but one `null`; `storage_offset` is a plain int; `expr_str` is a bare name (`"s0"`);
  buffer specs have no `persistent` key; input names are `arg0_1`, `l_x_`. The lifted tensor
  constant becomes a *buffer* named `L__self___const_tensor`, and the non-persistent buffer
  sits in the state dict; `serialized_constants.json` is empty. The batch range is written as
  `min_val: 2` although the Dim says `min=1`, so the small sample case there is batch 2
  (`ep.module()` of 2.2 would accept batch 1, but it is outside the declared range).
- 2.6 and later: `linear` stays in `mlp.ep` (decomposed to `permute` + `addmm` in `mlp_core.ep`),
  non-persistent buffers and tensor constants are read from the constants payload, and input
  specs say `tensor_constant` / `persistent: false`. `expr_str` is a sympy srepr such as
  `"Symbol('s77', positive=True, integer=True)"`.
- `strided.ep`: buffers `a` and `b` share one 40-float storage. Up to 2.8 the JSON tensor meta
  gives `storage_offset` 0 for both and the real offset (16 for `b`) is only in the pickled
  weights; 2.15 writes one raw `weight_<i>` (160 B) named by both entries of
  `model_weights_config.json`, with `storage_offset` 16 for `b`. The parameter `weight` is stored
  with strides (1, 16).

| folder | torch | container layout | schema version | regenerate (from the repository root) |
|---|---|---|---|---|
"""


def update_readme(folder, row):
    rows = {}
    if os.path.exists(README_PATH):
        with open(README_PATH) as f:
            for line in f:
                m = re.match(r"\| (torch-[^ ]+) \|", line)
                if m:
                    rows[m.group(1)] = line.rstrip("\n")
    rows[folder] = row

    def version_key(name):
        return [int(p) if p.isdigit() else p for p in re.split(r"[.-]", name)]

    with open(README_PATH, "w") as f:
        f.write(README_HEADER)
        for name in sorted(rows, key=version_key):
            f.write(rows[name] + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="output folder (default tests/fixtures/torch-<major.minor>)")
    parser.add_argument("--no-readme", action="store_true", help="leave tests/fixtures/README.md")
    args = parser.parse_args()
    major_minor = ".".join(torch.__version__.split("+")[0].split(".")[:2])
    args.out_given = args.out is not None
    args.out = os.path.abspath(args.out or os.path.join(FIXTURES_DIR, f"torch-{major_minor}"))
    os.makedirs(args.out, exist_ok=True)

    print(f"torch {torch.__version__} -> {args.out}")
    failures = []
    for seed, (name, model, ep, batches) in enumerate(fixture_programs()):
        ep_path = os.path.join(args.out, f"{name}.ep")
        torch.export.save(ep, ep_path)
        np.savez(os.path.join(args.out, f"{name}.samples.npz"),
                 **sample_arrays(model, batches, seed=1000 + seed))
        targets = op_targets(ep)
        layout, schema = describe_container(ep_path)
        print(f"  {name}.ep  [{layout}, schema {schema}, {os.path.getsize(ep_path)} B, "
              f"sample batches {list(batches)}]  ops: {', '.join(targets)}")
        bad = disallowed(targets)
        if bad:
            failures.append(f"{name}.ep: ops outside the table: {', '.join(bad)}")

    if not args.no_readme and os.path.dirname(args.out) == FIXTURES_DIR:
        folder = os.path.basename(args.out)
        layout, schema = describe_container(os.path.join(args.out, "mlp.ep"))
        version = torch.__version__.split("+")[0]
        update_readme(folder, f"| {folder} | {version} | {layout} | {schema} | "
                              f"`{regenerate_command(args)}` |")
        print(f"updated {README_PATH}")

    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
