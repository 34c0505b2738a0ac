"""The models bench/bench.py times: what each is, how it is built, its (static) inputs.

Weights are seeded and random (nothing is downloaded). The zoo's models come from
tools/zoo_models.py and are built by tools/zoo.py's `build` (random norm parameters, calibrated
batch-norm statistics: no layer is an identity and every output is O(1), so the agreement check
means something); the tutorial MLP comes from examples/aoti_example/model.py.
"""

import os
import sys

import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "tools"))
sys.path.insert(0, os.path.join(REPO_ROOT, "examples", "aoti_example"))
import zoo  # noqa: E402  (tools/zoo.py: build)
import zoo_models  # noqa: E402
from model import Model as TutorialMLP  # noqa: E402

INPUT_SEED = 1234


class BenchModel:
    """name: unique; family: what --models may name to pick every size of it; build() -> eval
    module with requires_grad off; inputs(gen) -> tuple of tensors; heavy: conv/matmul-bound (the
    bench reports its fraction of peak FLOP rate); quick: part of --quick's default set."""

    def __init__(self, name, family, build, inputs, note, heavy=True, quick=False):
        self.name, self.family, self.build, self.inputs = name, family, build, inputs
        self.note, self.heavy, self.quick = note, heavy, quick

    def make_inputs(self):
        return self.inputs(torch.Generator().manual_seed(INPUT_SEED))


def _frozen(module):
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    return module


def _mlp(batch):
    def build():
        torch.manual_seed(0)
        return _frozen(TutorialMLP())
    return BenchModel(f"mlp_b{batch}", "mlp", build,
                      lambda gen: (torch.randn(batch, 10, generator=gen),),
                      f"the AOTInductor tutorial MLP (Linear 10→16, ReLU, Linear 16→1, Sigmoid), "
                      f"batch {batch}", heavy=batch >= 1024, quick=True)


def _zoo(name, batch, seq=None, label=None):
    zm = zoo_models.BY_NAME[name]
    shape = f"batch {batch}" + (f", seq {seq}" if seq else "")
    return BenchModel(label or f"{name}_b{batch}", name, lambda: zoo.build(zm),
                      lambda gen: zm.inputs(batch, seq, gen),
                      f"{zm.note or f'torchvision.models.{name}(weights=None), 224x224'}; {shape}")


ENCODER_LAYER_D, ENCODER_LAYER_SEQ = 256, 128


def _encoder_layer_build():
    torch.manual_seed(0)
    return _frozen(torch.nn.TransformerEncoderLayer(d_model=ENCODER_LAYER_D, nhead=4, dropout=0.0,
                                                    batch_first=True))


def _encoder_layer():
    return BenchModel(
        "transformer_layer", "transformer_layer", _encoder_layer_build,
        lambda gen: (torch.randn(1, ENCODER_LAYER_SEQ, ENCODER_LAYER_D, generator=gen),),
        "nn.TransformerEncoderLayer(d_model=256, nhead=4, batch_first=True, dropout=0), "
        "dim_feedforward left at its default 2048; x [1, 128, 256], no mask")


MODELS = [
    _mlp(8),
    _mlp(1024),
    _zoo("resnet18", 1),
    _zoo("resnet18", 8),
    _zoo("mobilenet_v2", 1),
    _encoder_layer(),
    _zoo("vit_b_16", 1),
    _zoo("gpt2", 1, seq=128, label="gpt2_s128"),
]
BY_NAME = {m.name: m for m in MODELS}


def pick(names, quick):
    """The models named (a name, or a family naming all its sizes); default all, or the quick
    set with --quick. Raises ValueError for an unknown name."""
    if not names:
        return [m for m in MODELS if m.quick or not quick]
    picked = []
    for name in names:
        found = [m for m in MODELS if name in (m.name, m.family)]
        if not found:
            raise ValueError(f"unknown model '{name}'; known: "
                             f"{', '.join(m.name for m in MODELS)} (or a family: "
                             f"{', '.join(sorted({m.family for m in MODELS}))})")
        picked += [m for m in found if m not in picked]
    return picked
