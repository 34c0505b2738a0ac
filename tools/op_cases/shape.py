"""Per-op test cases of the shape family (tools/export_op_cases.py). cases(Case) returns them:
cat/stack/split/chunk/unbind, slicing (steps, negative and clamped bounds, dynamic ends), select,
narrow, in-place writes through views (functionalization: y[:, 0] = 1, fill_, copy_, relu_,
masked_fill_), the scatters, index/index_select/gather/embedding, padding, roll, flip, repeat,
unflatten, as_strided, and the reductions (sum, mean, amax/amin, max/min with indices, argmax,
any/all, cumsum, var/std, diff). Batch dynamic where the op allows it; float32, int64 and bool
inputs; non-contiguous inputs made inside the module."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.export import Dim


class Fn1(nn.Module):
    """forward(x) = f(x) (export needs named positional inputs for dynamic shapes)."""

    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


class Fn2(Fn1):
    def forward(self, x, y):
        return self.f(x, y)


class Fn3(Fn1):
    def forward(self, x, y, z):
        return self.f(x, y, z)


def batch():
    return Dim("batch", min=1, max=64)


def case(Case, name, f, shapes, dyn=None, dtypes=None, core=True, tol=1e-5, gen=None):
    """A case of f over inputs of `shapes` ("B" for the batch), dim 0 of the inputs listed in
    `dyn` (default: all whose dim 0 is "B") dynamic; the second input set has batch 3, not 2."""
    dtypes = dtypes or [torch.float32] * len(shapes)

    def inputs(b):
        out = []
        for i, (shape, dt) in enumerate(zip(shapes, dtypes)):
            s = tuple(b if d == "B" else d for d in shape)
            if gen and gen[i] is not None:
                out.append(gen[i](s))
            elif dt == torch.float32:
                out.append(torch.randn(s))
            elif dt == torch.bool:
                out.append(torch.rand(s) > 0.5)
            else:
                out.append(torch.randint(-5, 6, s, dtype=dt))
        return tuple(out)

    def make():
        return (Fn1, Fn2, Fn3)[len(shapes) - 1](f), [inputs(2), inputs(3)]

    b = batch()
    dynamic = [({0: b} if (dyn is None or i in dyn) and shapes[i][0] == "B" else None) for i in range(len(shapes))]
    dynamic = None if all(d is None for d in dynamic) else tuple(dynamic)
    return Case(name, make, dynamic, tol, tol, core=core)


def index_gen(high, shape=None):
    return lambda s: torch.randint(-high, high, shape or s, dtype=torch.int64)


def swin_mask(x):
    """swin's attention-mask construction: zeros, then slices filled with a counter."""
    mask = torch.zeros((1, 6, 6, 1))
    cnt = 0
    for h in (slice(0, -3), slice(-3, -1), slice(-1, None)):
        for w in (slice(0, -3), slice(-3, -1), slice(-1, None)):
            mask[:, h, w, :] = cnt
            cnt += 1
    return mask + x


def set_items(x):
    y = x.clone()
    y[:, 0] = 1.0
    y[:, 2:4] = 0.5
    y[:, -1] = x[:, 1] * 2
    y[:, 1, ::2] = -x[:, 0, ::2]
    return y


def inplace_chain(x, y):
    a = x * 2
    a.relu_()
    a.add_(y)
    b = a.clone()
    b.masked_fill_(x > 0.5, -1.0)
    c = torch.sigmoid(b)
    c.mul_(3.0)
    return a, b, c


