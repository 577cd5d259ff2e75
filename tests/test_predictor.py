# SPDX-License-Identifier: Apache-2.0
"""The Python Predictor contract: loading, properties, reshape, internal outputs, threads, errors."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from oracle.cases import case, run_cases

import mxserve

NET = case(
    "small_net",
    "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8, name='conv1')\n"
    "a = mx.sym.Activation(c, act_type='relu', name='relu1')\n"
    "out = mx.sym.FullyConnected(a, num_hidden=10, name='fc1')",
    data=(2, 3, 8, 8),
)


@pytest.fixture(scope="module")
def model_dir():
    return run_cases([NET]) / NET.name


@pytest.fixture()
def predictor(model_dir):
    return mxserve.Predictor(
        model_dir / "symbol.json", model_dir / "model.params", input_shapes={"data": (2, 3, 8, 8)}
    )


def inputs(model_dir):
    with np.load(model_dir / "inputs.npz") as f:
        return f["data"]


def expected(model_dir):
    with np.load(model_dir / "outputs.npz") as f:
        return f["arr_0"]


def test_properties(predictor):
    assert predictor.input_names == ["data"]
    assert predictor.output_names == ["fc1_output"]
    assert predictor.output_shapes == [(2, 10)]
    info = predictor.info()
    # the relu is fused into the convolution by the bind-time passes (a fused convolution)
    assert info["ops"] == {"_sg_mkldnn_conv": 1, "FullyConnected": 1}
    assert info["parameter_bytes"] == 4 * (8 * 3 * 9 + 8 + 10 * 8 * 64 + 10)
    assert info["backend"] == "cpu_onednn"
    assert info["num_threads"] >= 1


def test_load_from_text_and_bytes(model_dir):
    p = mxserve.Predictor(
        (model_dir / "symbol.json").read_text(),
        (model_dir / "model.params").read_bytes(),
        input_shapes={"data": (2, 3, 8, 8)},
    )
    np.testing.assert_allclose(
        p(data=inputs(model_dir))[0], expected(model_dir), rtol=1e-5, atol=1e-5
    )


def test_positional_call(predictor, model_dir):
    np.testing.assert_allclose(
        predictor(inputs(model_dir))[0], expected(model_dir), rtol=1e-5, atol=1e-5
    )


def test_cpu_calls_are_not_recorded(predictor, model_dir):
    # Recording and replay (CUDA graphs) is a device backend's; the CPU runs every call directly.
    for _ in range(3):
        predictor(inputs(model_dir))
    info = predictor.info()
    assert info["replayed_calls"] == 0
    assert info["recording_error"] == ""


def test_reshape_shares_weights(predictor, model_dir):
    x = inputs(model_dir)
    before = predictor.info()["prepacked_weight_bytes"]
    p1 = predictor.reshape({"data": (1, 3, 8, 8)})
    assert p1.output_shapes == [(1, 10)]
    np.testing.assert_allclose(p1(data=x[:1])[0], expected(model_dir)[:1], rtol=1e-5, atol=1e-5)
    assert p1.info()["prepacked_weight_bytes"] <= 2 * before
    # the original still works
    np.testing.assert_allclose(predictor(data=x)[0], expected(model_dir), rtol=1e-5, atol=1e-5)


def test_internal_outputs(model_dir):
    p = mxserve.Predictor(
        model_dir / "symbol.json",
        model_dir / "model.params",
        input_shapes={"data": (2, 3, 8, 8)},
        outputs=["relu1_output", "fc1_output"],
    )
    assert p.output_names == ["relu1_output", "fc1_output"]
    relu, fc = p(data=inputs(model_dir))
    assert relu.shape == (2, 8, 8, 8) and (relu >= 0).all()
    np.testing.assert_allclose(fc, expected(model_dir), rtol=1e-5, atol=1e-5)


def test_many_threads_match_sequential(model_dir):
    p = mxserve.Predictor(
        model_dir / "symbol.json",
        model_dir / "model.params",
        input_shapes={"data": (2, 3, 8, 8)},
        num_threads=1,
    )
    rng = np.random.default_rng(0)
    xs = [rng.uniform(-1, 1, (2, 3, 8, 8)).astype(np.float32) for _ in range(8)]
    sequential = [p(data=x)[0] for x in xs]
    results: list = [None] * 8
    errors: list = []

    def work(i: int) -> None:
        try:
            for _ in range(20):
                out = p(data=xs[i])[0]
                if not np.array_equal(out, sequential[i]):
                    errors.append(i)
            results[i] = out
        except Exception as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    for i in range(8):
        assert np.array_equal(results[i], sequential[i])


def test_predictor_rejects_wrong_input_shape(predictor):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"input 'data' has shape \(1, 3, 8, 8\).*\(2, 3, 8, 8\)"
    ):
        predictor(data=np.zeros((1, 3, 8, 8), np.float32))


def test_predictor_rejects_wrong_input_dtype(predictor):
    with pytest.raises(mxserve.InvalidArgumentError, match="input 'data' has dtype float64"):
        predictor(data=np.zeros((2, 3, 8, 8), np.float64))


def test_predictor_rejects_unknown_input_name(predictor):
    with pytest.raises(mxserve.NotFoundError, match="unknown input"):
        predictor(images=np.zeros((2, 3, 8, 8), np.float32))


def test_predictor_rejects_missing_input(predictor):
    with pytest.raises(mxserve.InvalidArgumentError, match="missing input"):
        predictor()


def test_predictor_rejects_unknown_bind_input(model_dir):
    with pytest.raises(
        mxserve.NotFoundError, match="'image' is not an input of the graph; inputs: data"
    ):
        mxserve.Predictor(
            model_dir / "symbol.json",
            model_dir / "model.params",
            input_shapes={"image": (1, 3, 8, 8)},
        )


def test_predictor_rejects_bad_bind_shape(model_dir):
    with pytest.raises(
        mxserve.InvalidArgumentError, match="failed to infer shape of FullyConnected node 'fc1'"
    ):
        mxserve.Predictor(
            model_dir / "symbol.json",
            model_dir / "model.params",
            input_shapes={"data": (2, 3, 9, 9)},
        )


def test_predictor_rejects_unknown_output(model_dir):
    with pytest.raises(mxserve.NotFoundError, match="requested output 'nope'"):
        mxserve.Predictor(
            model_dir / "symbol.json",
            model_dir / "model.params",
            input_shapes={"data": (2, 3, 8, 8)},
            outputs=["nope"],
        )


def test_predictor_rejects_missing_files(tmp_path):
    with pytest.raises(mxserve.NotFoundError, match="cannot read symbol file"):
        mxserve.Predictor.load(tmp_path / "nothing", 0, input_shapes={"data": (1, 3)})


# -- devices ---------------------------------------------------------------------------------
def _cuda_built() -> bool:
    return any(kind == "cuda" for _, kind in mxserve.predictor._runtime.backends())


@pytest.mark.parametrize("device", ["cuda:0", "cuda", "gpu(0)", "gpu:0", "GPU(1)"])
def test_predictor_rejects_cuda_device_on_cpu_build(model_dir, device):
    if _cuda_built():
        pytest.skip("this build has the CUDA backend")
    with pytest.raises(
        mxserve.UnsupportedError, match=r"built without CUDA \(MXSERVE_WITH_CUDA=OFF\)"
    ):
        mxserve.Predictor(
            model_dir / "symbol.json",
            model_dir / "model.params",
            input_shapes={"data": (2, 3, 8, 8)},
            device=device,
        )


def test_predictor_load_rejects_cuda_device_on_cpu_build(model_dir, tmp_path):
    if _cuda_built():
        pytest.skip("this build has the CUDA backend")
    (tmp_path / "net-symbol.json").write_bytes((model_dir / "symbol.json").read_bytes())
    (tmp_path / "net-0000.params").write_bytes((model_dir / "model.params").read_bytes())
    with pytest.raises(mxserve.UnsupportedError, match=r"cuda:0 .*MXSERVE_WITH_CUDA=OFF"):
        mxserve.Predictor.load(
            tmp_path / "net", input_shapes={"data": (2, 3, 8, 8)}, device="cuda:0"
        )


@pytest.mark.parametrize(
    ("device", "message"),
    [
        ("cuda:x", "malformed device 'cuda:x'"),
        ("gpu(0", "malformed device 'gpu\\(0'"),
        ("cuda:", "malformed device 'cuda:'"),
        ("tpu", "unknown device 'tpu'"),
        ("", "unknown device ''"),
        ("cpu(1)", "the CPU is device 0"),
    ],
)
def test_predictor_rejects_malformed_device(model_dir, device, message):
    with pytest.raises(mxserve.InvalidArgumentError, match=message):
        mxserve.Predictor(
            model_dir / "symbol.json",
            model_dir / "model.params",
            input_shapes={"data": (2, 3, 8, 8)},
            device=device,
        )


@pytest.mark.parametrize("device", ["cpu", "cpu(0)", "cpu:0", "CPU"])
def test_predictor_accepts_cpu_spellings(model_dir, device):
    p = mxserve.Predictor(
        model_dir / "symbol.json",
        model_dir / "model.params",
        input_shapes={"data": (2, 3, 8, 8)},
        device=device,
    )
    info = p.info()
    assert (info["backend"], info["device"]) == ("cpu_onednn", "cpu(0)")
    out = p(data=inputs(model_dir))[0]
    np.testing.assert_allclose(out, expected(model_dir), rtol=1e-5, atol=1e-5)


def test_compute_dtypes_lists_float32_first():
    names = mxserve.predictor.compute_dtypes()
    assert names[0] == "float32" and "bfloat16" in names


# -- outputs written in place ------------------------------------------------------------------
SHARED_OUTPUTS = case(
    "shared_outputs",
    "a = mx.sym.Activation(data, act_type='relu', name='relu1')\n"
    "f = mx.sym.Flatten(a, name='flat1')\n"
    "s = mx.sym.sigmoid(a, name='sig1')\n"
    "out = mx.sym.Group([a, f, s, a])",
    data=(2, 3, 4, 4),
)


def test_outputs_that_share_storage_or_feed_later_nodes():
    # relu1 is an output that later nodes read, that an identity op aliases and that is
    # requested twice: each returned array must still hold its own value.
    folder = run_cases([SHARED_OUTPUTS]) / SHARED_OUTPUTS.name
    p = mxserve.Predictor(
        folder / "symbol.json", folder / "model.params", input_shapes={"data": (2, 3, 4, 4)}
    )
    with np.load(folder / "inputs.npz") as f:
        x = f["data"]
    with np.load(folder / "outputs.npz") as f:
        want = [f[f"arr_{i}"] for i in range(4)]
    for _ in range(2):
        got = p(data=x)
        assert [g.shape for g in got] == [w.shape for w in want]
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
        assert not np.shares_memory(got[0], got[3])


def test_each_call_returns_fresh_output_arrays(predictor, model_dir):
    x = inputs(model_dir)
    first = predictor(data=x)[0]
    second = predictor(data=np.zeros_like(x))[0]
    np.testing.assert_allclose(first, expected(model_dir), rtol=1e-5, atol=1e-5)
    assert not np.shares_memory(first, second)
