"""Per-op test cases of the pointwise family (tools/export_op_cases.py). cases(Case) returns them.

Each case is a tiny module over the ops of compiler/ops/ops_pointwise.c (and the pointwise rows of
ops_core.c), with several outputs for the variants of one op group: broadcasting (rank difference,
size-1 dims), a transposed input made inside the module, int64/bool/float64 inputs where the op
takes them, Scalar overloads. Batch (dim 0) is dynamic; the second input set has another batch.
core=True also tests the run_decompositions() form where it decomposes differently.
"""
import torch
import torch.nn.functional as F

BATCH = torch.export.Dim("batch", min=1, max=64)


def contiguous(outputs):
    """Eager outputs of transposed inputs are saved C-ordered (the samples format wants C order)."""
    return tuple(o.contiguous() for o in outputs)


def fn1(fn):
    class M(torch.nn.Module):
        def forward(self, x):
            return contiguous(fn(x))
    return M()


def fn2(fn):
    class M(torch.nn.Module):
        def forward(self, x, y):
            return contiguous(fn(x, y))
    return M()


def fn3(fn):
    class M(torch.nn.Module):
        def forward(self, x, y, z):
            return contiguous(fn(x, y, z))
    return M()


def fn4(fn):
    class M(torch.nn.Module):
        def forward(self, x, y, z, w):
            return contiguous(fn(x, y, z, w))
    return M()


def floats(*shape, lo=-3.0, hi=3.0, dtype=torch.float32):
    return (torch.rand(*shape, dtype=torch.float64) * (hi - lo) + lo).to(dtype)


def ints(*shape, lo=-5, hi=6, dtype=torch.int64):
    return torch.randint(lo, hi, shape, dtype=dtype)


def bools(*shape):
    return torch.rand(*shape) > 0.5


def dyn(count):
    """dim 0 of each of `count` inputs is the batch."""
    return tuple({0: BATCH} for _ in range(count))


