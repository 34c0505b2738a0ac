"""Per-op test cases of the nn family (tools/export_op_cases.py). cases(Case) returns them:
layer norm, softmax / log-softmax, bmm / matmul over every rank combination torch allows,
scaled_dot_product_attention (masks, causal, scale, L != S, Ev != E) and the modules built on
them (nn.MultiheadAttention, nn.TransformerEncoderLayer)."""

import torch
import torch.nn.functional as F
from torch.export import Dim


class Fn(torch.nn.Module):
    """A module computing fn(*inputs) (fn may close over parameters registered on the module)."""

    def __init__(self, fn, **params):
        super().__init__()
        self.fn = fn
        for name, value in params.items():
            self.register_parameter(name, torch.nn.Parameter(value))

    def forward(self, *xs):
        return self.fn(self, *xs)


def cases(Case):
    B = Dim("batch", min=1, max=64)
    S = Dim("seq", min=1, max=128)
    out = []

    # Layer norm over 1 and 2 trailing dims, with and without affine; a transposed input.
    def layer_norm(shape, affine, batch2):
        def make():
            m = torch.nn.LayerNorm(shape, elementwise_affine=affine, eps=1e-5)
            if affine:
                with torch.no_grad():
                    m.weight.normal_()
                    m.bias.normal_()
            full = (3, 5) + tuple(shape) if len(shape) == 1 else (3,) + tuple(shape)
            x0 = torch.randn(full) * 3 + 1
            x1 = torch.randn((batch2,) + full[1:]) * 3 + 1
            return m, [(x0,), (x1,)]
        return make

    out.append(Case("layer_norm_last", layer_norm([8], True, 1), ({0: B},), core=True))
    out.append(Case("layer_norm_two_dims", layer_norm([4, 6], True, 7), ({0: B},), core=True))
    out.append(Case("layer_norm_no_affine", layer_norm([8], False, 2), ({0: B},), core=True))
    out.append(Case("layer_norm_transposed", lambda: (
        Fn(lambda m, x: F.layer_norm(x.transpose(1, 2), [4], m.w, None, 1e-3), w=torch.randn(4)),
        [(torch.randn(2, 4, 5),), (torch.randn(3, 4, 5),)]), (({0: B},),), core=True))
    out.append(Case("native_layer_norm_stats", lambda: (
        Fn(lambda m, x: torch.ops.aten.native_layer_norm(x, [6], m.w, m.b, 1e-5), w=torch.randn(6), b=torch.randn(6)),
        [(torch.randn(2, 3, 6),), (torch.randn(5, 3, 6),)]), (({0: B},),)))

    # Softmax / log-softmax on dims 0, -1 and a middle dim; large values; -inf entries.
    def softmax(fn, dim):
        def make():
            return Fn(lambda m, x: fn(x, dim)), [(torch.randn(3, 4, 5) * 4,), (torch.randn(3, 4, 5) * 4,)]
        return make

    for fname, fn in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
        for dname, dim in (("dim0", 0), ("last", -1), ("middle", 1)):
            out.append(Case(f"{fname}_{dname}", softmax(fn, dim), core=True))

    def softmax_big():
        x0 = torch.randn(2, 6, 7) * 1000
        x1 = torch.randn(5, 6, 7) * 1000
        return Fn(lambda m, x: torch.softmax(x, -1)), [(x0,), (x1,)]

    out.append(Case("softmax_large_values", softmax_big, (({0: B},),), core=True))

    # Enough rows (>= 16384 elements, nn.c's AOTI_NN_MIN_SPLIT) that the kernels split them over
    # the runtime's threads; the second sample has a row count that does not divide evenly.
    def many_rows(fn):
        def make():
            return Fn(fn), [(torch.randn(4, 64, 128) * 3,), (torch.randn(7, 61, 128) * 3,)]
        return make

    out.append(Case("layer_norm_many_rows", many_rows(lambda m, x: F.layer_norm(x, [128])), (({0: B, 1: S},),)))
    out.append(Case("softmax_many_rows", many_rows(lambda m, x: torch.softmax(x, -1)), (({0: B, 1: S},),)))
    out.append(Case("softmax_many_rows_middle", many_rows(lambda m, x: torch.softmax(x, 1)), (({0: B, 1: S},),)))

    def masked(fn):
        def make():
            def x_with_inf(n):
                x = torch.randn(n, 4, 6)
                x[:, 1, 2:] = float("-inf")
                x[:, 2, :] = float("-inf")  # a fully masked row: NaN, as in torch
                return x
            return Fn(lambda m, x: fn(x, -1)), [(x_with_inf(2),), (x_with_inf(3),)]
        return make

    out.append(Case("softmax_neg_inf", masked(torch.softmax), (({0: B},),), core=True))
    out.append(Case("log_softmax_neg_inf", masked(torch.log_softmax), (({0: B},),), core=True))

    # bmm and matmul over every rank combination.
    out.append(Case("bmm", lambda: (Fn(lambda m, a, b: torch.bmm(a, b)),
                                    [(torch.randn(2, 3, 4), torch.randn(2, 4, 5)),
                                     (torch.randn(6, 3, 4), torch.randn(6, 4, 5))]),
                    (({0: B}, {0: B}),), core=True))
    out.append(Case("bmm_transposed", lambda: (Fn(lambda m, a, b: torch.bmm(a, b.transpose(1, 2))),
                                               [(torch.randn(2, 3, 4), torch.randn(2, 5, 4))]), core=True))
    out.append(Case("baddbmm", lambda: (Fn(lambda m, c, a, b: torch.baddbmm(c, a, b, beta=0.5, alpha=2.0)),
                                        [(torch.randn(3, 5), torch.randn(2, 3, 4), torch.randn(2, 4, 5))])))

    def matmul(sa, sb, dyn=None):
        def make():
            inputs = [(torch.randn(*sa), torch.randn(*sb))]
            if dyn is not None:
                sa2 = list(sa)
                sb2 = list(sb)
                for shape, spec in ((sa2, dyn[0]), (sb2, dyn[1])):
                    for d in (spec or {}):
                        shape[d] = 3
                inputs.append((torch.randn(*sa2), torch.randn(*sb2)))
            return Fn(lambda m, a, b: torch.matmul(a, b)), inputs
        return make

    # Their core forms need binding fixes outside this family (see the nn report): baddbmm's core
    # form multiplies by a float in mul.Tensor, the 1-D dot product sums over dim=[].
    out.append(Case("matmul_1d_1d", matmul((5,), (5,))))
    out.append(Case("matmul_1d_2d", matmul((4,), (4, 6)), core=True))
    out.append(Case("matmul_2d_1d", matmul((3, 4), (4,)), core=True))
    out.append(Case("matmul_2d_2d", matmul((3, 4), (4, 6)), core=True))
    out.append(Case("matmul_3d_2d", matmul((2, 3, 4), (4, 6), ({0: B}, None)), (({0: B}, None),), core=True))
    out.append(Case("matmul_3d_1d", matmul((2, 3, 4), (4,)), core=True))
    out.append(Case("matmul_1d_3d", matmul((4,), (2, 4, 6)), core=True))
    out.append(Case("matmul_2d_3d", matmul((3, 4), (2, 4, 6), (None, {0: B})), ((None, {0: B}),), core=True))
    out.append(Case("matmul_4d_4d", matmul((2, 3, 5, 4), (2, 3, 4, 6), ({0: B}, {0: B})), (({0: B}, {0: B}),),
                    core=True))
    out.append(Case("matmul_batch_broadcast", matmul((2, 1, 5, 4), (3, 4, 6)), core=True))
    out.append(Case("matmul_4d_3d", matmul((2, 3, 5, 4), (3, 4, 6), ({0: B}, None)), (({0: B}, None),), core=True))

    # scaled_dot_product_attention.
    def sdpa(l, s, e, ev, mask=None, **kw):
        def make():
            def inputs(b, l_len, s_len):
                q, k, v = torch.randn(b, 2, l_len, e), torch.randn(b, 2, s_len, e), torch.randn(b, 2, s_len, ev)
                if mask == "bool":
                    msk = torch.rand(l_len, s_len) > 0.3
                    msk[0] = False  # a row attending nothing gives zeros
                    return q, k, v, msk
                if mask == "float":
                    return q, k, v, torch.randn(b, 1, l_len, s_len)
                return q, k, v
            fn = (lambda m, q, k, v, msk: F.scaled_dot_product_attention(q, k, v, attn_mask=msk, **kw)) if mask \
                else (lambda m, q, k, v: F.scaled_dot_product_attention(q, k, v, **kw))
            return Fn(fn), [inputs(2, l, s), inputs(3, l + 2, s + 1)]
        return make

    L = Dim("q_len", min=1, max=128)
    KV = Dim("kv_len", min=1, max=128)

    def sdpa_dyn(mask):
        spec = [{0: B, 2: L}, {0: B, 2: KV}, {0: B, 2: KV}]
        if mask == "bool":
            spec.append({0: L, 1: KV})
        elif mask == "float":
            spec.append({0: B, 2: L, 3: KV})
        return (tuple(spec),)

    tol = dict(rtol=1e-4, atol=1e-5)
    out.append(Case("sdpa_plain", sdpa(5, 5, 8, 8), sdpa_dyn(None), core=True, **tol))
    out.append(Case("sdpa_bool_mask", sdpa(5, 7, 8, 8, "bool"), sdpa_dyn("bool"), core=True, **tol))
    out.append(Case("sdpa_float_mask", sdpa(5, 7, 8, 8, "float"), sdpa_dyn("float"), core=True, **tol))
    out.append(Case("sdpa_causal", sdpa(6, 6, 8, 8, is_causal=True), sdpa_dyn(None), core=True, **tol))
    out.append(Case("sdpa_scale_ev", sdpa(4, 9, 8, 5, scale=0.3), sdpa_dyn(None), core=True, **tol))

    # Modules built on them.
    class MhaOut(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.m = torch.nn.MultiheadAttention(16, 4, batch_first=True)

        def forward(self, q, k, v):
            return self.m(q, k, v, need_weights=False)[0]

    out.append(Case("multihead_attention", lambda: (MhaOut(), [
        (torch.randn(2, 5, 16), torch.randn(2, 7, 16), torch.randn(2, 7, 16)),
        (torch.randn(3, 4, 16), torch.randn(3, 6, 16), torch.randn(3, 6, 16))]),
        ({0: B, 1: S}, {0: B, 1: KV}, {0: B, 1: KV}),
        core=True, **tol))

    def encoder_layer():
        m = torch.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True, dropout=0.0)
        return m, [(torch.randn(2, 5, 16),), (torch.randn(3, 7, 16),)]

    out.append(Case("transformer_encoder_layer", encoder_layer, ({0: B, 1: S},),
                    core=True, **tol))
    return out
