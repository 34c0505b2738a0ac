"""Per-op test cases of the conv family (tools/export_op_cases.py). cases(Case) returns them:
convolutions (conv1d/conv2d, groups, depthwise, stride, padding incl. "same", dilation, no bias,
1x1, non-square kernels), batch norm alone and folded into a convolution, max/avg/adaptive avg
pooling variants; batch dynamic everywhere, height/width dynamic in a few."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.export import Dim

CONV_TOL = 1e-4  # float32, a different accumulation order than PyTorch's


class Wrap(nn.Module):
    """Applies `body` to the single input x (built inside the module: weights are parameters)."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return self.body(x)


def batch_dynamic():
    return {"x": {0: Dim("batch", min=1, max=64)}}


def image_inputs(c, h, w):
    return [(torch.randn(2, c, h, w),), (torch.randn(3, c, h, w),)]


def randomize_bn(bn):
    """Running statistics and affine parameters that are not the identity."""
    with torch.no_grad():
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
        if bn.weight is not None:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
    return bn


def conv_case(Case, name, c_in, c_out, k, h=9, w=9, core=True, **kw):
    def make():
        return Wrap(nn.Conv2d(c_in, c_out, k, **kw)), image_inputs(c_in, h, w)

    return Case(name, make, batch_dynamic(), CONV_TOL, CONV_TOL, core=core)


def module_case(Case, name, build, c, h, w, tol=CONV_TOL, dynamic=None):
    def make():
        return Wrap(build()), image_inputs(c, h, w)

    return Case(name, make, dynamic or batch_dynamic(), tol, tol, core=True)


class ConvBnRelu(nn.Module):
    def __init__(self, bias, affine=True):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=bias)
        self.bn = randomize_bn(nn.BatchNorm2d(8, affine=affine))

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class ConvUsedTwice(nn.Module):
    """The convolution's output is also used elsewhere, so its batch norm must not fold."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = randomize_bn(nn.BatchNorm2d(4))

    def forward(self, x):
        y = self.conv(x)
        return self.bn(y) + y


class Conv1d(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class FunctionalPools(nn.Module):
    """F.max_pool2d(x, 2) / F.avg_pool2d(x, 3): stride left out, so the program carries the
    schema's empty default and the op uses its kernel size."""

    def forward(self, x):
        return F.max_pool2d(x, 2), F.avg_pool2d(x, 3)


