# SPDX-License-Identifier: Apache-2.0
"""mxserve.nd.save: files load in real MXNet 1.9.1 with equal values, and in mxserve."""

from __future__ import annotations

import json

import numpy as np
import pytest
from oracle.envs import run_in_oracle

import mxserve
from formats import _util as u

rng = np.random.default_rng(0)
DICT = {
    "arg:f32": rng.standard_normal((3, 4)).astype(np.float32),
    "arg:f64": rng.standard_normal((2, 1, 2)).astype(np.float64),
    "arg:f16": rng.standard_normal((5,)).astype(np.float16),
    "aux:u8": np.arange(250, 256, dtype=np.uint8),
    "aux:i8": np.array([[-128, 127]], np.int8),
    "i32": np.array([-(2**31), 2**31 - 1], np.int32),
    "i64": np.array([-(2**62), 2**62], np.int64),
    "b": np.array([True, False, True]),
    "bf16": np.array([0x3FC0, 0xC010, 0x7F80, 0x0001], np.uint16).view(mxserve.nd.bfloat16),
    "zero_size": np.zeros((0, 3), np.float32),
    "strided": np.arange(24, dtype=np.float32).reshape(4, 6)[:, ::2],
}
LIST = [np.ones((2,), np.float32), np.arange(3, dtype=np.int64)]


@pytest.fixture(scope="module")
def loaded_by_mxnet(tmp_path_factory):
    d = tmp_path_factory.mktemp("save")
    mxserve.nd.save(d / "dict.params", DICT)
    mxserve.nd.save(d / "list.params", LIST)
    run_in_oracle("1.9.1", u.HERE / "mx_load.py", str(d))
    return d


def mxnet_view(name: str, a: np.ndarray) -> tuple[str, np.ndarray]:
    if a.dtype == mxserve.nd.bfloat16:
        return "bfloat16", a.view(np.uint16)
    return a.dtype.name, a


def test_dict_loads_in_mxnet_1_9_1(loaded_by_mxnet):
    info = json.loads((loaded_by_mxnet / "dict.params.json").read_text())
    assert info["kind"] == "dict"
    with np.load(loaded_by_mxnet / "dict.params.loaded.npz") as f:
        assert sorted(f.files) == sorted(DICT)
        for k, v in DICT.items():
            dtype, want = mxnet_view(k, v)
            assert info["dtypes"][k] == dtype, k
            assert f[k].shape == want.shape, k
            np.testing.assert_array_equal(f[k], want, err_msg=k)


def test_list_loads_in_mxnet_1_9_1_as_list(loaded_by_mxnet):
    info = json.loads((loaded_by_mxnet / "list.params.json").read_text())
    assert info["kind"] == "list"
    with np.load(loaded_by_mxnet / "list.params.loaded.npz") as f:
        for i, v in enumerate(LIST):
            np.testing.assert_array_equal(f[str(i)], v)


def test_roundtrip_in_mxserve(tmp_path):
    mxserve.nd.save(tmp_path / "p.params", DICT)
    got = mxserve.nd.load(tmp_path / "p.params")
    assert list(got) == list(DICT)
    for k, v in DICT.items():
        if k == "bf16":
            np.testing.assert_array_equal(
                got[k], (v.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
            )
        else:
            assert got[k].dtype == v.dtype
            np.testing.assert_array_equal(got[k], v)


def test_writes_v2_headers_with_cpu_context(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    mxserve.nd.save(tmp_path / "p.params", {"w": a})
    assert (tmp_path / "p.params").read_bytes() == u.list_file([u.array_v2(a)], ["w"])


def test_save_rejects_zero_dim(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"'s'.*0-dimensional.*reshape it to \(1,\)"
    ):
        mxserve.nd.save(tmp_path / "p.params", {"s": np.float32(1.0)})


@pytest.mark.parametrize("dtype", ["int16", "uint16", "uint32", "uint64"])
def test_save_rejects_dtypes_mxnet_cannot_load(tmp_path, dtype):
    with pytest.raises(mxserve.UnsupportedError, match=f"'x': MXNet 1.9.1 cannot load {dtype}"):
        mxserve.nd.save(tmp_path / "p.params", {"x": np.zeros(2, dtype)})


def test_save_rejects_other_dtypes(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="'c': dtype complex64 cannot be stored"):
        mxserve.nd.save(tmp_path / "p.params", {"c": np.zeros(2, np.complex64)})


def test_save_rejects_non_string_names(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="names must be strings"):
        mxserve.nd.save(tmp_path / "p.params", {1: np.zeros(2, np.float32)})
