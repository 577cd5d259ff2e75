# SPDX-License-Identifier: Apache-2.0
"""0x112 NDArray lists: files written by MXNet 1.9.1 (V2 and, in numpy shape mode, V3) and
hand-built legacy/V1/V2 records for the headers MXNet no longer writes."""

from __future__ import annotations

import struct

import numpy as np
import pytest

import mxserve
from formats import _util as u


@pytest.fixture(scope="module")
def mx19():
    return u.oracle_files("1.9.1")


@pytest.mark.parametrize(
    "fname", ["nd_dense.params", "nd_list.params", "fc-0000.params", "v3.params"]
)
def test_load_matches_mxnet_1_9_1(mx19, fname):
    got = mxserve.nd.load(mx19 / fname)
    want = u.expected_arrays(mx19 / fname)
    assert list(got) == list(want) or sorted(got) == sorted(want)
    for k, w in want.items():
        assert got[k].dtype == w.dtype, k
        assert got[k].shape == w.shape, k
        np.testing.assert_array_equal(got[k], w, err_msg=k)


def test_load_keeps_file_order_and_dtypes(mx19):
    got = mxserve.nd.load(mx19 / "nd_dense.params")
    assert {k: v.dtype.name for k, v in got.items()} == {
        "arg:f32": "float32",
        "arg:f64": "float64",
        "arg:f16": "float16",
        "aux:u8": "uint8",
        "aux:i8": "int8",
        "i32": "int32",
        "i64": "int64",
        "b": "bool",
        "arg:bf16": "float32",
    }


def test_v3_scalar_and_zero_size(mx19):
    got = mxserve.nd.load(mx19 / "v3.params")
    assert got["scalar"].shape == () and got["scalar"] == np.float32(2.5)
    assert got["zero"].shape == (0, 3)


def test_unnamed_list_gets_index_keys(mx19):
    got = mxserve.nd.load(mx19 / "nd_list.params")
    assert list(got) == ["0", "1"]


@pytest.mark.parametrize("fname", ["sparse_rs.params", "sparse_csr.params"])
def test_sparse_rejected_naming_array(mx19, fname):
    name, stype = u.rejected(mx19)[fname]
    with pytest.raises(
        mxserve.UnsupportedError, match=rf"'arg:{name}'.*sparse storage type {stype}"
    ):
        mxserve.nd.load(mx19 / fname)


def test_predictor_runs_module_checkpoint(mx19):
    params = mxserve.nd.load(mx19 / "fc-0000.params")
    p = mxserve.Predictor(
        mx19 / "fc-symbol.json", mx19 / "fc-0000.params", input_shapes={"data": (2, 3)}
    )
    x = np.random.default_rng(1).standard_normal((2, 3)).astype("float32")
    ref = np.maximum(x @ params["arg:fc1_weight"].T + params["arg:fc1_bias"], 0)
    np.testing.assert_allclose(p(data=x)[0], ref, rtol=1e-5, atol=1e-6)


# ---- headers MXNet 1.9.1 no longer writes, built by tests/formats/_util.py ----

ALL_DTYPES = [
    "float32",
    "float64",
    "float16",
    "uint8",
    "int8",
    "int32",
    "int64",
    "bool",
    "int16",
    "uint16",
    "uint32",
    "uint64",
]