def cases(Case):
    return [
        Case("pools_default_stride", lambda: (FunctionalPools(), image_inputs(3, 9, 8)), batch_dynamic(),
             1e-6, 1e-6, core=True),
        conv_case(Case, "conv2d_basic", 3, 4, 3),
        conv_case(Case, "conv2d_pad1", 3, 4, 3, padding=1),
        conv_case(Case, "conv2d_same", 3, 4, 3, padding="same"),
        # core=False: its core form pads with constant_pad_nd (the shape family's op)
        conv_case(Case, "conv2d_same_even_kernel", 3, 4, 4, padding="same", core=False),
        conv_case(Case, "conv2d_stride2", 4, 6, 3, stride=2, padding=1, h=10, w=11),
        conv_case(Case, "conv2d_dilation2", 3, 4, 3, dilation=2, padding=2),
        conv_case(Case, "conv2d_groups2", 4, 6, 3, groups=2, padding=1),
        conv_case(Case, "conv2d_depthwise", 6, 6, 3, groups=6, padding=1, stride=2),
        conv_case(Case, "conv2d_depthwise_multiplier", 3, 6, 3, groups=3),
        conv_case(Case, "conv2d_no_bias", 3, 5, 3, bias=False, padding=1),
        conv_case(Case, "conv2d_1x1", 8, 16, 1),
        conv_case(Case, "conv2d_1x1_stride2", 8, 16, 1, stride=2),
        conv_case(Case, "conv2d_nonsquare", 3, 4, (1, 3), padding=(0, 1), stride=(2, 1), h=8, w=7),
        conv_case(Case, "conv2d_large_kernel", 3, 8, 7, stride=2, padding=3, h=16, w=16),
        conv_case(Case, "conv2d_wide", 32, 32, 3, padding=1, h=6, w=6),
        Case("conv1d_basic", lambda: (Conv1d(), [(torch.randn(2, 4, 11),), (torch.randn(3, 4, 11),)]),
             batch_dynamic(), CONV_TOL, CONV_TOL, core=True),
        module_case(Case, "conv2d_dynamic_hw",
                    lambda: nn.Conv2d(3, 4, 3, padding=1), 3, 12, 10,
                    dynamic={"x": {0: Dim("batch", min=1, max=64), 2: Dim("h", min=4, max=64),
                                   3: Dim("w", min=4, max=64)}}),
        Case("conv_bn_fold", lambda: (ConvBnRelu(True), image_inputs(3, 8, 8)), batch_dynamic(), CONV_TOL, CONV_TOL,
             core=True),
        Case("conv_bn_fold_no_bias", lambda: (ConvBnRelu(False), image_inputs(3, 8, 8)), batch_dynamic(), CONV_TOL,
             CONV_TOL, core=True),
        Case("conv_bn_fold_no_affine", lambda: (ConvBnRelu(False, affine=False), image_inputs(3, 8, 8)),
             batch_dynamic(), CONV_TOL, CONV_TOL, core=True),
        Case("conv_bn_no_fold", lambda: (ConvUsedTwice(), image_inputs(3, 8, 8)), batch_dynamic(), CONV_TOL,
             CONV_TOL, core=True),
        module_case(Case, "batch_norm2d", lambda: randomize_bn(nn.BatchNorm2d(5)), 5, 4, 6, tol=1e-5),
        Case("batch_norm1d", lambda: (Wrap(randomize_bn(nn.BatchNorm1d(7))),
                                      [(torch.randn(4, 7),), (torch.randn(2, 7),)]),
             batch_dynamic(), 1e-5, 1e-5, core=True),
        module_case(Case, "max_pool_3s2p1", lambda: nn.MaxPool2d(3, 2, 1), 3, 9, 9, tol=1e-6),
        module_case(Case, "max_pool_ceil", lambda: nn.MaxPool2d(3, 2, ceil_mode=True), 3, 10, 8, tol=1e-6),
        module_case(Case, "max_pool_ceil_pad", lambda: nn.MaxPool2d(2, 2, 1, ceil_mode=True), 2, 7, 8, tol=1e-6),
        module_case(Case, "max_pool_dilation", lambda: nn.MaxPool2d(3, 1, 1, dilation=2), 2, 9, 8, tol=1e-6),
        module_case(Case, "max_pool_2x2", lambda: nn.MaxPool2d(2), 3, 8, 9, tol=1e-6),
        module_case(Case, "max_pool_dynamic_hw", lambda: nn.MaxPool2d(2), 2, 9, 9, tol=1e-6,
                    dynamic={"x": {0: Dim("batch", min=1, max=64), 2: Dim("h", min=4, max=64),
                                   3: Dim("w", min=4, max=64)}}),
        module_case(Case, "avg_pool_2x2", lambda: nn.AvgPool2d(2), 3, 8, 9, tol=1e-5),
        module_case(Case, "avg_pool_pad", lambda: nn.AvgPool2d(3, 2, 1), 3, 9, 9, tol=1e-5),
        module_case(Case, "avg_pool_pad_exclude", lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False), 3, 9, 9,
                    tol=1e-5),
        module_case(Case, "avg_pool_ceil", lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True), 2, 10, 8, tol=1e-5),
        module_case(Case, "avg_pool_divisor", lambda: nn.AvgPool2d(2, 2, divisor_override=3), 2, 6, 6, tol=1e-5),
        # core=False: its core form is mean.dim (the shape family's reduction)
        Case("adaptive_avg_pool_1x1", lambda: (Wrap(nn.AdaptiveAvgPool2d(1)), image_inputs(4, 7, 5)), batch_dynamic(),
             1e-5, 1e-5),
        module_case(Case, "adaptive_avg_pool_7x7", lambda: nn.AdaptiveAvgPool2d(7), 3, 14, 14, tol=1e-5),
        module_case(Case, "adaptive_avg_pool_uneven", lambda: nn.AdaptiveAvgPool2d((3, 4)), 3, 10, 7, tol=1e-5),
        module_case(Case, "adaptive_avg_pool_upsample", lambda: nn.AdaptiveAvgPool2d((5, 6)), 2, 3, 4, tol=1e-5),
    ]
