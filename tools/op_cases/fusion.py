"""Per-op test cases of epilogue fusion (compiler/passes/fuse.c; tools/export_op_cases.py):
convolutions and linear layers followed by a residual add and/or an activation that aotic folds into the
convolution's kernel, and look-alikes that must not fuse (an output used twice, an add with
alpha or broadcasting, an activation before the add). Each is compared with eager like any op
case; tests/aotic checks which of them fused."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.export import Dim

TOL = 1e-4


def batch_dynamic(names=("x",)):
    batch = Dim("batch", min=1, max=64)
    return {n: {0: batch} for n in names}


def image_inputs(c, h, w, count=1):
    return [tuple(torch.randn(b, c, h, w) for _ in range(count)) for b in (2, 3)]


ACTIVATIONS = {
    "relu": torch.relu,
    "relu6": F.relu6,
    "hardtanh06": lambda y: F.hardtanh(y, 0.0, 6.0),
    "hardswish": F.hardswish,
    "silu": F.silu,
    "gelu": F.gelu,
    "gelu_tanh": lambda y: F.gelu(y, approximate="tanh"),
    "sigmoid": torch.sigmoid,
}


class ResidualBlock(nn.Module):
    """conv -> (+ shortcut) -> relu, the end of a ResNet block; `flip` writes the add as
    shortcut + conv, `act` None leaves the relu out."""

    def __init__(self, flip=False, act=True, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1, stride=stride)
        self.short = nn.Conv2d(8, 8, 1, stride=stride)
        self.flip, self.act = flip, act

    def forward(self, x):
        y, s = self.conv(x), self.short(x)
        out = s + y if self.flip else y + s
        return torch.relu(out) if self.act else out


class UsedTwice(nn.Module):
    """The convolution's output is read by the relu and by the add: nothing may fuse into it."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)
        return torch.relu(y) + y


class AddWithAlpha(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x, r):
        return torch.add(self.conv(x), r, alpha=2.0)


class AddBroadcast(nn.Module):
    """The other operand broadcasts (one value per channel): not a residual."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.shift = nn.Parameter(torch.randn(4, 1, 1))

    def forward(self, x):
        return torch.relu(self.conv(x) + self.shift)


class ActThenAdd(nn.Module):
    """relu before the add: the relu fuses, the add after it must stay a node of its own."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x, r):
        return torch.relu(self.conv(x)) + r


class Act(nn.Module):
    def __init__(self, name):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, padding=1)
        self.name = name

    def forward(self, x):
        return ACTIVATIONS[self.name](self.conv(x))


class LinearBlock(nn.Module):
    """A transformer MLP's pieces: linear -> activation, and linear + residual (x + W x)."""

    def __init__(self, act, residual, bias=True):
        super().__init__()
        self.fc = nn.Linear(16, 16, bias=bias)
        self.act, self.residual = act, residual

    def forward(self, x):
        y = self.fc(x)
        if self.residual:
            y = y + x
        return ACTIVATIONS[self.act](y) if self.act else y


def token_inputs():
    return [(torch.randn(b, 16),) for b in (5, 33)]


def cases(Case):
    out = []
    for name in ACTIVATIONS:
        out.append(Case(f"conv_{name}", (lambda n=name: (Act(n), image_inputs(4, 9, 9))), batch_dynamic(),
                        TOL, TOL, core=True))
    out += [
        Case("conv_add_relu", lambda: (ResidualBlock(), image_inputs(8, 10, 10)), batch_dynamic(), TOL, TOL,
             core=True),
        Case("conv_add_relu_flipped", lambda: (ResidualBlock(flip=True), image_inputs(8, 10, 10)),
             batch_dynamic(), TOL, TOL, core=True),
        Case("conv_add", lambda: (ResidualBlock(act=False, stride=2), image_inputs(8, 11, 11)),
             batch_dynamic(), TOL, TOL, core=True),
        Case("conv_used_twice", lambda: (UsedTwice(), image_inputs(4, 7, 7)), batch_dynamic(), TOL, TOL),
        Case("conv_add_alpha", lambda: (AddWithAlpha(), image_inputs(4, 7, 7, count=2)),
             batch_dynamic(("x", "r")), TOL, TOL),
        Case("conv_add_broadcast", lambda: (AddBroadcast(), image_inputs(4, 7, 7)), batch_dynamic(), TOL, TOL),
        Case("conv_relu_then_add", lambda: (ActThenAdd(), image_inputs(4, 7, 7, count=2)),
             batch_dynamic(("x", "r")), TOL, TOL),
        Case("linear_gelu", lambda: (LinearBlock("gelu", False), token_inputs()), batch_dynamic(), TOL, TOL,
             core=True),
        Case("linear_residual_relu", lambda: (LinearBlock("relu", True), token_inputs()), batch_dynamic(), TOL,
             TOL, core=True),
        Case("matmul_sigmoid", lambda: (LinearBlock("sigmoid", False, bias=False), token_inputs()),
             batch_dynamic(), TOL, TOL, core=True),
    ]
    return out
