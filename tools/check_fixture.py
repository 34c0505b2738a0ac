"""Check fixtures against their samples with the torch that runs this script.

For every <name>.ep given (or every .ep in a given folder), loads it with torch.export.load,
runs ep.module() on each case's inputs from <name>.samples.npz and requires the outputs to be
bitwise equal to the saved eager outputs (same torch, same CPU kernels: no tolerance).
Run it with the venv of the torch release that wrote the folder, e.g.
  ~/.cache/aoti/venv-torch2.8.0/bin/python tools/check_fixture.py tests/fixtures/torch-2.8
Exit status 0 when every file passes, 1 otherwise.
"""

import argparse
import os
import re
import sys

try:
    import numpy as np
    import torch
except ImportError as e:  # CTest reads exit code 77 as "skipped"
    print(f"skipped: {e} (run tools/install-deps.sh --torch)")
    sys.exit(77)


def cases(samples):
    """{case index: ([inputs in order], [outputs in order])} from the .npz's array names."""
    grouped = {}
    for key in samples.files:
        m = re.fullmatch(r"case(\d+)\.(input|output)(\d+)", key)
        if not m:
            raise ValueError(f"unexpected array name {key!r}")
        case, kind, index = int(m.group(1)), m.group(2), int(m.group(3))
        grouped.setdefault(case, {"input": {}, "output": {}})[kind][index] = samples[key]
    return {case: ([io["input"][i] for i in sorted(io["input"])],
                   [io["output"][j] for j in sorted(io["output"])])
            for case, io in sorted(grouped.items())}


def check(ep_path):
    """List of problems found in one fixture (empty when it passes)."""
    samples_path = ep_path[:-len(".ep")] + ".samples.npz"
    if not os.path.exists(samples_path):
        return [f"{samples_path}: missing"]
    module = torch.export.load(ep_path).module()
    problems = []
    with np.load(samples_path) as samples:
        for case, (inputs, expected) in cases(samples).items():
            with torch.no_grad():
                got = module(*[torch.from_numpy(a) for a in inputs])
            if isinstance(got, torch.Tensor):
                got = (got,)
            if len(got) != len(expected):
                problems.append(f"case{case}: {len(got)} outputs, samples hold {len(expected)}")
                continue
            for j, (g, e) in enumerate(zip(got, expected)):
                g = g.detach().numpy()
                if g.shape != e.shape or g.dtype != e.dtype:
                    problems.append(f"case{case}.output{j}: got {g.dtype}{list(g.shape)}, "
                                    f"expected {e.dtype}{list(e.shape)}")
                elif not np.array_equal(g, e):
                    diff = np.max(np.abs(g.astype(np.float64) - e.astype(np.float64)))
                    problems.append(f"case{case}.output{j}: not bitwise equal (max |diff| {diff:g})")
    return problems


def ep_files(paths):
    for path in paths:
        if os.path.isdir(path):
            yield from sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".ep"))
        else:
            yield path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help=".ep files or folders holding them")
    args = parser.parse_args()
    failed = 0
    for ep_path in ep_files(args.paths):
        try:
            problems = check(ep_path)
        except Exception as e:  # a fixture that does not even load is a failure to report
            problems = [f"{type(e).__name__}: {e}"]
        status = "ok" if not problems else "FAIL"
        print(f"{status:4} {ep_path} (torch {torch.__version__})")
        for problem in problems:
            print(f"     {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
