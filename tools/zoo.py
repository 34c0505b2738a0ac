#!/usr/bin/env python3
"""The model zoo: torchvision CNNs, vision transformers and transformer stacks through aotic.

  zoo.py census [--models M ...] [--doc docs/zoo-ops.md] [--list /tmp/zoo_ops.txt]
      export every model (random weights, batch dynamic, sequence dynamic where there is one),
      count the call_function targets as exported and after ep.run_decompositions(), write the
      op table docs/zoo-ops.md and the plain union of targets (one a line) to --list.

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
from zoo_models import ZOO, BY_NAME  # noqa: E402


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
                 f"{', '.join(m.name for m in ZOO)}")
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

def build(model):
    torch.manual_seed(0)
    module = model.build().eval()
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
    command = "tools/zoo.py census"
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
    args = parser.parse_args()
    if args.command == "census":
        return cmd_census(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
