"""Export the AOTInductor tutorial model for the aoti_example.

Writes, into --out (default: this script's folder):
  model.ep           torch.export.save of the exported program (batch dynamic 1..1024)
  model.samples.npz  sample inputs and eager outputs, arrays case<k>.input<i> /
                     case<k>.output<j> (case0: batch 8, case1: batch 1)

The model is the one from the PyTorch AOTInductor tutorial
(https://pytorch.org/docs/stable/torch.compiler_aot_inductor.html).
Deterministic: weights come from torch.manual_seed(0), sample inputs from a
separately seeded generator, so two runs write the same arrays.

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


SAMPLE_BATCHES = (8, 1)


def sample_arrays(model):
    """Inputs from a fixed-seed generator and eager outputs, keyed as the .npz expects."""
    generator = torch.Generator().manual_seed(1234)
    arrays = {}
    with torch.no_grad():
        for case, batch in enumerate(SAMPLE_BATCHES):
            x = torch.randn(batch, 10, generator=generator)
            y = model(x)
            arrays[f"case{case}.input0"] = x.numpy()
            arrays[f"case{case}.output0"] = y.numpy()
    return arrays


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
    torch.export.save(ep, ep_path)
    np.savez(npz_path, **sample_arrays(model))
    print(f"wrote {ep_path} and {npz_path} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
