# SPDX-License-Identifier: Apache-2.0
"""The .npz / .npy parameter format of MXNet 2.0 (npx.savez, Block.save_parameters, export),
plus archives written by numpy itself (zip64 extra fields, deflate)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

import mxserve
from formats import _util as u


@pytest.fixture(scope="module")
def mx20():
    return u.oracle_files("2.0.0b1")


@pytest.mark.parametrize(
    "fname",
    ["gluon.params", "gluon-0000.params", "savez.npz", "savez_list.npz", "single.npy", "bf16.npz"],
)
def test_load_matches_mxnet_2_0(mx20, fname):
    got = mxserve.nd.load(mx20 / fname)
    want = u.expected_arrays(mx20 / fname)
    assert sorted(got) == sorted(want)
    for k, w in want.items():
        assert got[k].dtype == w.dtype, k
        assert got[k].shape == w.shape, k
        np.testing.assert_array_equal(got[k], w, err_msg=k)


def test_export_keeps_prefixes_and_order(mx20):
    got = mxserve.nd.load(mx20 / "gluon-0000.params")
    assert list(got) == [
        "arg:0.weight",
        "arg:0.bias",
        "arg:1.gamma",
        "arg:1.beta",
        "aux:1.running_mean",
        "aux:1.running_var",
        "arg:2.weight",
        "arg:2.bias",
    ]


@pytest.mark.parametrize("fname", ["sparse_csr.npz", "sparse_rs.npz"])
def test_sparse_rejected_naming_array(mx20, fname):
    name, stype = u.rejected(mx20)[fname]
    with pytest.raises(
        mxserve.UnsupportedError, match=rf"'{name}' has sparse storage type '{stype}'"
    ):
        mxserve.nd.load(mx20 / fname)


def numpy_npz(compressed: bool, **arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


VALUES = {
    "f32": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
    "f16": np.linspace(-2, 2, 5).astype(np.float16),
    "i64": np.array([-(2**40), 3], np.int64),
    "u8": np.arange(200, 210, dtype=np.uint8),
    "b": np.array([[True, False]]),
    "scalar": np.array(3.0),
    "empty": np.zeros((2, 0), np.int32),
    "big": np.random.default_rng(0).standard_normal((64, 65)).astype(np.float32),
}


@pytest.mark.parametrize("compressed", [False, True], ids=["stored_zip64", "deflate"])
def test_numpy_savez(compressed):
    got = mxserve.nd.load(numpy_npz(compressed, **VALUES))
    assert list(got) == list(VALUES)
    for k, v in VALUES.items():
        assert got[k].dtype == v.dtype and got[k].shape == v.shape, k
        np.testing.assert_array_equal(got[k], v)


def test_names_with_folders_and_non_npy_entries_skipped():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("README.txt", "not an array")
        with z.open("block/0.weight.npy", "w") as f:
            np.save(f, np.ones((2, 2), np.float32))
    got = mxserve.nd.load(buf.getvalue())
    assert list(got) == ["block/0.weight"]


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0)])
def test_npy_format_versions(version):
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, version=version)
    np.testing.assert_array_equal(mxserve.nd.load(buf.getvalue())["0"], a)


def test_fortran_order_rejected():
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(np.ones((2, 3), np.float32)))
    with pytest.raises(mxserve.UnsupportedError, match="Fortran-ordered"):
        mxserve.nd.load(buf.getvalue())


def test_fortran_order_of_vector_is_fine():
    a = np.arange(4, dtype=np.float32)
    buf = io.BytesIO()
    np.save(buf, a)
    data = buf.getvalue().replace(b"'fortran_order': False", b"'fortran_order': True ")
    np.testing.assert_array_equal(mxserve.nd.load(data)["0"], a)


@pytest.mark.parametrize(
    "dtype,msg",
    [(">f4", "big-endian"), ("<c8", "'<c8' is not supported"), ("<U3", "'<U3' is not supported")],
)
def test_unsupported_npy_dtypes(dtype, msg):
    buf = io.BytesIO()
    np.save(buf, np.zeros((2,), dtype))
    with pytest.raises(mxserve.UnsupportedError, match=msg):
        mxserve.nd.load(buf.getvalue())


def test_empty_zip_is_empty_dict():
    buf = io.BytesIO()
    zipfile.ZipFile(buf, "w").close()
    assert mxserve.nd.load(buf.getvalue()) == {}


def test_npz_predictor_end_to_end():
    params = u.fc_params()
    p = mxserve.Predictor(
        u.fc_relu_symbol(), numpy_npz(True, **params), input_shapes={"data": (2, 3)}
    )
    x = np.random.default_rng(2).standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_allclose(p(data=x)[0], u.fc_relu_reference(x, params), rtol=1e-5, atol=1e-6)