def cases(Case):
    out = []

    def add(name, module, make_inputs, dynamic=True, core=False, rtol=1e-5, atol=1e-5):
        """make_inputs(batch) gives one input tuple; batches 4 (export example) and 7, made after
        export_op_cases.py seeds torch. dynamic=True: dim 0 of every input is the batch."""
        if dynamic is True:
            dynamic = dyn(len(make_inputs(1)))
        out.append(Case(name, lambda: (module, [make_inputs(4), make_inputs(7)]), dynamic, rtol, atol, core))

    # Activations: functional and in-place, over a contiguous and a transposed input.
    add("relu_family", fn1(lambda x: (
        torch.relu(x), F.relu6(x), F.hardtanh(x, -0.5, 2.0), F.hardtanh(x.transpose(1, 2)),
        x.clone().relu_(), F.hardtanh(x * 1, 0.0, 6.0, inplace=True), F.leaky_relu(x, 0.2))),
        lambda b: (floats(b, 3, 5),), core=True)
    add("hard_activations", fn1(lambda x: (
        F.hardswish(x), F.hardsigmoid(x), F.hardswish(x * 1, inplace=True), F.hardsigmoid(x.transpose(1, 2)))),
        lambda b: (floats(b, 3, 5, lo=-5, hi=5),), core=True)
    add("silu_sigmoid_tanh", fn1(lambda x: (
        F.silu(x), F.silu(x * 1, inplace=True), torch.sigmoid(x), torch.tanh(x.transpose(1, 2)),
        (x * 1).sigmoid_(), (x * 1).tanh_())),
        lambda b: (floats(b, 3, 5),), core=True)
    add("gelu", fn1(lambda x: (F.gelu(x), F.gelu(x, approximate="tanh"), F.gelu(x.transpose(1, 2)))),
        lambda b: (floats(b, 3, 5, lo=-5, hi=5),), core=True)
    add("gelu_float64", fn1(lambda x: (F.gelu(x), F.gelu(x, approximate="tanh"))),
        lambda b: (floats(b, 6, dtype=torch.float64),))
    # Math.
    add("unary_math", fn1(lambda x: (
        torch.exp(x), torch.log(x), torch.sqrt(x), torch.rsqrt(x), torch.erf(x - 1.5), torch.reciprocal(x),
        torch.sin(x), torch.cos(x), torch.square(x), torch.exp(x.transpose(1, 2)))),
        lambda b: (floats(b, 3, 5, lo=0.1, hi=3.0),), core=True)
    add("unary_math_float64", fn1(lambda x: (torch.exp(x), torch.log(x), torch.sqrt(x), torch.erf(x), torch.tanh(x))),
        lambda b: (floats(b, 5, lo=0.1, hi=3.0, dtype=torch.float64),))
    add("unary_of_int", fn1(lambda x: (torch.exp(x), torch.sigmoid(x), torch.sqrt(x.abs()), x.neg(), x.abs())),
        lambda b: (ints(b, 5),))
    add("neg_abs_round", fn1(lambda x: (
        -x, torch.abs(x), torch.floor(x), torch.ceil(x), torch.trunc(x), torch.round(x), torch.abs(x.t()))),
        lambda b: (floats(b, 6, lo=-4, hi=4),), core=True)
    add("pow", fn3(lambda x, y, z: (
        x.pow(2), x.pow(3.0), x.abs().pow(0.5), x.pow(-1), x.abs().pow(1.7), torch.pow(x.abs() + 0.1, y),
        torch.pow(x.abs() + 0.5, z))),
        lambda b: (floats(b, 5, lo=0.2, hi=2), floats(5, lo=-2, hi=2), floats(())), dynamic=({0: BATCH}, None, None),
        core=True)
    add("pow_int", fn1(lambda x: (x.pow(2), x.pow(3), x.pow(0.5))), lambda b: (ints(b, 5, lo=0, hi=6),))
    add("clamp", fn1(lambda x: (
        torch.clamp(x, -1.0, 1.0), torch.clamp(x, min=0.5), torch.clamp(x, max=-0.5), torch.clamp_min(x, 0.0),
        torch.clamp_max(x, 1.0), (x * 1).clamp_(-0.25, 0.25), torch.clamp(x.transpose(1, 2), 0.0, 6.0))),
        lambda b: (floats(b, 3, 4),), core=True)
    add("clamp_int", fn1(lambda x: (torch.clamp(x, -2, 3), torch.clamp(x, min=0))), lambda b: (ints(b, 6),))
    # Arithmetic: broadcasting with rank difference and size-1 dims, transposed operands, scalars.
    add("add_sub_mul_div", fn2(lambda x, y: (
        x + y, x - y, x * y, x / y, torch.add(x, y, alpha=2.5), torch.sub(x, y, alpha=0.5),
        x.transpose(1, 2) * y.transpose(0, 1), x.transpose(1, 2) + y.t())),
        lambda b: (floats(b, 3, 4), floats(3, 4, lo=0.5, hi=2)), dynamic=({0: BATCH}, None), core=True)
    add("broadcast_size1", fn3(lambda x, y, z: (x + y, y * z, x - z, x / (y + 4.0))),
        lambda b: (floats(b, 1, 5), floats(b, 3, 1), floats(5)), dynamic=({0: BATCH}, {0: BATCH}, None))
    add("scalar_overloads", fn1(lambda x: (
        x + 2, x - 1.5, x * 3, x / 4, 2 - x, 1.5 - x, torch.add(x, 2, alpha=3), torch.rsub(x, 2.0, alpha=0.5),
        torch.mul(x, 0.25), x.t() * 2)),
        lambda b: (floats(b, 5),), core=True)
    add("inplace_arith", fn2(lambda x, y: (
        (x * 1).add_(y), (x * 1).add_(y, alpha=2), (x * 1).add_(3.0), (x * 1).sub_(y), (x * 1).mul_(y),
        (x * 1).mul_(2.0), (x * 1).div_(y), (x * 1).div_(4.0))),
        lambda b: (floats(b, 5), floats(5, lo=0.5, hi=2)), dynamic=({0: BATCH}, None), core=True)
    add("int_arith", fn2(lambda x, y: (
        x + y, x - y, x * y, x / y, x * 2, x + 1.5, x * 0.5, y - 3, torch.div(x, y, rounding_mode="floor"),
        torch.div(x, y, rounding_mode="trunc"), torch.div(x, 3, rounding_mode="floor"))),
        lambda b: (ints(b, 6), torch.tensor([1, -2, 3, -4, 5, 7])), dynamic=({0: BATCH}, None))
    add("div_mode_float", fn2(lambda x, y: (
        torch.div(x, y, rounding_mode="floor"), torch.div(x, y, rounding_mode="trunc"), torch.div(x, y),
        torch.div(x, 0.7, rounding_mode="floor"))),
        lambda b: (floats(b, 6), floats(6, lo=0.5, hi=2) * torch.tensor([1, -1, 1, -1, 1, -1])),
        dynamic=({0: BATCH}, None), core=True)
    add("mixed_dtype_arith", fn4(lambda x, i, f64, i0: (x + i, i * x, i + f64, x * f64, i / 2, x + i0, i + i0, f64 * i0)),
        lambda b: (floats(b, 5), ints(b, 5), floats(b, 5, dtype=torch.float64), ints()),
        dynamic=({0: BATCH}, {0: BATCH}, {0: BATCH}, None), core=True)
    add("small_int_dtypes", fn3(lambda a, b8, u: (a + a, a * 3, b8 + b8, b8 - 1, u + u, u * 2, a + u, b8 + a)),
        lambda b: (ints(b, 5, dtype=torch.int32), ints(b, 5, lo=-20, hi=20, dtype=torch.int8),
                   ints(b, 5, lo=0, hi=100, dtype=torch.uint8)))
    add("int16_float_mix", fn2(lambda a, x: (a + a, a * x, a.to(torch.float32) / 3)),
        lambda b: (ints(b, 5, lo=-300, hi=300, dtype=torch.int16), floats(b, 5)))
    add("fmod_remainder", fn2(lambda x, y: (
        torch.fmod(x, 1.5), torch.fmod(x, y), torch.remainder(x, 1.5), torch.remainder(x, y), x % -1.25)),
        lambda b: (floats(b, 6, lo=-5, hi=5), floats(6, lo=0.5, hi=2) * torch.tensor([1, -1, 1, -1, 1, -1])),
        dynamic=({0: BATCH}, None), core=True)
    add("fmod_remainder_int", fn2(lambda x, y: (torch.fmod(x, 3), torch.fmod(x, y), torch.remainder(x, y), x % 4)),
        lambda b: (ints(b, 6, lo=-9, hi=10), torch.tensor([2, -3, 4, -5, 3, 7])), dynamic=({0: BATCH}, None))
    add("maximum_minimum", fn2(lambda x, y: (torch.maximum(x, y.t()), torch.minimum(x.unsqueeze(1), y))),
        lambda b: (floats(b, 4), floats(4, 1)), dynamic=({0: BATCH}, None))
    # Comparisons and logic.
    add("compare", fn2(lambda x, y: (
        x == y, x != y, x < y, x <= y, x > y, x >= y, x == 0.5, x != 0, x < 1, x <= -1, x > 0, x >= 0.25,
        x.t() > y.unsqueeze(1))),
        lambda b: (floats(b, 4).round(), floats(4).round()), dynamic=({0: BATCH}, None), core=True)
    add("compare_int_bool", fn4(lambda i, x, m, i0: (
        i == 2, i > 1.5, i < x, i.eq(i0), i >= 0, m == True, m != (x > 0), i.le(i0), i0 < x)),
        lambda b: (ints(b, 5), floats(b, 5), bools(b, 5), ints(1)), dynamic=({0: BATCH}, {0: BATCH}, {0: BATCH}, None))
    add("logical", fn4(lambda m, n, x, n1: (
        torch.logical_not(m), torch.logical_and(m, n), torch.logical_or(m, x), torch.logical_xor(m, n1),
        torch.logical_not(x), ~m, m & n, m | n, m ^ n, m & n1, m.t() & n.t())),
        lambda b: (bools(b, 5), bools(b, 5), floats(b, 5).round(), bools(5)),
        dynamic=({0: BATCH}, {0: BATCH}, {0: BATCH}, None), core=True)
    add("bitwise_int", fn2(lambda a, c: (a & c, a | c, a ^ c, ~a, a & 6, a | 1, torch.bitwise_and(a, c.t().t()))),
        lambda b: (ints(b, 5, lo=-20, hi=20), ints(b, 5, lo=0, hi=20)))
    # Selection.
    add("where", fn4(lambda m, x, y, m1: (
        torch.where(m, x, y), torch.where(m, x, 0.0), torch.where(m, -1.0, y), torch.where(m1, x, y.unsqueeze(1)),
        torch.where(x > 0, x, y), torch.where(m.t(), x.t(), 2.5))),
        lambda b: (bools(b, 5), floats(b, 5), floats(b, 5), bools(b, 1, 5)), core=True)
    add("where_dtypes", fn3(lambda m, i, x: (torch.where(m, i, x), torch.where(m, i, 3), torch.where(m, i, 2.5),
                                             torch.where(m, m, ~m))),
        lambda b: (bools(b, 5), ints(b, 5), floats(b, 5, dtype=torch.float64)))
    add("masked_fill", fn4(lambda x, m, v, m1: (
        x.masked_fill(m, -1e9), x.masked_fill(m1, float("-inf")), x.masked_fill(m, v),
        (x * 1).masked_fill_(m, 2.0), x.t().masked_fill(m.t(), 0.5), x.unsqueeze(1).masked_fill(m1.unsqueeze(0), v))),
        lambda b: (floats(b, 5), bools(b, 5), floats(()), bools(5)), dynamic=({0: BATCH}, {0: BATCH}, None, None),
        core=True)
    add("masked_fill_int", fn2(lambda i, m: (i.masked_fill(m, 7), i.masked_fill(~m, -1))),
        lambda b: (ints(b, 5), bools(b, 5)))
    # Casts and identities.
    add("casts", fn3(lambda x, i, m: (
        x.to(torch.int64), x.to(torch.float64), i.to(torch.float32), i.to(torch.bool), m.to(torch.float32),
        m.to(torch.int64), x.to(torch.bool), x.type_as(i), i.type_as(x), x.to(dtype=torch.int32), i.to(torch.uint8),
        x.to("cpu"), x.to("cpu", torch.float64), x.t().to(torch.int64))),
        lambda b: (floats(b, 5, lo=-4, hi=4), ints(b, 5, lo=0, hi=50), bools(b, 5)), core=True)
    add("dropout_contiguous", fn1(lambda x: (
        F.dropout(x, 0.5, training=False), torch.nn.Dropout(0.1).eval()(x) + 1, F.dropout(x * 1, 0.2, False, True),
        x.transpose(1, 2).contiguous(), x.contiguous())),
        lambda b: (floats(b, 3, 4),), core=True)
    # Fills and generators, sizes from the dynamic batch.
    add("fills_like", fn2(lambda x, i: (
        torch.zeros_like(x), torch.ones_like(x), torch.full_like(x, 2.5), torch.full_like(i, 7),
        torch.zeros_like(x, dtype=torch.int64), torch.ones_like(i, dtype=torch.bool), torch.full_like(x, -1, dtype=torch.float64),
        (x * 1).fill_(3.0), x + torch.ones_like(x.t()).t())),
        lambda b: (floats(b, 5), ints(b, 5)), core=True)
    add("fills_new", fn1(lambda x: (
        x.new_zeros(x.shape[0], 4), x.new_ones(3, x.shape[0]), x.new_full((x.shape[0], 2), 1.5),
        x.new_zeros(5, dtype=torch.int64), x.new_ones((x.shape[0],), dtype=torch.bool),
        torch.full((x.shape[0], 3), 2.0), torch.full((2, 2), 7), torch.full((3,), True),
        torch.zeros(x.shape[0], 2), torch.ones(4, dtype=torch.int32))),
        lambda b: (floats(b, 5),), core=True)
    add("scalar_tensor", fn1(lambda x: (
        torch.where(x > 0, x, torch.scalar_tensor(-2.0)), x * torch.scalar_tensor(3, dtype=torch.float64),
        torch.scalar_tensor(1.5))),
        lambda b: (floats(b, 5),), core=True)
    add("arange", fn1(lambda x: (
        torch.arange(x.shape[0]), torch.arange(2, x.shape[0] + 5), torch.arange(0, x.shape[0] * 3, 2),
        torch.arange(5) + x, torch.arange(1.0, 2.0, 0.25), torch.arange(10, 0, -3),
        torch.arange(x.shape[0], dtype=torch.float32) * 0.5, torch.arange(4.5))),
        lambda b: (floats(b, 5),), core=True)
    return out
