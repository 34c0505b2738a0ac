"""Writes tests/ir/op_shapes.txt: output dtypes and shapes that PyTorch eager computes for the op
table's rows, the reference test_ops.cc checks the shape functions against.

Run from the repository root with the project venv:
    ~/.cache/aoti/venv/bin/python tests/ir/gen_op_shapes.py

Line format (one case a line, '#' lines are comments):
    <target>|<inputs>|<args>|<out dtype>|<out dims>
    inputs: tensors as dtype:dims separated by ';' (f32:2,3;i64:4), '-' when none
    args:   name=value separated by ' ', value T<k> (input k), an int, a float, True/False,
            None, [a,b] (a list of ints), 'text' (a string), dt:<dtype> (a ScalarType) or dev:cpu
    dims:   comma-separated sizes ('' for a 0-d tensor)
"""
import torch

DTYPES = {"f32": torch.float32, "f64": torch.float64, "i64": torch.int64, "i32": torch.int32, "b": torch.bool,
          "i16": torch.int16, "i8": torch.int8, "u8": torch.uint8}
NAMES = {v: k for k, v in DTYPES.items()}

# (target, inputs, args); args refer to inputs as "T<k>".
CASES = [
    ("linear.default", ["f32:8,10", "f32:16,10", "f32:16"], "input=T0 weight=T1 bias=T2"),
    ("linear.default", ["f32:2,3,10", "f32:16,10"], "input=T0 weight=T1"),
    ("linear.default", ["f32:4,10", "f32:10"], "input=T0 weight=T1"),
    ("addmm.default", ["f32:16", "f32:8,10", "f32:10,16"], "self=T0 mat1=T1 mat2=T2"),
    ("addmm.default", ["f32:8,1", "f32:8,10", "f32:10,16"], "self=T0 mat1=T1 mat2=T2 beta=2 alpha=0.5"),
    ("mm.default", ["f32:3,4", "f32:4,5"], "self=T0 mat2=T1"),
    ("t.default", ["f32:3,4"], "self=T0"),
    ("t.default", ["f32:3"], "self=T0"),
    ("permute.default", ["f32:2,3,4"], "self=T0 dims=[2,0,1]"),
    ("permute.default", ["f32:2,3,4"], "self=T0 dims=[-1,-3,1]"),
    ("transpose.int", ["f32:2,3,4"], "self=T0 dim0=0 dim1=-1"),
    ("view.default", ["f32:4,6"], "self=T0 size=[-1,3]"),
    ("view.default", ["f32:4,6"], "self=T0 size=[2,2,2,3]"),
    ("reshape.default", ["f32:4,6"], "self=T0 shape=[3,-1]"),
    ("_unsafe_view.default", ["f32:2,3,4"], "self=T0 size=[6,4]"),
    ("relu.default", ["f32:2,3"], "self=T0"),
    ("sigmoid.default", ["f32:5"], "self=T0"),
    ("sigmoid.default", ["i64:5"], "self=T0"),
    ("add.Tensor", ["f32:8,16", "f32:16"], "self=T0 other=T1"),
    ("add.Tensor", ["f32:8,1", "f32:1,5"], "self=T0 other=T1 alpha=2"),
    ("add.Tensor", ["i64:3", "f32:3"], "self=T0 other=T1"),
    ("add.Tensor", ["f32:3", "f64:"], "self=T0 other=T1"),
    ("add.Tensor", ["i32:3", "i64:3"], "self=T0 other=T1"),
    ("sub.Tensor", ["f32:4,1,3", "f32:2,1"], "self=T0 other=T1 alpha=3"),
    ("mul.Tensor", ["f32:2,3", "f32:"], "self=T0 other=T1"),
    ("mul.Tensor", ["b:3", "i64:3"], "self=T0 other=T1"),
    ("div.Tensor", ["f32:2,3", "f32:3"], "self=T0 other=T1"),
    ("div.Tensor", ["i64:4", "i64:4"], "self=T0 other=T1"),
    ("clone.default", ["f32:2,3"], "self=T0"),
    ("expand.default", ["f32:3,1"], "self=T0 size=[2,3,4]"),
    ("expand.default", ["f32:3,1"], "self=T0 size=[-1,5]"),
    ("unsqueeze.default", ["f32:2,3"], "self=T0 dim=0"),
    ("unsqueeze.default", ["f32:2,3"], "self=T0 dim=-1"),
    ("squeeze.dim", ["f32:2,1,3"], "self=T0 dim=1"),
    ("squeeze.dim", ["f32:2,1,3"], "self=T0 dim=0"),
    ("squeeze.dims", ["f32:1,2,1,3"], "self=T0 dim=[0,2,3]"),
    ("flatten.using_ints", ["f32:2,3,4,5"], "self=T0"),
    ("flatten.using_ints", ["f32:2,3,4,5"], "self=T0 start_dim=1 end_dim=2"),
    ("flatten.using_ints", ["f32:"], "self=T0"),
    ("alias.default", ["f32:2,3"], "self=T0"),
    ("detach.default", ["f32:2,3"], "self=T0"),
]

