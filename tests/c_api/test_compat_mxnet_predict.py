# SPDX-License-Identifier: Apache-2.0
"""mxserve.compat.mxnet_predict: the amalgamation client's API on libmxnet_predict."""

from __future__ import annotations

import inspect
import pathlib
import threading

import numpy as np
import pytest

import mxserve
from c_api import _capi
from mxserve import nd
from mxserve.compat import mxnet_predict
from mxserve.compat.mxnet_predict import Predictor, load_ndarray_file


@pytest.fixture(scope="module")
def mlp(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, dict[str, np.ndarray]]:
    folder = tmp_path_factory.mktemp("compat")
    return folder, _capi.write_mlp(folder)


def _predictor(folder: pathlib.Path, batch: int = 4, **kw: object) -> Predictor:
    return Predictor(
        (folder / "mlp-symbol.json").read_text(),
        (folder / "mlp-0000.params").read_bytes(),
        {"data": (batch, 20)},
        **kw,
    )


def test_signatures_match_mxnet_amalgamation() -> None:
    # MXNet 1.9.1 amalgamation/python/mxnet_predict.py
    assert mxnet_predict.__all__ == ["Predictor", "load_ndarray_file"]
    assert list(inspect.signature(Predictor.__init__).parameters) == [
        "self",
        "symbol_file",
        "param_raw_bytes",
        "input_shapes",
        "dev_type",
        "dev_id",
        "type_dict",
    ]
    sig = inspect.signature(Predictor.__init__).parameters
    assert (sig["dev_type"].default, sig["dev_id"].default, sig["type_dict"].default) == (
        "cpu",
        0,
        None,
    )
    assert str(inspect.signature(Predictor.forward)) == "(self, **kwargs: 'np.ndarray') -> 'None'"
    assert list(inspect.signature(Predictor.get_output).parameters) == ["self", "index"]
    assert list(inspect.signature(Predictor.reshape).parameters) == ["self", "input_shapes"]
    monitor = inspect.signature(Predictor.set_monitor_callback).parameters
    assert (
        list(monitor) == ["self", "callback", "monitor_all"]
        and monitor["monitor_all"].default is False
    )
    assert list(inspect.signature(load_ndarray_file).parameters) == ["nd_bytes"]


def test_forward_get_output_reshape(mlp: tuple[pathlib.Path, dict[str, np.ndarray]]) -> None:
    folder, ref = mlp
    p = _predictor(folder)
    p.forward(data=ref["x"])
    y = p.get_output(0)
    assert y.dtype == np.float32 and y.shape == (4, 10)
    np.testing.assert_allclose(y, ref["y"], rtol=1e-5, atol=1e-6)
    p.reshape({"data": (1, 20)})
    p.forward(data=ref["x"][2:3])
    np.testing.assert_allclose(p.get_output(0), ref["y"][2:3], rtol=1e-5, atol=1e-6)


def test_type_dict(mlp: tuple[pathlib.Path, dict[str, np.ndarray]]) -> None:
    folder, ref = mlp
    p = _predictor(folder, type_dict={"data": np.float32})
    p.forward(data=ref["x"].astype(np.float64))  # converted to the type_dict dtype
    np.testing.assert_allclose(p.get_output(0), ref["y"], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="number of kwargs"):
        p.forward()


def test_forward_rejects_non_arrays(mlp: tuple[pathlib.Path, dict[str, np.ndarray]]) -> None:
    p = _predictor(mlp[0])
    with pytest.raises(ValueError, match="Expect numpy ndarray"):
        p.forward(data=[[0.0] * 20] * 4)


def test_errors_are_runtime_errors_with_the_library_message(
    mlp: tuple[pathlib.Path, dict[str, np.ndarray]],
) -> None:
    folder, ref = mlp
    p = _predictor(folder)
    with pytest.raises(RuntimeError, match="unknown input key 'dta'") as info:
        p.forward(dta=ref["x"])
    assert isinstance(info.value, mxserve.MXServeError)
    with pytest.raises(RuntimeError, match="size 20 does not match"):
        p.forward(data=ref["x"][:1])
    with pytest.raises(ValueError, match="dict str->tuple"):
        Predictor("{}", b"", {"data": [1, 20]})
    with pytest.raises(RuntimeError, match="gpu"):
        _predictor(folder, dev_type="gpu")


def test_monitor_callback(mlp: tuple[pathlib.Path, dict[str, np.ndarray]]) -> None:
    folder, ref = mlp
    p = _predictor(folder)
    seen: list[bytes] = []
    p.set_monitor_callback(lambda name, arr: seen.append(name))
    p.forward(data=ref["x"])
    assert seen == [b"fc1_output", b"relu1_output", b"fc2_output", b"softmax_output"]
    seen.clear()
    p.set_monitor_callback(lambda name, arr: seen.append(name), monitor_all=True)
    p.forward(data=ref["x"])
    assert seen[:4] == [b"data", b"fc1_data", b"fc1_weight", b"fc1_weight"]


def test_load_ndarray_file(tmp_path: pathlib.Path) -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    nd.save(tmp_path / "named.nd", {"mean": a, "idx": np.array([1, 2], np.int64)})
    got = load_ndarray_file((tmp_path / "named.nd").read_bytes())
    assert isinstance(got, dict) and list(got) == ["mean", "idx"]
    np.testing.assert_array_equal(got["mean"], a)
    assert got["idx"].dtype == np.float32 and got["idx"].tolist() == [1.0, 2.0]
    nd.save(tmp_path / "list.nd", [a, a + 1])
    got = load_ndarray_file(bytearray((tmp_path / "list.nd").read_bytes()))
    assert isinstance(got, list) and len(got) == 2
    np.testing.assert_array_equal(got[1], a + 1)
    with pytest.raises(RuntimeError, match="MXNDListCreate"):
        load_ndarray_file(b"\x12\x01\x00\x00\x00\x00\x00\x00\x05")


def test_threads_with_their_own_predictors(mlp: tuple[pathlib.Path, dict[str, np.ndarray]]) -> None:
    folder, ref = mlp
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        p = _predictor(folder)
        for _ in range(20):
            p.forward(data=ref["x"] * (i + 1))
        results[i] = p.get_output(0)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        p = _predictor(folder)
        p.forward(data=ref["x"] * (i + 1))
        np.testing.assert_array_equal(results[i], p.get_output(0))
