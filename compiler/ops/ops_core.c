/* ops_core.c — the first family of the op table: matmuls through linear, layout and view ops,
 * and the first pointwise ops (what the tutorial MLP and its fixtures use).
 *
 * Declarations are facts copied from PyTorch (see ops.c for the source). */
#include "ops/ops_private.h"

static const aoti_op kRows[] = {
    {ATEN "linear.default", "linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor", aoti_shape_linear,
     AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "addmm.default",
     "addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor", aoti_shape_addmm,
     AOTI_LOWER_MATMUL, NULL},
    {ATEN "mm.default", "mm(Tensor self, Tensor mat2) -> Tensor", aoti_shape_mm, AOTI_LOWER_MATMUL, NULL},
    {ATEN "t.default", "t(Tensor(a) self) -> Tensor(a)", aoti_shape_t, AOTI_LOWER_COPY, NULL},
    {ATEN "permute.default", "permute(Tensor(a) self, int[] dims) -> Tensor(a)", aoti_shape_permute,
     AOTI_LOWER_COPY, NULL},
    {ATEN "transpose.int", "transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)", aoti_shape_transpose,
     AOTI_LOWER_COPY, NULL},
    {ATEN "view.default", "view(Tensor(a) self, SymInt[] size) -> Tensor(a)", aoti_shape_view, AOTI_LOWER_VIEW,
     NULL},
    {ATEN "reshape.default", "reshape(Tensor(a) self, SymInt[] shape) -> Tensor(a)", aoti_shape_view,
     AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "_unsafe_view.default", "_unsafe_view(Tensor self, SymInt[] size) -> Tensor", aoti_shape_view,
     AOTI_LOWER_VIEW, NULL},
    /* relu keeps NaN (torch.relu(nan) is nan): only values below zero become zero. */
    {ATEN "relu.default", "relu(Tensor self) -> Tensor", aoti_shape_same, AOTI_LOWER_UNARY, "(a < 0 ? 0 : a)"},
    {ATEN "sigmoid.default", "sigmoid(Tensor self) -> Tensor", aoti_shape_same_float, AOTI_LOWER_UNARY,
     "aoti_sigmoidf(a)"},
    {ATEN "add.Tensor", "add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", aoti_shape_broadcast,
     AOTI_LOWER_BINARY, "(a + alpha * b)"},
    {ATEN "sub.Tensor", "sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", aoti_shape_broadcast,
     AOTI_LOWER_BINARY, "(a - alpha * b)"},
    {ATEN "mul.Tensor", "mul.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast, AOTI_LOWER_BINARY,
     "(a * b)"},
    {ATEN "div.Tensor", "div.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast_div,
     AOTI_LOWER_BINARY, "(a / b)"},
    {ATEN "clone.default", "clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor", aoti_shape_same,
     AOTI_LOWER_COPY, NULL},
    {ATEN "expand.default", "expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)",
     aoti_shape_expand, AOTI_LOWER_COPY, NULL},
    {ATEN "unsqueeze.default", "unsqueeze(Tensor(a) self, int dim) -> Tensor(a)", aoti_shape_unsqueeze,
     AOTI_LOWER_VIEW, NULL},
    {ATEN "squeeze.dim", "squeeze.dim(Tensor(a) self, int dim) -> Tensor(a)", aoti_shape_squeeze_dim,
     AOTI_LOWER_VIEW, NULL},
    {ATEN "squeeze.dims", "squeeze.dims(Tensor(a) self, int[] dim) -> Tensor(a)", aoti_shape_squeeze_dims,
     AOTI_LOWER_VIEW, NULL},
    {ATEN "flatten.using_ints", "flatten.using_ints(Tensor(a) self, int start_dim=0, int end_dim=-1) -> Tensor(a)",
     aoti_shape_flatten, AOTI_LOWER_VIEW, NULL},
    {ATEN "alias.default", "alias(Tensor(a) self) -> Tensor(a)", aoti_shape_same, AOTI_LOWER_VIEW, NULL},
    {ATEN "detach.default", "detach(Tensor(a) self) -> Tensor(a)", aoti_shape_same, AOTI_LOWER_VIEW, NULL},
};

const aoti_op_family aoti_ops_family_core = {"core", kRows, sizeof kRows / sizeof kRows[0]};