# The pointwise family (compiler/ops/ops_pointwise.c): every row, with the dtype rules.
T = "self=T0"
POINTWISE_CASES = [
    ("relu_.default", ["f32:2,3"], T),
    ("relu6.default", ["f32:2,3"], T),
    ("hardtanh.default", ["f32:2,3"], T + " min_val=0.0 max_val=6.0"),
    ("hardtanh_.default", ["f32:4"], T),
    ("hardswish.default", ["f32:2,3"], T),
    ("hardswish_.default", ["f32:2,3"], T),
    ("hardsigmoid.default", ["f32:2,3"], T),
    ("hardsigmoid_.default", ["f32:2,3"], T),
    ("silu.default", ["f32:2,3"], T),
    ("silu_.default", ["f32:2,3"], T),
    ("sigmoid_.default", ["f32:2,3"], T),
    ("gelu.default", ["f32:2,3"], T + " approximate='tanh'"),
    ("gelu_.default", ["f32:2,3"], T),
    ("leaky_relu.default", ["f32:2,3"], T + " negative_slope=0.2"),
    ("tanh.default", ["f32:2,3"], T),
    ("tanh.default", ["i64:3"], T),
    ("tanh_.default", ["f32:2,3"], T),
    ("exp.default", ["f64:2,3"], T),
    ("log.default", ["i32:3"], T),
    ("sqrt.default", ["f32:2,3"], T),
    ("rsqrt.default", ["f32:2,3"], T),
    ("erf.default", ["f32:2,3"], T),
    ("sin.default", ["f32:2,3"], T),
    ("cos.default", ["f32:2,3"], T),
    ("reciprocal.default", ["i64:3"], T),
    ("neg.default", ["i64:2,3"], T),
    ("abs.default", ["i8:2,3"], T),
    ("floor.default", ["f32:2,3"], T),
    ("ceil.default", ["f32:2,3"], T),
    ("trunc.default", ["f32:2,3"], T),
    ("round.default", ["f32:2,3"], T),
    ("square.default", ["f32:2,3"], T),
    ("pow.Tensor_Scalar", ["f32:2,3"], T + " exponent=3.0"),
    ("pow.Tensor_Scalar", ["i64:2,3"], T + " exponent=2"),
    ("pow.Tensor_Scalar", ["i64:2,3"], T + " exponent=0.5"),
    ("pow.Tensor_Tensor", ["f32:2,3", "f32:3"], T + " exponent=T1"),
    ("clamp.default", ["f32:2,3"], T + " min=0.0"),
    ("clamp_.default", ["f32:2,3"], T + " min=-1.0 max=1.0"),
    ("clamp_min.default", ["f32:2,3"], T + " min=0.0"),
    ("clamp_max.default", ["i64:2,3"], T + " max=4"),
    ("add.Scalar", ["i64:2,3"], T + " other=2.5"),
    ("add.Scalar", ["b:3"], T + " other=1"),
    ("add.Scalar", ["i32:3"], T + " other=7 alpha=2"),
    ("sub.Scalar", ["f32:2,3"], T + " other=1"),
    ("mul.Scalar", ["u8:4"], T + " other=3"),
    ("mul.Scalar", ["f64:4"], T + " other=0.5"),
    ("div.Scalar", ["i64:4"], T + " other=2"),
    ("div.Tensor_mode", ["i64:4", "i64:1"], T + " other=T1 rounding_mode='floor'"),
    ("div.Tensor_mode", ["i64:4", "i64:1"], T + " other=T1 rounding_mode=None"),
    ("div.Tensor_mode", ["f32:2,4", "f32:4"], T + " other=T1 rounding_mode='trunc'"),
    ("div.Scalar_mode", ["i32:4"], T + " other=3 rounding_mode='trunc'"),
    ("add_.Tensor", ["f32:2,3", "f32:3"], T + " other=T1"),
    ("add_.Scalar", ["f32:2,3"], T + " other=1.5"),
    ("sub_.Tensor", ["f32:2,3", "f32:2,1"], T + " other=T1 alpha=2"),
    ("mul_.Tensor", ["f32:2,3", "f32:"], T + " other=T1"),
    ("mul_.Scalar", ["f32:2,3"], T + " other=2"),
    ("div_.Tensor", ["f32:2,3", "f32:3"], T + " other=T1"),
    ("div_.Scalar", ["f32:2,3"], T + " other=2"),
    ("rsub.Scalar", ["f32:2,3"], T + " other=1"),
    ("rsub.Scalar", ["i64:3"], T + " other=1.5"),
    ("rsub.Tensor", ["f32:2,3", "f32:3"], T + " other=T1 alpha=2"),
    ("fmod.Scalar", ["i64:2,3"], T + " other=3"),
    ("fmod.Tensor", ["f32:2,3", "f32:3"], T + " other=T1"),
    ("remainder.Scalar", ["f32:2,3"], T + " other=1.5"),
    ("remainder.Tensor", ["i32:2,3", "i64:3"], T + " other=T1"),
    ("maximum.default", ["f32:2,3", "i64:3"], T + " other=T1"),
    ("minimum.default", ["f32:2,1", "f32:1,3"], T + " other=T1"),
    ("eq.Tensor", ["f32:2,3", "i64:3"], T + " other=T1"),
    ("eq.Scalar", ["i64:2,3"], T + " other=1.5"),
    ("ne.Tensor", ["f32:2,1", "f32:3"], T + " other=T1"),
    ("ne.Scalar", ["f32:2,3"], T + " other=0"),
    ("lt.Tensor", ["i64:2,3", "i64:"], T + " other=T1"),
    ("lt.Scalar", ["f32:2,3"], T + " other=0.5"),
    ("le.Tensor", ["f32:2,3", "f32:2,3"], T + " other=T1"),
    ("le.Scalar", ["i32:3"], T + " other=2"),
    ("gt.Tensor", ["f32:2,3", "f32:3"], T + " other=T1"),
    ("gt.Scalar", ["f32:2,3"], T + " other=0"),
    ("ge.Tensor", ["f32:2,3", "f32:3"], T + " other=T1"),
    ("ge.Scalar", ["i64:2,3"], T + " other=0"),
    ("logical_not.default", ["f32:2,3"], T),
    ("logical_and.default", ["b:2,3", "b:3"], T + " other=T1"),
    ("logical_or.default", ["f32:2,3", "i64:3"], T + " other=T1"),
    ("logical_xor.default", ["b:2,3", "b:2,1"], T + " other=T1"),
    ("bitwise_and.Tensor", ["b:2,3", "b:3"], T + " other=T1"),
    ("bitwise_and.Tensor", ["i32:2,3", "i64:3"], T + " other=T1"),
    ("bitwise_and.Scalar", ["i64:2,3"], T + " other=6"),
    ("bitwise_or.Tensor", ["b:2,3", "b:3"], T + " other=T1"),
    ("bitwise_or.Scalar", ["b:2,3"], T + " other=True"),
    ("bitwise_xor.Tensor", ["u8:2,3", "u8:3"], T + " other=T1"),
    ("bitwise_not.default", ["b:2,3"], T),
    ("__and__.Tensor", ["b:2,3", "b:3"], T + " other=T1"),
    ("__or__.Tensor", ["i64:2,3", "i64:1"], T + " other=T1"),
    ("__xor__.Tensor", ["b:2,3", "b:3"], T + " other=T1"),
    ("__and__.Scalar", ["i64:2,3"], T + " other=3"),
    ("__or__.Scalar", ["b:3"], T + " other=False"),
    ("__xor__.Scalar", ["i32:3"], T + " other=5"),
    ("bitwise_xor.Scalar", ["u8:3"], T + " other=5"),
    ("where.self", ["b:2,1", "f32:3", "f32:2,3"], "condition=T0 self=T1 other=T2"),
    ("where.self", ["b:4", "i64:4", "f32:"], "condition=T0 self=T1 other=T2"),
    ("where.ScalarOther", ["b:2,3", "f32:3"], "condition=T0 self=T1 other=0.0"),
    ("where.ScalarSelf", ["b:2,3", "i64:3"], "condition=T0 self=1 other=T1"),
    ("masked_fill.Scalar", ["f32:2,3", "b:3"], T + " mask=T1 value=-1.5"),
    ("masked_fill.Tensor", ["f32:2,3", "b:2,1", "f32:"], T + " mask=T1 value=T2"),
    ("masked_fill_.Scalar", ["i64:2,3", "b:3"], T + " mask=T1 value=5"),
    ("masked_fill_.Tensor", ["f32:2,3", "b:3", "f32:"], T + " mask=T1 value=T2"),
    ("_to_copy.default", ["f32:2,3"], T + " dtype=dt:i64"),
    ("_to_copy.default", ["i64:2,3"], T),
    ("to.dtype", ["f32:2,3"], T + " dtype=dt:b"),
    ("to.dtype_layout", ["b:2,3"], T + " dtype=dt:f32"),
    ("to.device", ["f32:2,3"], T + " device=dev:cpu dtype=dt:f64"),
    ("type_as.default", ["i64:2,3", "f64:1"], T + " other=T1"),
    ("dropout.default", ["f32:2,3"], "input=T0 p=0.1 train=False"),
    ("dropout_.default", ["f32:2,3"], T + " p=0.5 train=False"),
    ("contiguous.default", ["f32:2,3"], T),
    ("lift_fresh_copy.default", ["i64:2,3"], T),
    ("full.default", [], "size=[2,3] fill_value=1.5"),
    ("full.default", [], "size=[4] fill_value=7"),
    ("full.default", [], "size=[2,2] fill_value=True"),
    ("full.default", [], "size=[3] fill_value=1 dtype=dt:f64"),
    ("full_like.default", ["i32:2,3"], T + " fill_value=2"),
    ("full_like.default", ["f32:2,3"], T + " fill_value=2 dtype=dt:b"),
    ("zeros_like.default", ["f32:2,3"], T),
    ("ones_like.default", ["b:2,3"], T + " dtype=dt:i64"),
    ("new_zeros.default", ["f64:2,3"], T + " size=[4,5]"),
    ("new_ones.default", ["f32:2,3"], T + " size=[5] dtype=dt:i32"),
    ("new_full.default", ["i64:2"], T + " size=[2,2] fill_value=3"),
    ("zeros.default", [], "size=[2,3]"),
    ("ones.default", [], "size=[3] dtype=dt:i64"),
    ("scalar_tensor.default", [], "s=2"),
    ("scalar_tensor.default", [], "s=1.5 dtype=dt:f64"),
    ("fill_.Scalar", ["f32:2,3"], T + " value=0.5"),
    ("fill.Scalar", ["i64:4"], T + " value=3"),
    ("arange.default", [], "end=10"),
    ("arange.default", [], "end=2.5"),
    ("arange.start", [], "start=2 end=9"),
    ("arange.start_step", [], "start=0 end=10 step=3"),
    ("arange.start_step", [], "start=1.0 end=2.0 step=0.25"),
    ("arange.start_step", [], "start=10 end=0 step=-3 dtype=dt:f32"),
]


