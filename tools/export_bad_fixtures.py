"""Export the fixtures aotic must refuse or compile with a warning, with the torch that runs it.

Writes into --out (default tests/fixtures/bad/ of this repository; kept out of the torch-<ver>
folders because tests/models compiles every .ep there):
  unsupported_ops.ep  Linear layers around lgamma (two nodes), i0 (two nodes) and sort (one
                      node): ops outside the compiler's table; batch dynamic 1..1024
  mutation.ep         Linear->ReLU that also counts its calls and sums its inputs into two
                      registered buffers (`calls`, `total`), functionalized so the program has
                      two buffer_mutation output specs; batch dynamic 1..1024
  mutation.samples.npz  inputs and eager's user output (cases batch 8 then batch 1), in the
                      layout tools/export_fixtures.py writes. The returned value does not read
                      the buffers, so it is what an inference build that drops the updates gives.

It prints every graph's call_function targets and its output specs, and fails when a file does
not show what it is for (no unsupported op, or no buffer mutation).
Usage: ~/.cache/aoti/venv/bin/python tools/export_bad_fixtures.py [--out DIR]
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from export_fixtures import (FIXTURES_DIR, HIDDEN, IN_FEATURES, describe_container, disallowed,
                             export, op_targets, sample_arrays, seeded)


class UnsupportedOps(torch.nn.Module):
    """Supported linear layers mixed with lgamma and i0 (each used twice) and sort: ops no zoo
    model needs, so they stay outside the table."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(IN_FEATURES, HIDDEN)
        self.fc2 = torch.nn.Linear(HIDDEN, HIDDEN)
        self.fc3 = torch.nn.Linear(HIDDEN, HIDDEN)

    def forward(self, x):
        h1 = torch.lgamma(self.fc1(x))
        h2 = torch.lgamma(self.fc2(torch.sort(h1, dim=-1).values))
        return torch.i0(h2) + torch.i0(self.fc3(h1))


class Mutation(torch.nn.Module):
    """Linear->ReLU whose forward also updates two buffers; the result reads neither."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(IN_FEATURES, HIDDEN)
        self.register_buffer("calls", torch.zeros(1, dtype=torch.int64))
        self.register_buffer("total", torch.zeros(IN_FEATURES))

    def forward(self, x):
        self.calls.add_(1)
        self.total.add_(x.sum(0))
        return F.relu(self.fc(x))


def output_kinds(ep):
    return [spec.kind.name for spec in ep.graph_signature.output_specs]


def mutated_buffers(ep):
    return list(ep.graph_signature.buffers_to_mutate.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(FIXTURES_DIR, "bad"),
                        help="output folder (default tests/fixtures/bad)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print(f"torch {torch.__version__} -> {args.out}")

    unsupported_ep = export(seeded(UnsupportedOps), 8, dynamic=True)
    # Samples are taken from a fresh copy: export may trace the module, and the saved state must
    # be the one the sample inputs start from (the output reads no buffer, so this is belt and
    # braces for the inputs' generator only).
    # torch.export.export of 2.15 keeps add_ in place with no output spec for it;
    # run_decompositions with an empty table functionalizes the graph (add_ -> add plus a
    # buffer_mutation output spec) and leaves every op as it is (linear stays linear).
    mutation_ep = export(seeded(Mutation), 8, dynamic=True).run_decompositions({})
    mutation_samples = sample_arrays(seeded(Mutation), (8, 1), seed=2000)

    failures = []
    for name, ep in (("unsupported_ops", unsupported_ep), ("mutation", mutation_ep)):
        path = os.path.join(args.out, f"{name}.ep")
        torch.export.save(ep, path)
        targets = op_targets(ep)
        layout, schema = describe_container(path)
        print(f"  {name}.ep  [{layout}, schema {schema}, {os.path.getsize(path)} B]")
        print(f"    ops: {', '.join(targets)}")
        print(f"    outputs: {', '.join(output_kinds(ep))}; mutated buffers: {mutated_buffers(ep)}")
        if name == "unsupported_ops" and len(disallowed(targets)) < 2:
            failures.append(f"{name}.ep: fewer than two ops outside the table")
        if name == "mutation" and not mutated_buffers(ep):
            failures.append(f"{name}.ep: no buffer mutation")
    np.savez(os.path.join(args.out, "mutation.samples.npz"), **mutation_samples)

    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
