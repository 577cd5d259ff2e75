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
    # the relu is fused into the convolution by the bind-time passes
    assert info["ops"] == {"Convolution": 1, "FullyConnected": 1}
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
