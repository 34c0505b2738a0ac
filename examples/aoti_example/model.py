"""Export the AOTInductor tutorial model for the aoti_example.

Writes, into --out (default: this script's folder):
  model.ep           torch.export.save of the exported program (batch dynamic 1..1024)
  model.samples.npz  sample inputs and eager outputs, arrays case<k>.input<i> /
                     case<k>.output<j>: case0 batch 8 and case1 batch 1 on the inputs
                     inference.c uses, case2 batch 1024 on random inputs
  model.expected.txt what inference.c must print: eager's outputs for case0 and case1

The model is the one from the PyTorch AOTInductor tutorial
(https://pytorch.org/docs/stable/torch.compiler_aot_inductor.html).
Deterministic: weights come from torch.manual_seed(0), random sample inputs from
a separately seeded generator, so two runs write the same arrays.

Usage: python model.py [--out DIR]
"""

import argparse
import os

import numpy as np
import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(10, 16)
        self.relu = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(16, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        x = self.fc1(x)
        x = self.relu(x)
        x = self.fc2(x)
        x = self.sigmoid(x)
        return x


EXAMPLE_RUNS = (("first", 8), ("second", 1))  # what inference.c runs, in order


def example_input(batch):
    """inference.c's fill_input: x[i] = ((i mod 17) - 8) / 8, exact in float32."""
    i = torch.arange(batch * 10, dtype=torch.int64)
    return (((i % 17) - 8).to(torch.float32) / 8.0).reshape(batch, 10)


def sample_inputs():
    generator = torch.Generator().manual_seed(1234)
    inputs = [example_input(batch) for _, batch in EXAMPLE_RUNS]
    inputs.append(torch.randn(1024, 10, generator=generator))
    return inputs


def sample_arrays(model, inputs):
    """Inputs and eager outputs, keyed as the .npz expects."""
    arrays = {}
    with torch.no_grad():
        for case, x in enumerate(inputs):
            arrays[f"case{case}.input0"] = x.numpy()
            arrays[f"case{case}.output0"] = model(x).numpy()
    return arrays


def expected_text(arrays):
    """The lines inference.c prints, with eager's values."""
    lines = []
    for case, (which, batch) in enumerate(EXAMPLE_RUNS):
        lines.append(f"Result from the {which} inference (batch {batch}):")
        lines.extend(f"{v:.6f}" for v in arrays[f"case{case}.output0"].reshape(-1))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                        help="folder for model.ep and model.samples.npz")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    torch.manual_seed(0)
    model = Model().eval()
    example_inputs = (torch.randn(8, 10),)
    batch = torch.export.Dim("batch", min=1, max=1024)
    ep = torch.export.export(model, example_inputs, dynamic_shapes={"x": {0: batch}})

    ep_path = os.path.join(args.out, "model.ep")
    npz_path = os.path.join(args.out, "model.samples.npz")
    txt_path = os.path.join(args.out, "model.expected.txt")
    torch.export.save(ep, ep_path)
    arrays = sample_arrays(model, sample_inputs())
    np.savez(npz_path, **arrays)
    with open(txt_path, "w") as f:
        f.write(expected_text(arrays))
    print(f"wrote {ep_path}, {npz_path} and {txt_path} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
