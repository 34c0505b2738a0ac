"""The ONNX Runtime session bench/bench.py times, shared with its cold-start child process (which
must not import torch, hence a module of its own): CPU provider, intra-op threads = threads,
inter-op 1, sequential execution, all graph optimizations."""

import onnxruntime as ort


def ort_session(onnx_path, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