def make_tensor(spec):
    dtype, dims = spec.split(":")
    shape = [int(d) for d in dims.split(",")] if dims else []
    return torch.ones(shape, dtype=DTYPES[dtype])


def parse_value(text, tensors):
    if text.startswith("'"):
        return text[1:-1]
    if text.startswith("dt:"):
        return DTYPES[text[3:]]
    if text.startswith("dev:"):
        return torch.device(text[4:])
    if text.startswith("T") and text[1:].isdigit():
        return tensors[int(text[1:])]
    if text.startswith("["):
        return [int(v) for v in text[1:-1].split(",")]
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    return float(text) if "." in text else int(text)


def main():
    lines = ["# Generated by tests/ir/gen_op_shapes.py with torch " + torch.__version__ + " (eager)."]
    for target, inputs, args in CASES + POINTWISE_CASES:
        tensors = [make_tensor(s) for s in inputs]
        kwargs = dict(a.split("=", 1) for a in args.split())
        name, overload = target.rsplit(".", 1)
        op = getattr(getattr(torch.ops.aten, name), overload)
        out = op(**{k: parse_value(v, tensors) for k, v in kwargs.items()})
        dims = ",".join(str(d) for d in out.shape)
        lines.append("|".join([target, ";".join(inputs) or "-", args, NAMES[out.dtype], dims]))
    with open("tests/ir/op_shapes.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
