#!/usr/bin/env python3
"""The model zoo: torchvision CNNs, vision transformers and transformer stacks through aotic.

  zoo.py census [--models M ...] [--doc docs/zoo-ops.md] [--list /tmp/zoo_ops.txt]
      export every model (random weights, batch dynamic, sequence dynamic where there is one),
      count the call_function targets as exported and after ep.run_decompositions(), write the
      op table docs/zoo-ops.md and the plain union of targets (one a line) to --list.

  zoo.py list
      the model names, one a line (tests/zoo/CMakeLists.txt adds one CTest per name).

  zoo.py run [--models M ...] [--out DIR] [--aotic PATH] [--aoti-run PATH] [--check]
             [--doc docs/zoo.md]
      per model: export to OUT/<model>.ep, eager samples to OUT/<model>.samples.npz (two cases),
      aotic OUT/<model>.ep -o OUT/<model>.pt2 --name <model>, aoti-run on the samples; write the
      results table docs/zoo.md (only when every zoo model ran, or with --doc given explicitly).
      --check: exit 1 when a model that torch can export fails to compile or to match.

The models are listed in tools/zoo_models.py. Exit status 77 (CTest's skip) when torch, or a
package a requested model needs (torchvision, transformers), cannot be imported.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import traceback

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP = 77
RTOL = ATOL = 1e-4

try:
    import numpy as np
    import torch
except ImportError as e:  # CTest: skipped, not failed
    print(f"zoo.py: cannot import torch/numpy ({e}); skipping", file=sys.stderr)
    sys.exit(SKIP)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo_models  # noqa: E402
from zoo_models import BY_NAME, OUTSIDE, ZOO  # noqa: E402


def rel(path):
    return os.path.relpath(path, REPO_ROOT)


def can_import(name):
    if name is None:
        return True
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def pick_models(names):
    if not names:
        return list(ZOO)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        sys.exit(f"zoo.py: unknown model(s) {', '.join(unknown)}; known: "
                 f"{', '.join(BY_NAME)}")
    return [BY_NAME[n] for n in names]


def first_line(text, limit=300):
    for line in str(text).splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[:limit - 3] + "..."
    return ""


def short_error(exc, limit=600):
    """torch's message, first lines, without the long trailing advice."""
    text = f"{type(exc).__name__}: {exc}"
    lines = [l.rstrip() for l in text.splitlines() if l.strip()]
    out = " ".join(lines[:4])
    return out if len(out) <= limit else out[:limit - 3] + "..."


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------

NORMS = (torch.nn.modules.batchnorm._BatchNorm, torch.nn.LayerNorm, torch.nn.GroupNorm)


