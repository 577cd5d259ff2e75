# SPDX-License-Identifier: Apache-2.0
"""Devices: without a usable GPU, cuda:0 is a clear MXServeError naming what is missing; with
one, an operator without a CUDA kernel runs on the CPU (listed in info()["host_fallback"]) with
the CPU's numbers, and the basic CUDA kernels give the numbers of their CPU counterparts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ops._harness import one_node_symbol

import mxserve
from gpu.conftest import GPU_REASON, needs_gpu


@pytest.mark.skipif(not GPU_REASON, reason="a GPU is present")
def test_cuda_without_gpu_is_a_clear_error() -> None:
    sym = one_node_symbol("Activation", {"act_type": "relu"})
    with pytest.raises(mxserve.MXServeError) as e:
        mxserve.Predictor(sym, None, input_shapes={"data": (2, 3)}, device="cuda:0")
    msg = str(e.value)
    assert "cuda" in msg.lower()
    assert "MXSERVE_WITH_CUDA" in msg or "CUDA" in msg


def _blob(params: dict[str, np.ndarray] | None) -> bytes | None:
    """`params` as the bytes of a .params file."""
    import tempfile

    if not params:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/p.params"
        mxserve.nd.save(path, {f"arg:{k}": v for k, v in params.items()})
        with open(path, "rb") as f:
            return f.read()


def _both(
    sym: str,
    params: dict[str, np.ndarray] | None,
    shapes: dict[str, tuple[int, ...]],
    feed: dict[str, np.ndarray],
) -> tuple[list[np.ndarray], list[np.ndarray], dict]:
    blob = _blob(params)
    cpu = mxserve.Predictor(sym, blob, input_shapes=shapes)
    gpu = mxserve.Predictor(sym, blob, input_shapes=shapes, device="cuda:0")
    return cpu(**feed), gpu(**feed), gpu.info()


@needs_gpu
def test_operator_without_cuda_kernel_runs_on_the_host() -> None:
    # A prelu gamma of one slope per image (shape (N, 1)) has no CUDA kernel.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 5, 5)).astype(np.float32)
    gamma = rng.uniform(0.1, 0.5, (2, 1)).astype(np.float32)
    sym = one_node_symbol("LeakyReLU", {"act_type": "prelu"}, inputs=("data", "gamma"))
    want, got, info = _both(sym, {"gamma": gamma}, {"data": x.shape}, {"data": x})
    assert info["host_fallback"] == ["n"]
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6, atol=1e-7)
    # An independent formula: prelu(x) = x for x > 0, gamma[n] * x otherwise.
    np.testing.assert_allclose(got[0], np.where(x > 0, x, gamma[:, :, None, None] * x), rtol=1e-6)


@needs_gpu
@pytest.mark.parametrize("slopes", [4, 1])
def test_prelu_runs_on_cuda(slopes: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 5, 5)).astype(np.float32)
    gamma = rng.uniform(0.1, 0.5, (slopes,)).astype(np.float32)
    sym = one_node_symbol("LeakyReLU", {"act_type": "prelu"}, inputs=("data", "gamma"))
    want, got, info = _both(sym, {"gamma": gamma}, {"data": x.shape}, {"data": x})
    assert info["host_fallback"] == []
    slope = gamma[None, :, None, None] if slopes > 1 else gamma[0]
    np.testing.assert_allclose(got[0], np.where(x > 0, x, slope * x), rtol=1e-6)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6, atol=1e-7)


def _conv_prelu_conv() -> str:
    """data -> 3x3 Convolution (8) -> prelu (per channel) -> 3x3 Convolution (8) -> 2x2 max
    Pooling: every activation between the convolutions may be channels-last."""
    nodes = [
        {"op": "null", "name": "data", "inputs": []},
        {"op": "null", "name": "w1", "inputs": []},
        {
            "op": "Convolution",
            "name": "c1",
            "attrs": {"kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "8", "no_bias": "True"},
            "inputs": [[0, 0, 0], [1, 0, 0]],
        },
        {"op": "null", "name": "gamma", "inputs": []},
        {
            "op": "LeakyReLU",
            "name": "p",
            "attrs": {"act_type": "prelu"},
            "inputs": [[2, 0, 0], [3, 0, 0]],
        },
        {"op": "null", "name": "w2", "inputs": []},
        {
            "op": "Convolution",
            "name": "c2",
            "attrs": {"kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "8", "no_bias": "True"},
            "inputs": [[4, 0, 0], [5, 0, 0]],
        },
        {
            "op": "Pooling",
            "name": "pool",
            "attrs": {"kernel": "(2, 2)", "stride": "(2, 2)", "pool_type": "max"},
            "inputs": [[6, 0, 0]],
        },
    ]
    return json.dumps({"nodes": nodes, "arg_nodes": [0, 1, 3, 5], "heads": [[7, 0, 0]]})


@needs_gpu
def test_channels_last_graph_with_prelu_matches_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    params = {
        "w1": rng.standard_normal((8, 3, 3, 3)).astype(np.float32) * 0.3,
        "gamma": rng.uniform(0.1, 0.5, (8,)).astype(np.float32),
        "w2": rng.standard_normal((8, 8, 3, 3)).astype(np.float32) * 0.2,
    }
    x = rng.standard_normal((2, 3, 12, 10)).astype(np.float32)
    monkeypatch.setenv("MXSERVE_LAYOUT", "channels_last")
    want, got, info = _both(_conv_prelu_conv(), params, {"data": x.shape}, {"data": x})
    kernels = dict(info["kernels"])
    assert info["host_fallback"] == []
    assert kernels["p"] == "cuda:prelu"
    assert kernels["c2"].endswith(":nhwc"), kernels
    np.testing.assert_allclose(got[0], want[0], rtol=1e-4, atol=1e-5)


@needs_gpu
@pytest.mark.parametrize(
    ("op", "attrs"),
    [
        ("Activation", {"act_type": "relu"}),
        ("Activation", {"act_type": "sigmoid"}),
        ("Activation", {"act_type": "tanh"}),
        ("softmax", {"axis": "1"}),
        ("Pooling", {"kernel": "(3, 3)", "stride": "(2, 2)", "pool_type": "max"}),
        (
            "Pooling",
            {
                "kernel": "(3, 3)",
                "stride": "(2, 2)",
                "pad": "(1, 1)",
                "pool_type": "avg",
                "pooling_convention": "full",
            },
        ),
        (
            "Pooling",
            {
                "kernel": "(3, 3)",
                "stride": "(2, 2)",
                "pad": "(1, 1)",
                "pool_type": "avg",
                "count_include_pad": "False",
            },
        ),
        ("Pooling", {"global_pool": "True", "kernel": "(1, 1)", "pool_type": "avg"}),
        ("clip", {"a_min": "-0.5", "a_max": "0.5"}),
        ("transpose", {"axes": "(0, 2, 3, 1)"}),
        ("_plus_scalar", {"scalar": "1.5"}),
        ("_rdiv_scalar", {"scalar": "2"}),
    ],
)
def test_unary_kernels_match_cpu(op: str, attrs: dict[str, str]) -> None:
    x = np.random.default_rng(1).standard_normal((2, 3, 9, 9)).astype(np.float32)
    want, got, info = _both(one_node_symbol(op, attrs), None, {"data": x.shape}, {"data": x})
    assert info["host_fallback"] == []
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)


@needs_gpu
@pytest.mark.parametrize(
    ("op", "lhs", "rhs"),
    [
        ("elemwise_add", (2, 3, 4), (2, 3, 4)),
        ("elemwise_mul", (2, 3, 4), (2, 3, 4)),
        ("broadcast_add", (2, 3, 4), (1, 3, 1)),
        ("broadcast_maximum", (2, 1, 4), (1, 3, 1)),
        ("dot", (5, 7), (7, 3)),
        ("batch_dot", (2, 5, 7), (2, 7, 3)),
        ("Concat", (2, 3, 4), (2, 5, 4)),
    ],
)
def test_binary_kernels_match_cpu(op: str, lhs: tuple[int, ...], rhs: tuple[int, ...]) -> None:
    rng = np.random.default_rng(2)
    a = rng.standard_normal(lhs).astype(np.float32)
    b = rng.standard_normal(rhs).astype(np.float32)
    attrs = {"num_args": "2", "dim": "1"} if op == "Concat" else None
    sym = one_node_symbol(op, attrs, inputs=("a", "b"))
    want, got, info = _both(sym, None, {"a": lhs, "b": rhs}, {"a": a, "b": b})
    assert info["host_fallback"] == []
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-5)


@needs_gpu
@pytest.mark.parametrize(
    ("op", "attrs", "shapes", "num_outputs"),
    [
        ("tile", {"reps": "(2, 1, 3)"}, {"data": (2, 3, 4)}, 1),
        ("repeat", {"repeats": "2", "axis": "-1"}, {"data": (2, 3, 4)}, 1),
        ("repeat", {"repeats": "3"}, {"data": (2, 3, 4)}, 1),
        (
            "slice",
            {"begin": "(None, 2, 1)", "end": "(None, 0, None)", "step": "(1, -1, 2)"},
            {"data": (2, 3, 4)},
            1,
        ),
        ("slice_axis", {"axis": "1", "begin": "1", "end": "3"}, {"data": (2, 3, 4)}, 1),
        ("slice_like", {"axes": "(0, 2)"}, {"data": (2, 3, 4), "shape_like": (1, 3, 2)}, 1),
        ("SliceChannel", {"num_outputs": "3", "axis": "1"}, {"data": (2, 3, 4)}, 3),
        ("_split_v2", {"indices": "(0, 1, 3)", "axis": "2"}, {"data": (2, 3, 4)}, 3),
        (
            "Crop",
            {"num_args": "1", "h_w": "(2, 3)", "offset": "(1, 1)"},
            {"data": (2, 3, 4, 5)},
            1,
        ),
        ("depth_to_space", {"block_size": "2"}, {"data": (1, 8, 2, 3)}, 1),
        ("space_to_depth", {"block_size": "2"}, {"data": (1, 2, 4, 6)}, 1),
        ("reverse", {"axis": "(0, 2)"}, {"data": (2, 3, 4)}, 1),
        ("broadcast_to", {"shape": "(2, 3, 4)"}, {"data": (2, 1, 4)}, 1),
        ("broadcast_axis", {"axis": "(0, 2)", "size": "(3, 5)"}, {"data": (1, 3, 1)}, 1),
        ("broadcast_like", None, {"lhs": (1, 3, 1), "rhs": (2, 3, 4)}, 1),
        ("stack", {"num_args": "2", "axis": "1"}, {"arg0": (2, 3, 4), "arg1": (2, 3, 4)}, 1),
    ],
)
def test_data_movement_kernels_match_cpu(
    op: str, attrs: dict[str, str] | None, shapes: dict[str, tuple[int, ...]], num_outputs: int
) -> None:
    rng = np.random.default_rng(3)
    feed = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    sym = one_node_symbol(op, attrs, inputs=tuple(shapes), num_outputs=num_outputs)
    want, got, info = _both(sym, None, shapes, feed)
    assert info["host_fallback"] == []
    assert len(got) == num_outputs
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@needs_gpu
def test_calls_are_replayed_from_cuda_graphs_with_new_inputs() -> None:
    # A context's second call is captured and later calls replay it: each must still compute on
    # its own input (the graph reads the context's input buffer, refilled per call).
    rng = np.random.default_rng(4)
    params = {
        "w1": rng.standard_normal((8, 3, 3, 3)).astype(np.float32) * 0.3,
        "gamma": rng.uniform(0.1, 0.5, (8,)).astype(np.float32),
        "w2": rng.standard_normal((8, 8, 3, 3)).astype(np.float32) * 0.2,
    }
    xs = [rng.standard_normal((2, 3, 12, 10)).astype(np.float32) for _ in range(3)]
    shapes = {"data": xs[0].shape}
    cpu = mxserve.Predictor(_conv_prelu_conv(), _blob(params), input_shapes=shapes)
    gpu = mxserve.Predictor(_conv_prelu_conv(), _blob(params), input_shapes=shapes, device="cuda:0")
    want = [cpu(data=x)[0] for x in xs]
    for call in range(7):
        (got,) = gpu(data=xs[call % 3])
        np.testing.assert_allclose(
            got, want[call % 3], rtol=1e-4, atol=1e-5, err_msg=f"call {call}"
        )
    info = gpu.info()
    assert info["recording_error"] == ""
    assert info["replayed_calls"] == 6, info["replayed_calls"]


@needs_gpu
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_reduced_mode_converts_a_float32_parameter_operand(dtype: str) -> None:
    # broadcast_add of a convolution's reduced output and a bias parameter, which stays float32,
    # between two convolutions (so that the sum is stored reduced; a bias of lower rank is not
    # tied to the activations' dtype): the bias is converted once at bind and the node runs on
    # the GPU, not on the host.
    conv = {"kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "8", "no_bias": "True"}
    nodes = [
        {"op": "null", "name": "data", "inputs": []},
        {"op": "null", "name": "w", "inputs": []},
        {"op": "Convolution", "name": "conv", "attrs": conv, "inputs": [[0, 0, 0], [1, 0, 0]]},
        {"op": "null", "name": "b", "inputs": []},
        {"op": "broadcast_add", "name": "add", "inputs": [[2, 0, 0], [3, 0, 0]]},
        {"op": "Activation", "name": "act", "attrs": {"act_type": "relu"}, "inputs": [[4, 0, 0]]},
        {"op": "null", "name": "w2", "inputs": []},
        {
            "op": "Convolution",
            "name": "conv2",
            "attrs": {"kernel": "(1, 1)", "num_filter": "4", "no_bias": "True"},
            "inputs": [[5, 0, 0], [6, 0, 0]],
        },
    ]
    sym = json.dumps({"nodes": nodes, "arg_nodes": [0, 1, 3, 6], "heads": [[7, 0, 0]]})
    rng = np.random.default_rng(5)
    params = {
        "w": rng.standard_normal((8, 3, 3, 3)).astype(np.float32) * 0.3,
        "b": rng.standard_normal((8, 1, 1)).astype(np.float32),
        "w2": rng.standard_normal((4, 8, 1, 1)).astype(np.float32) * 0.3,
    }
    x = rng.standard_normal((2, 3, 10, 10)).astype(np.float32)
    shapes = {"data": x.shape}
    (want,) = mxserve.Predictor(sym, _blob(params), input_shapes=shapes)(data=x)
    gpu = mxserve.Predictor(sym, _blob(params), input_shapes=shapes, device="cuda:0", dtype=dtype)
    info = gpu.info()
    assert info["host_fallback"] == []
    assert dict(info["kernels"])["add"].endswith("+converted_params"), info["kernels"]
    (got,) = gpu(data=x)
    scale = float(np.max(np.abs(want)))
    np.testing.assert_allclose(got, want, rtol=2e-2, atol=2e-2 * scale)