def sample(dtype: str, shape=(2, 3)) -> np.ndarray:
    rng = np.random.default_rng(ALL_DTYPES.index(dtype))
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.startswith(("int", "uint")):
        return rng.integers(0, 100, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("header", ["legacy", "v1", "v2", "v3"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_every_header_version_and_dtype(header, dtype):
    a = sample(dtype)
    rec = {
        "legacy": u.array_legacy,
        "v1": u.array_v1,
        "v2": u.array_v2,
        "v3": lambda x: u.array_v2(x, magic=u.V3_MAGIC),
    }[header](a)
    got = mxserve.nd.load(u.list_file([rec, rec], ["arg:a", "aux:b"]))
    assert list(got) == ["arg:a", "aux:b"]
    for v in got.values():
        assert v.dtype == a.dtype and v.shape == a.shape
        np.testing.assert_array_equal(v, a)


def test_bfloat16_flag_loads_as_float32():
    bits = np.array([0x3FC0, 0xC010, 0x0000, 0x7F80], np.uint16)  # 1.5, -2.25, 0, inf
    rec = (
        struct.pack("<Iii", u.V2_MAGIC, 0, 1)
        + struct.pack("<q", 4)
        + struct.pack("<iii", 1, 0, 12)
        + bits.tobytes()
    )
    got = mxserve.nd.load(u.list_file([rec], ["w"]))["w"]
    np.testing.assert_array_equal(got, np.array([1.5, -2.25, 0, np.inf], np.float32))


def test_context_is_ignored():
    a = sample("float32")
    got = mxserve.nd.load(u.list_file([u.array_v2(a, dev=(2, 3))], ["gpu_array"]))
    np.testing.assert_array_equal(got["gpu_array"], a)


def test_v3_zero_dim_is_scalar_but_v2_zero_dim_is_none():
    scalar = (
        struct.pack("<Iii", u.V3_MAGIC, 0, 0)
        + struct.pack("<iii", 1, 0, 0)
        + struct.pack("<f", 7.0)
    )
    got = mxserve.nd.load(u.list_file([scalar], ["s"]))
    assert got["s"].shape == () and got["s"] == 7.0
    v2_none = struct.pack("<Iii", u.V2_MAGIC, 0, 0)  # ndim 0 before V3: a "none" array, no data
    a = sample("float32")
    got = mxserve.nd.load(u.list_file([v2_none, u.array_v2(a)], ["n", "a"]))
    assert list(got) == ["a"]


@pytest.mark.parametrize(
    "none",
    [
        u.none_v2(),
        struct.pack("<Iii", u.V3_MAGIC, 0, -1),  # V3 unknown ndim
        struct.pack("<Iii", u.V3_MAGIC, 0, 2) + struct.pack("<qq", 3, -1),  # V3 unknown dim
        struct.pack("<Ii", u.V1_MAGIC, 0),  # V1 ndim 0
        struct.pack("<I", 0),  # legacy ndim 0
    ],
    ids=["v2", "v3_ndim", "v3_dim", "v1", "legacy"],
)
def test_none_arrays_are_left_out(none):
    a = sample("int32")
    got = mxserve.nd.load(u.list_file([none, u.array_v2(a), none], ["n1", "a", "n2"]))
    assert list(got) == ["a"]
    np.testing.assert_array_equal(got["a"], a)


def test_mixed_header_versions_in_one_file():
    recs = [
        u.array_legacy(sample("float32")),
        u.array_v1(sample("int8")),
        u.array_v2(sample("float16")),
    ]
    got = mxserve.nd.load(u.list_file(recs, None))
    assert list(got) == ["0", "1", "2"]
    assert [v.dtype.name for v in got.values()] == ["float32", "int8", "float16"]


def test_trailing_bytes_after_names_are_ignored():
    a = sample("float32")
    got = mxserve.nd.load(u.list_file([u.array_v2(a)], ["a"]) + b"\0" * 5)
    np.testing.assert_array_equal(got["a"], a)


def test_empty_list():
    assert mxserve.nd.load(u.list_file([], None)) == {}


def test_predictor_without_params_file():
    # params=None gives the runtime an empty buffer: an empty list, fine for a graph without weights.
    sym = (
        '{"nodes": [{"op": "null", "name": "data", "inputs": []}, {"op": "Activation", "name": "r", '
        '"attrs": {"act_type": "relu"}, "inputs": [[0, 0, 0]]}], "arg_nodes": [0], "heads": [[1, 0, 0]]}'
    )
    x = np.array([[-1.0, 2.0]], np.float32)
    np.testing.assert_array_equal(
        mxserve.Predictor(sym, None, input_shapes={"data": (1, 2)})(data=x)[0], [[0, 2]]
    )