def cases(Case):
    f32, i64, b8 = torch.float32, torch.int64, torch.bool
    return [
        # Joining and splitting.
        case(Case, "cat_dim1", lambda x, y: torch.cat([x, y], 1), [("B", 3, 4), ("B", 5, 4)]),
        case(Case, "cat_neg_dim", lambda x, y: torch.cat([x, x * 2, y], -1), [("B", 3, 4), ("B", 3, 2)]),
        case(Case, "cat_dim0_dynamic", lambda x, y: torch.cat([x, y]), [("B", 4), (3, 4)]),
        case(Case, "cat_int64", lambda x, y: torch.cat([x, y], 1), [("B", 3), ("B", 2)], dtypes=[i64, i64]),
        case(Case, "cat_bool", lambda x, y: torch.cat([x > 0, y], 0), [("B", 3), (2, 3)], dtypes=[f32, b8]),
        case(Case, "cat_empty_part", lambda x, y: torch.cat([x, y], 1), [("B", 3, 4), ("B", 0, 4)]),
        case(Case, "cat_transposed", lambda x, y: torch.cat([x.transpose(1, 2), y], 1), [("B", 3, 4), ("B", 2, 3)]),
        case(Case, "stack_dim1", lambda x, y: torch.stack([x, y], 1), [("B", 3, 4), ("B", 3, 4)]),
        case(Case, "stack_neg_dim", lambda x, y: torch.stack([x, y, x + y], -1), [("B", 5), ("B", 5)]),
        case(Case, "split_tensor", lambda x: x.split(3, dim=1), [("B", 7, 3)]),
        case(Case, "split_with_sizes", lambda x: x.split([2, 5], dim=-2), [("B", 7, 3)]),
        case(Case, "split_batch_last", lambda x: [t * 2 for t in x.split(2, dim=-1)], [("B", 3, 5)]),
        case(Case, "chunk_dim2", lambda x: torch.chunk(x, 3, dim=2), [("B", 4, 7)]),
        case(Case, "chunk_int64", lambda x: torch.chunk(x, 2, dim=1), [("B", 6)], dtypes=[i64]),
        case(Case, "unbind_dim1", lambda x: x.unbind(1), [("B", 3, 4)]),
        # Slicing and selecting.
        case(Case, "slice_basic", lambda x: (x[:, 1:5], x[:, ::2], x[:, -3:], x[..., 1:-1]), [("B", 8, 6)]),
        case(Case, "slice_step_clamped", lambda x: (x[:, 1:7:3], x[:, 5:100], x[:, -100:2], x[:, 6:2]),
             [("B", 8)]),
        case(Case, "slice_transposed", lambda x: x.transpose(1, 2)[:, 1:3] * 1.5, [("B", 4, 5)]),
        case(Case, "slice_int64", lambda x: x[:, 2:5], [("B", 6)], dtypes=[i64]),
        case(Case, "select_neg", lambda x: (x[:, -1], x[:, 2, 1], x.select(2, -2)), [("B", 4, 5)]),
        case(Case, "select_bool", lambda x: x[:, 1], [("B", 3)], dtypes=[b8]),
        case(Case, "narrow", lambda x: (x.narrow(1, 1, 3), x.narrow(-1, 0, 2)), [("B", 5, 4)]),
        # In-place writes (functionalization) and the scatters.
        case(Case, "setitem", set_items, [("B", 4, 5)]),
        case(Case, "swin_mask", swin_mask, [("B", 6, 6, 1)]),
        case(Case, "inplace_chain", inplace_chain, [("B", 4), ("B", 4)]),
        case(Case, "fill_slice", lambda x: x.clone()[:, 1:3].fill_(2.0) + 1, [("B", 5)]),
        case(Case, "slice_scatter", lambda x, y: torch.slice_scatter(x, y, 1, 0, 4, 2), [("B", 5, 3), ("B", 2, 3)]),
        case(Case, "select_scatter", lambda x, y: torch.select_scatter(x, y, 1, -1), [("B", 5, 3), ("B", 3)]),
        # Indexing.
        case(Case, "index_rows", lambda x, i: x[i], [(6, 4), (3,)], dtypes=[f32, i64], gen=[None, index_gen(6)]),
        case(Case, "index_none_dim", lambda x, i: (x[:, i], x[:, None, i]), [("B", 5, 3), (4,)], dtypes=[f32, i64],
             gen=[None, index_gen(5)]),
        case(Case, "index_two_adjacent", lambda x, i, j: x[:, i, j], [("B", 5, 6), (3,), (3,)],
             dtypes=[f32, i64, i64], gen=[None, index_gen(5), index_gen(6)]),
        case(Case, "index_two_apart", lambda x, i, j: x[i, :, j], [(4, 3, 6), (2, 1), (5,)], dtypes=[f32, i64, i64],
             gen=[None, index_gen(4), index_gen(6)]),
        case(Case, "index_int64_values", lambda x, i: x[:, i], [("B", 5), (2, 3)], dtypes=[i64, i64],
             gen=[None, index_gen(5)]),
        case(Case, "index_select", lambda x, i: (torch.index_select(x, 1, i), torch.index_select(x, -1, i[:2])),
             [("B", 5, 4), (3,)], dtypes=[f32, i64], gen=[None, lambda s: torch.tensor([3, 0, 2])]),
        case(Case, "gather", lambda x, i: torch.gather(x, 1, i), [(3, 5), (3, 4)], dtypes=[f32, i64],
             gen=[None, lambda s: torch.randint(0, 5, s)]),
        case(Case, "embedding", lambda w, i: F.embedding(i, w), [(10, 4), ("B", 5)], dyn=(1,), dtypes=[f32, i64],
             gen=[None, lambda s: torch.randint(0, 10, s)]),
        case(Case, "embedding_padding_idx", lambda w, i: F.embedding(i, w, padding_idx=0), [(10, 3), ("B", 2, 3)],
             dyn=(1,), dtypes=[f32, i64], gen=[None, lambda s: torch.randint(0, 10, s)]),
        # Padding, roll, flip, repeat, unflatten, as_strided, expand_as.
        case(Case, "constant_pad", lambda x: (F.pad(x, (1, 2, 0, 3), value=0.5), F.pad(x, (-1, 1))), [("B", 3, 4)]),
        case(Case, "constant_pad_int64", lambda x: F.pad(x, (2, 1), value=7), [("B", 3)], dtypes=[i64]),
        # core=False: the core form of roll computes its indices with SymInt arithmetic
        # (add.Tensor of a SymInt), which the pointwise family does not lower yet.
        case(Case, "roll", lambda x: (torch.roll(x, (1, -2), (1, 2)), torch.roll(x, 3), torch.roll(x, 1, 0)),
             [("B", 4, 5)], core=False),
        case(Case, "roll_static", lambda x: torch.roll(x, (2, -1), (0, 1)), [(4, 5)]),
        case(Case, "flip", lambda x: torch.flip(x, (0, 2)), [("B", 3, 4)]),
        case(Case, "repeat", lambda x: (x.repeat(2, 1, 3), x.repeat(2, 1, 1, 2)), [("B", 3, 2)]),
        case(Case, "unflatten", lambda x: x.unflatten(1, (2, -1)) * 2, [("B", 6, 2)]),
        case(Case, "as_strided", lambda x: torch.as_strided(x * 1, (3, 3), (6, 1), 2), [(4, 6)]),
        case(Case, "expand_as", lambda x, y: y.expand_as(x) + x, [("B", 3, 4), (1, 4)]),
        # Reductions.
        case(Case, "sum_dims", lambda x: (x.sum((1, -1)), x.sum(1, keepdim=True), x.sum()), [("B", 3, 4)]),
        case(Case, "sum_int64_bool", lambda x, y: (x.sum(1), y.sum(-1)), [("B", 5), ("B", 4)], dtypes=[i64, b8]),
        case(Case, "sum_large", lambda x: x.sum(-1), [("B", 3000)], tol=1e-5),
        case(Case, "mean_dims", lambda x: (x.mean((2, 3), keepdim=True), x.mean(-1), x.mean(1)), [("B", 4, 16, 16)]),
        case(Case, "mean_transposed", lambda x: x.transpose(1, 2).mean(1), [("B", 3, 5)]),
        case(Case, "amax_amin", lambda x: (x.amax(1), x.amin((0, 2)), x.amax(-1, keepdim=True)), [("B", 3, 4)]),
        case(Case, "max_min_dim", lambda x: (*x.max(1), *x.min(-1, keepdim=True)), [("B", 3, 4)]),
        case(Case, "argmax_argmin", lambda x: (x.argmax(-1), x.argmax(), x.argmin(1, keepdim=True)), [("B", 3, 4)]),
        case(Case, "any_all", lambda x: ((x > 0.5).any(1), (x > -1).all(-1), (x > 0).any(), x.any(1)),
             [("B", 3, 4)]),
        case(Case, "cumsum", lambda x: (x.cumsum(1), x.cumsum(-1)), [("B", 3, 4)]),
        case(Case, "cumsum_int64_bool", lambda x, y: (x.cumsum(1), y.cumsum(0)), [("B", 5), ("B", 4)],
             dtypes=[i64, b8]),
        case(Case, "var_std", lambda x: (x.var(1), x.std((1, 2), correction=0, keepdim=True)), [("B", 3, 4)]),
        case(Case, "diff", lambda x: (torch.diff(x, dim=1), torch.diff(x, n=2), torch.diff(x, prepend=x[:, :1])),
             [("B", 5)]),
        case(Case, "diff_int64", lambda x: torch.diff(x, dim=-1), [("B", 6)], dtypes=[i64]),
    ]