def build(model):
    """The model with seeded random weights that make every op count: the initializers leave
    norm layers at weight 1 / bias 0 / running stats 0 and 1, and some parameters at zero
    (vit_b_16's head: its output would be all zeros), which would hide a kernel ignoring them;
    and with identity batch norms the depthwise CNNs' activations vanish (mobilenet_v2's logits
    ~1e-9, efficientnet_b0's ~1e-14, far below atol). So: norm affine parameters random around
    1 and 0, all-zero parameters small random, batch-norm running stats calibrated on two
    random batches (train-mode forwards), then eval()."""
    torch.manual_seed(0)
    module = model.build()
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, NORMS) and getattr(m, "weight", None) is not None:
                m.weight.uniform_(0.5, 1.5)
                if m.bias is not None:
                    m.bias.normal_(0.0, 0.1)
        for p in module.parameters():
            if p.is_floating_point() and p.numel() > 0 and not bool(p.any()):
                p.normal_(0.0, 0.02)
    bns = [m for m in module.modules()
           if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    if bns:
        momenta = [bn.momentum for bn in bns]
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the calibration batches
        module.train()
        with torch.no_grad():
            for k in range(2):
                module(*make_inputs(model, 4, None, seed=50 + k))
        for bn, momentum in zip(bns, momenta):
            bn.momentum = momentum
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    return module


def make_inputs(model, batch, seq, seed):
    gen = torch.Generator().manual_seed(seed)
    return model.inputs(batch, seq, gen)


def export(model, module):
    """torch.export.export with batch (and seq) dynamic; returns (ep, None) or (None, message)."""
    batch = torch.export.Dim("batch", min=1, max=zoo_models.BATCH_MAX)
    seq = torch.export.Dim("seq", min=2, max=zoo_models.SEQ_MAX)
    args = make_inputs(model, zoo_models.EXPORT_BATCH,
                       zoo_models.EXPORT_SEQ if model.has_seq else None, seed=1)
    try:
        ep = torch.export.export(module, args, dynamic_shapes=model.dynamic(batch, seq))
        return ep, None
    except Exception as e:  # noqa: BLE001 - torch raises many kinds
        return None, short_error(e)


def target_name(target):
    """The string torch.export.save writes for a call_function target."""
    if isinstance(target, torch._ops.OpOverload):
        return f"torch.ops.{target}"
    if isinstance(target, torch._ops.HigherOrderOperator):
        return f"torch.ops.higher_order.{target.__name__}"
    module = getattr(target, "__module__", None) or "?"
    return f"{module}.{getattr(target, '__name__', str(target))}"


def count_targets(ep):
    counts = {}
    for node in ep.graph.nodes:
        if node.op != "call_function":
            continue
        name = target_name(node.target)
        if name == "_operator.getitem":  # the serializer folds these into multi-output nodes
            continue
        counts[name] = counts.get(name, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------
# census
# ---------------------------------------------------------------------------------------------

def census_one(model):
    entry = {"model": model.name, "note": model.note}
    if not can_import(model.needs):
        entry["status"] = f"skipped: cannot import {model.needs}"
        return entry
    t0 = time.time()
    module = build(model)
    ep, err = export(model, module)
    entry["export_s"] = round(time.time() - t0, 1)
    if ep is None:
        entry["status"] = "export failed"
        entry["error"] = err
        return entry
    entry["status"] = "ok"
    entry["exported"] = count_targets(ep)
    t0 = time.time()
    try:
        core = ep.run_decompositions()
        entry["decomposed"] = count_targets(core)
    except Exception as e:  # noqa: BLE001
        entry["decompose_error"] = short_error(e)
        config = getattr(getattr(module, "model", None), "config", None)
        if getattr(config, "_attn_implementation", None) not in (None, "eager"):
            # transformers model: census the core form with the eager attention instead
            config._attn_implementation = "eager"
            ep2, err2 = export(model, module)
            try:
                entry["decomposed"] = count_targets(ep2.run_decompositions())
                entry["decompose_error"] += ("; the core-ATen census of this model uses "
                                             "attn_implementation=eager instead")
            except Exception as e2:  # noqa: BLE001
                entry["decompose_error"] += f"; with eager attention too: {short_error(e2)}"
    entry["decompose_s"] = round(time.time() - t0, 1)
    attn = getattr(module, "attn_implementation", None)
    if attn:
        entry["note"] += f"; attn_implementation={attn}"
    return entry


def op_table(results, key):
    usage = {}
    for r in results:
        for target, n in r.get(key, {}).items():
            u = usage.setdefault(target, {"nodes": 0, "models": []})
            u["nodes"] += n
            u["models"].append(r["model"])
    rows = sorted(usage.items(), key=lambda kv: (-len(kv[1]["models"]), -kv[1]["nodes"], kv[0]))
    lines = ["| op target | nodes | models | used by |", "|---|---:|---:|---|"]
    for target, u in rows:
        lines.append(f"| `{target}` | {u['nodes']} | {len(u['models'])} | "
                     f"{', '.join(u['models'])} |")
    return lines, usage


def family(target):
    """'torch.ops.aten.conv2d.default' -> 'aten.conv2d'."""
    t = target[len("torch.ops."):] if target.startswith("torch.ops.") else target
    parts = t.split(".")
    return ".".join(parts[:2]) if len(parts) >= 3 else t


def versions():
    v = {"python": platform.python_version(), "torch": torch.__version__}
    for name in ("torchvision", "transformers"):
        try:
            v[name] = __import__(name).__version__
        except ImportError:
            v[name] = "not installed"
    return v


def write_census_doc(results, doc_path, list_path, command):
    v = versions()
    out = ["# Zoo op census", "",
           f"Generated by `{command}` (tools/zoo.py, models in tools/zoo_models.py); do not edit.",
           "",
           f"torch {v['torch']}, torchvision {v['torchvision']}, transformers {v['transformers']}, "
           f"Python {v['python']}; {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} "
           "UTC.", "",
           "Random weights; batch dynamic (`Dim(\"batch\", min=1, max=32)`), sequence dynamic "
           "(`Dim(\"seq\", min=2, max=128)`) for the sequence models; traced at batch 2 (224x224 "
           "images, sequence 16). Targets are spelled as `torch.export.save` writes them; "
           "`_operator.getitem` is left out (the serializer folds it into multi-output nodes).", "",
           "## Models", "",
           "| model | export | export s | decompose s | targets (exported) | nodes (exported) | "
           "targets (core) | nodes (core) | notes |",
           "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        exp, core = r.get("exported", {}), r.get("decomposed", {})
        status = r["status"]
        notes = r.get("note", "")
        if "error" in r:
            notes = f"{notes}; **{r['error']}**" if notes else f"**{r['error']}**"
        if "decompose_error" in r:
            notes += f"; run_decompositions failed: {r['decompose_error']}"
        out.append(f"| {r['model']} | {status} | {r.get('export_s', '')} | "
                   f"{r.get('decompose_s', '')} | {len(exp) if exp else ''} | "
                   f"{sum(exp.values()) if exp else ''} | {len(core) if core else ''} | "
                   f"{sum(core.values()) if core else ''} | {notes.replace('|', '/')} |")
    all_targets = set()
    for key, title in (("exported", "As exported (`torch.export.export`)"),
                       ("decomposed", "After `ep.run_decompositions()` (core ATen)")):
        lines, usage = op_table(results, key)
        all_targets |= set(usage)
        fams = {}
        for target, u in usage.items():
            fams[family(target)] = fams.get(family(target), 0) + u["nodes"]
        out += ["", f"## {title}", "",
                f"{len(usage)} distinct targets, {sum(u['nodes'] for u in usage.values())} nodes. "
                "Sorted by the number of models using the target, then nodes.", ""] + lines
    os.makedirs(os.path.dirname(os.path.abspath(doc_path)), exist_ok=True)
    with open(doc_path, "w") as f:
        f.write("\n".join(out) + "\n")
    if list_path:
        with open(list_path, "w") as f:
            f.write("\n".join(sorted(all_targets)) + "\n")


def cmd_census(args):
    models = pick_models(args.models)
    cache = {}
    if args.cache and os.path.exists(args.cache):
        with open(args.cache) as f:
            cache = {r["model"]: r for r in json.load(f)}
    results = []
    command = "~/.cache/aoti/venv/bin/python tools/zoo.py census"
    for model in models:
        if model.name in cache and not args.fresh:
            results.append(cache[model.name])
            continue
        print(f"[census] {model.name} ...", flush=True)
        try:
            entry = census_one(model)
        except Exception as e:  # noqa: BLE001 - building failed
            traceback.print_exc()
            entry = {"model": model.name, "status": "build failed", "error": short_error(e)}
        print(f"[census] {model.name}: {entry['status']} "
              f"(export {entry.get('export_s')} s, decompose {entry.get('decompose_s')} s)"
              + (f": {entry['error']}" if "error" in entry else ""), flush=True)
        results.append(entry)
        cache[model.name] = entry
        if args.cache:
            with open(args.cache, "w") as f:
                json.dump(list(cache.values()), f, indent=1)
        write_census_doc(results, args.doc, args.list, command)
    write_census_doc(results, args.doc, args.list, command)
    return 0


# ---------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------

CASE_LINE = re.compile(r"^case (\d+) output (\d+): max abs error (\S+), max rel error (\S+): "
                       r"(pass|FAIL)$")
CASE_PROBLEM = re.compile(r"^case (\d+) output (\d+): (.*): FAIL$")


def as_tuple(out):
    if isinstance(out, torch.Tensor):
        return (out,)
    return tuple(out)


def max_diff(a, b):
    a, b = a.detach().double(), b.detach().double()
    if a.shape != b.shape:
        return float("inf")
    if a.numel() == 0:
        return 0.0
    d = (a - b).abs()
    d[torch.isnan(a) & torch.isnan(b)] = 0
    return float(torch.nan_to_num(d, nan=float("inf")).max())


def write_samples(model, module, ep, path):
    """Eager outputs under no_grad for each case; returns the cases' descriptions and the largest
    difference between eager and the exported program (ep.module()) over all outputs."""
    arrays, described, ep_diff = {}, [], 0.0
    ep_module = ep.module()
    for k, (batch, seq) in enumerate(model.cases):
        inputs = make_inputs(model, batch, seq, seed=100 + k)
        with torch.no_grad():
            outs = as_tuple(module(*inputs))
            ep_outs = as_tuple(ep_module(*inputs))
        for i, x in enumerate(inputs):
            arrays[f"case{k}.input{i}"] = x.numpy()
        for j, y in enumerate(outs):
            arrays[f"case{k}.output{j}"] = y.detach().contiguous().numpy()
            ep_diff = max(ep_diff, max_diff(y, ep_outs[j]) if j < len(ep_outs) else float("inf"))
        described.append(f"batch {batch}" + (f", seq {seq}" if seq is not None else ""))
    np.savez(path, **arrays)
    return described, ep_diff


def fp64_error(model, module):
    """How far eager float32 is from eager float64 on the last case (max abs, and the worst
    |err| / (atol + rtol |want|)): the scale of the rounding differences any float32
    implementation, aotic's included, can be expected to show. Turns module to float64."""
    inputs = make_inputs(model, *model.cases[-1], seed=100 + len(model.cases) - 1)
    with torch.no_grad():
        want32 = as_tuple(module(*inputs))
        module.double()
        want64 = as_tuple(module(*(x.double() if x.is_floating_point() else x for x in inputs)))
    worst_abs = worst_ratio = 0.0
    for a, b in zip(want32, want64):
        if not a.is_floating_point():
            continue
        d = (a.double() - b).abs()
        worst_abs = max(worst_abs, float(d.max()))
        worst_ratio = max(worst_ratio, float((d / (ATOL + RTOL * b.abs())).max()))
    return worst_abs, worst_ratio


def run_tool(cmd, timeout):
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.time() - t0
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out, f"timed out after {timeout} s", time.time() - t0


def tool_error(stderr, stdout=""):
    """The first line that says what went wrong, shortened: aotic's 'aotic: error: FILE: '
    prefix and the '(nodes: ...)' lists of its unsupported-ops report left out."""
    lines = [l.strip() for l in (stderr + "\n" + stdout).splitlines() if l.strip()]
    line = next((l for l in lines if "error" in l.lower() or "fail" in l.lower()),
                lines[0] if lines else "(no message)")
    line = re.sub(r"^aotic: error: \S+?: ", "", line)
    line = re.sub(r" \(nodes: [^)]*\)", "", line)
    return first_line(line, limit=800)


def parse_aoti_run(stdout, num_cases):
    """{case: [(max_abs, max_rel, passed, problem) per output]}."""
    cases = {k: [] for k in range(num_cases)}
    for line in stdout.splitlines():
        m = CASE_LINE.match(line.strip())
        if m:
            cases.setdefault(int(m[1]), []).append((float(m[3]), float(m[4]), m[5] == "pass", None))
            continue
        m = CASE_PROBLEM.match(line.strip())
        if m:
            cases.setdefault(int(m[1]), []).append((None, None, False, m[3]))
    return cases


def run_one(model, args):
    r = {"model": model.name, "note": model.note, "export": "", "compile": "", "match": "",
         "ok": False, "counts": True}
    if not can_import(model.needs):
        r.update(export=f"skipped: cannot import {model.needs}", counts=False, skipped=True)
        return r
    stem = os.path.join(args.out, model.name)
    ep_path, samples_path, pt2_path = stem + ".ep", stem + ".samples.npz", stem + ".pt2"
    for path in (ep_path, samples_path, pt2_path):
        if os.path.exists(path):
            os.remove(path)
    t0 = time.time()
    module = build(model)
    ep, err = export(model, module)
    r["export_s"] = round(time.time() - t0, 1)
    if ep is None:
        # torch's own limitation: reported, not counted against aotic
        r.update(export="torch cannot export", error=err, counts=False)
        return r
    with open(ep_path, "wb") as f:  # a file object: no warning about the .ep suffix
        torch.export.save(ep, f)
    r["cases"], r["ep_vs_eager"] = write_samples(model, module, ep, samples_path)
    r["export"] = "ok"
    attn = getattr(module, "attn_implementation", None)
    if attn:
        r["note"] += f"; attn_implementation={attn}"
    r["fp64_abs"], r["fp64_tol_ratio"] = fp64_error(model, module)
    del module, ep

    cmd = [args.aotic, ep_path, "-o", pt2_path, "--name", model.name]
    rc, out, errtext, secs = run_tool(cmd, args.timeout)
    r["compile_s"] = round(secs, 1)
    if rc != 0:
        r.update(compile="fail", error=tool_error(errtext, out))
        return r
    r["compile"] = "ok"
    r["size_mb"] = round(os.path.getsize(pt2_path) / 1e6, 2)

    cmd = [args.aoti_run, pt2_path, "--samples", samples_path, "--rtol", str(RTOL),
           "--atol", str(ATOL)]
    rc, out, errtext, secs = run_tool(cmd, args.timeout)
    r["run_s"] = round(secs, 1)
    cases = parse_aoti_run(out, len(model.cases))
    r["errors"] = []
    for k in range(len(model.cases)):
        outs = cases.get(k, [])
        if not outs or any(a is None for a, _, _, _ in outs):
            r["errors"].append(None)
        else:
            r["errors"].append((max(a for a, _, _, _ in outs), max(b for _, b, _, _ in outs)))
    if rc == 0:
        r.update(match="pass", ok=True)
    else:
        problems = [p for outs in cases.values() for _, _, _, p in outs if p]
        if rc == 1 and not problems:
            r["match"] = "mismatch"
        else:
            r["match"] = "fail"
            r["error"] = tool_error(errtext, out) if errtext.strip() else first_line(problems[0])
    return r


def fmt_err(e):
    if e is None:
        return "—"
    return f"{e[0]:.2g} / {e[1]:.2g}"


def write_run_doc(results, doc_path, command):
    v = versions()
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [l.split(":", 1)[1].strip() for l in f if l.startswith("model name")]
        if names:
            cpu = f"{names[0]}, {len(names)} logical CPUs"
    except OSError:
        pass
    out = ["# Model zoo", "",
           "Regenerate with:", "", "```sh",
           command, "```", "",
           "torchvision's CNNs and vision transformers, torch.nn's TransformerEncoder and "
           "transformers' GPT-2 and BERT, with random weights, exported by `torch.export` with "
           "the batch dynamic (1..32) and the sequence dynamic (2..128) where there is one, "
           "compiled by `aotic` and run by `aoti-run` against eager PyTorch "
           f"(rtol {RTOL:g}, atol {ATOL:g}). Models and their inputs: tools/zoo_models.py; "
           "op census: [zoo-ops.md](zoo-ops.md).", "",
           f"Generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on "
           f"{platform.system()} {platform.machine()} ({cpu}); torch {v['torch']}, "
           f"torchvision {v['torchvision']}, transformers {v['transformers']}, "
           f"Python {v['python']}.", "",
           "Errors are max abs / max rel over the case's outputs; case 0 is batch 1, case 1 a "
           "larger batch (the sequence models change the sequence length too).", "",
           "The last column but one is eager float32 against eager float64 on case 1 (max abs, "
           "and in parentheses the worst error as a fraction of the tolerance): the rounding "
           "noise any float32 implementation can be expected to show.", "",
           "| model | export | compile | compile s | package MB | case 0 | error case 0 | "
           "case 1 | error case 1 | torch fp32 vs fp64 | result |",
           "|---|---|---|---:|---:|---|---|---|---|---|---|"]
    notes = []
    for r in results:
        errors = r.get("errors") or [None, None]
        cases = r.get("cases") or ["", ""]
        fp64 = (f"{r['fp64_abs']:.2g} ({r['fp64_tol_ratio']:.2g})" if "fp64_abs" in r
                else "—")
        if r.get("skipped"):
            result = "skipped"
        elif not r["counts"]:
            result = "n/a (torch)"
        else:
            result = "**pass**" if r["ok"] else "FAIL"
        out.append(f"| {r['model']} | {r['export']} | {r['compile'] or '—'} | "
                   f"{r.get('compile_s', '—')} | {r.get('size_mb', '—')} | {cases[0]} | "
                   f"{fmt_err(errors[0])} | {cases[1] if len(cases) > 1 else ''} | "
                   f"{fmt_err(errors[1] if len(errors) > 1 else None)} | {fp64} | {result} |")
        if r.get("error"):
            stage = ("export" if r["export"] != "ok" else
                     "aotic" if r["compile"] != "ok" else "aoti-run")
            notes.append(f"- **{r['model']}** ({stage}): `{r['error'].replace('`', '')}`")
        if r.get("ep_vs_eager", 0) > 1e-5:
            notes.append(f"- **{r['model']}**: the exported program differs from eager by "
                         f"{r['ep_vs_eager']:.2g} (max abs) on the sample inputs")
    passed = sum(1 for r in results if r["ok"])
    counted = sum(1 for r in results if r["counts"])
    out += ["", f"{passed} of {counted} exportable models compile and match.", ""]
    if notes:
        out += ["## Failures and notes", ""] + notes + [""]
    out += ["## Models", ""]
    out += [f"- **{r['model']}**: {r['note']}" for r in results if r.get("note")]
    out += ["- the torchvision models: `torchvision.models.<name>(weights=None)`, 224x224 images",
            "- weights: seeded random, then norm layers' weight/bias drawn from U(0.5, 1.5) / "
            "N(0, 0.1), all-zero parameters (vit_b_16's head, biases) from N(0, 0.02), batch-norm "
            "running statistics calibrated on two random batches, so that no op is an identity "
            "and every output is O(1) (tools/zoo.py `build`)",
            ""]
    with open(doc_path, "w") as f:
        f.write("\n".join(out))


def find_tool(given, names):
    if given:
        return os.path.abspath(given)
    for build_dir in ("build-zoo", "build"):
        for sub in names:
            path = os.path.join(REPO_ROOT, build_dir, sub)
            if os.path.exists(path):
                return path
    return shutil.which(os.path.basename(names[-1])) or names[-1]


def cmd_run(args):
    models = pick_models(args.models)
    if all(not can_import(m.needs) for m in models):
        print(f"zoo.py: cannot import {', '.join(sorted({m.needs for m in models}))}; skipping",
              file=sys.stderr)
        return SKIP
    args.aotic = find_tool(args.aotic, ["compiler/aotic", "aotic"])
    args.aoti_run = find_tool(args.aoti_run, ["runtime/aoti-run", "aoti-run"])
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(args.threads)
    results = []
    for model in models:
        print(f"[zoo] {model.name} ...", flush=True)
        try:
            r = run_one(model, args)
        except Exception as e:  # noqa: BLE001 - a bug here, or torch failing past export
            traceback.print_exc()
            r = {"model": model.name, "note": model.note, "export": "zoo.py error",
                 "compile": "", "match": "", "ok": False, "counts": True, "error": short_error(e)}
        with open(os.path.join(args.out, model.name + ".result.json"), "w") as f:
            json.dump(r, f, indent=1)
        results.append(r)
        print(f"[zoo] {model.name}: export {r['export']}, compile {r['compile'] or '-'} "
              f"({r.get('compile_s', '-')} s, {r.get('size_mb', '-')} MB), match "
              f"{r['match'] or '-'} {[fmt_err(e) for e in r.get('errors') or []]}"
              + (f": {r['error']}" if r.get("error") else ""), flush=True)
    doc = args.doc or (os.path.join(REPO_ROOT, "docs", "zoo.md") if not args.models else None)
    if doc:
        write_run_doc(results, doc, "cmake -S . -B build-zoo && cmake --build build-zoo -j2 "
                      "--target aotic aoti_run\n~/.cache/aoti/venv/bin/python tools/zoo.py run "
                      "--out build-zoo/zoo --aotic build-zoo/compiler/aotic "
                      "--aoti-run build-zoo/runtime/aoti-run")
        print(f"[zoo] wrote {rel(doc) if doc.startswith(REPO_ROOT) else doc}")
    failed = [r["model"] for r in results if r["counts"] and not r["ok"]]
    if failed:
        print(f"[zoo] failed: {' '.join(failed)}")
    return 1 if (args.check and failed) else 0


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("census", help="op census of the zoo")
    c.add_argument("--models", nargs="+")
    c.add_argument("--doc", default=os.path.join(REPO_ROOT, "docs", "zoo-ops.md"))
    c.add_argument("--list", default="/tmp/zoo_ops.txt")
    c.add_argument("--cache", default=None, help="JSON of per-model results to reuse")
    c.add_argument("--fresh", action="store_true", help="ignore the cache")
    r = sub.add_parser("run", help="export, compile, run and compare the zoo")
    r.add_argument("--models", nargs="+")
    r.add_argument("--out", default=os.path.join(REPO_ROOT, "build-zoo", "zoo"))
    r.add_argument("--aotic", help="the aotic to use (default: build-zoo/ or build/, else PATH)")
    r.add_argument("--aoti-run", dest="aoti_run", help="the aoti-run to use")
    r.add_argument("--check", action="store_true",
                   help="exit 1 when an exportable model fails to compile or to match")
    r.add_argument("--doc", help="results table to write (default docs/zoo.md when no --models)")
    r.add_argument("--timeout", type=int, default=840, help="seconds per aotic/aoti-run call")
    r.add_argument("--threads", type=int, default=2, help="torch threads (export, eager)")
    ls = sub.add_parser("list", help="print the zoo's model names, one a line")
    ls.add_argument("--outside", action="store_true",
                    help="print the models outside the zoo instead (same layers, not fitted to)")
    args = parser.parse_args()
    if args.command == "list":
        print("\n".join(m.name for m in (OUTSIDE if args.outside else ZOO)))
        return 0
    if args.command == "census":
        return cmd_census(args)
    if args.command == "run":
        return cmd_run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
