# SPDX-License-Identifier: Apache-2.0
"""The binary tensor data extension codec and JSON tensor decoding."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mxserve.errors import InvalidArgumentError, UnsupportedError
from mxserve.server.protocol.binary import (
    parse_request,
    raw_input,
    read_inputs,
    split_body,
)


def _request(
    arrays: dict[str, np.ndarray], datatypes: dict[str, str], binary: set[str]
) -> tuple[bytes, str]:
    inputs, blobs = [], []
    for name, a in arrays.items():
        entry = {"name": name, "shape": list(a.shape), "datatype": datatypes[name]}
        if name in binary:
            raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
            entry["parameters"] = {"binary_data_size": len(raw)}
            blobs.append(raw)
        else:
            entry["data"] = a.ravel().tolist()
        inputs.append(entry)
    head = json.dumps({"inputs": inputs}).encode()
    return head + b"".join(blobs), str(len(head))


@pytest.mark.parametrize(
    "datatype,dtype",
    [
        ("FP32", "float32"),
        ("FP64", "float64"),
        ("FP16", "float16"),
        ("INT8", "int8"),
        ("UINT8", "uint8"),
        ("INT32", "int32"),
        ("INT64", "int64"),
        ("UINT16", "uint16"),
        ("BOOL", "bool"),
    ],
)
def test_round_trip_mixed_binary_and_json(datatype: str, dtype: str) -> None:
    rng = np.random.default_rng(0)
    a = (
        (rng.uniform(0, 100, (2, 3)) > 50)
        if dtype == "bool"
        else rng.uniform(0, 100, (2, 3)).astype(dtype)
    )
    b = (
        np.arange(4, dtype=dtype).reshape(4)
        if dtype != "bool"
        else np.array([True, False, True, True])
    )
    body, n = _request(
        {"a": a, "b": b, "c": a}, {"a": datatype, "b": datatype, "c": datatype}, {"a", "c"}
    )
    head, binary = split_body(body, n)
    got = read_inputs(parse_request(head), binary)
    np.testing.assert_array_equal(got["a"], a)
    np.testing.assert_array_equal(got["b"], b)
    np.testing.assert_array_equal(got["c"], a)
    assert got["a"].dtype == np.dtype(dtype)


def test_read_inputs_rejects_truncated_binary() -> None:
    body, n = _request({"a": np.zeros((2, 3), np.float32)}, {"a": "FP32"}, {"a"})
    head, binary = split_body(body[:-1], n)
    with pytest.raises(InvalidArgumentError, match="unexpected end of binary data"):
        read_inputs(parse_request(head), binary)


def test_read_inputs_rejects_extra_binary() -> None:
    body, n = _request({"a": np.zeros((2, 3), np.float32)}, {"a": "FP32"}, {"a"})
    head, binary = split_body(body + b"\0\0\0\0", n)
    with pytest.raises(InvalidArgumentError, match="add up to 24"):
        read_inputs(parse_request(head), binary)


def test_split_body_rejects_bad_lengths() -> None:
    with pytest.raises(InvalidArgumentError, match="not an integer"):
        split_body(b"{}", "two")
    with pytest.raises(InvalidArgumentError, match="outside"):
        split_body(b"{}", "3")
    assert split_body(b"{}", None) == (b"{}", b"")


def test_parse_request_rejects_malformed() -> None:
    with pytest.raises(InvalidArgumentError, match="failed to parse"):
        parse_request(b'{"inputs": [{"name": 1}]')
    with pytest.raises(InvalidArgumentError, match="inputs"):
        parse_request(b'{"inputs": [{"name": "a"}]}')


def test_read_inputs_rejects_unsupported_and_unknown_types() -> None:
    with pytest.raises(UnsupportedError, match="BYTES"):
        read_inputs(
            parse_request(
                b'{"inputs": [{"name": "a", "shape": [1], "datatype": "BYTES", "data": ["x"]}]}'
            ),
            b"",
        )
    with pytest.raises(InvalidArgumentError, match="invalid datatype"):
        read_inputs(
            parse_request(
                b'{"inputs": [{"name": "a", "shape": [1], "datatype": "F32", "data": [1]}]}'
            ),
            b"",
        )


def test_read_inputs_rejects_negative_shape_and_duplicates() -> None:
    with pytest.raises(InvalidArgumentError, match="negative"):
        read_inputs(
            parse_request(
                b'{"inputs": [{"name": "a", "shape": [-1], "datatype": "FP32", "data": [1]}]}'
            ),
            b"",
        )
    with pytest.raises(InvalidArgumentError, match="more than once"):
        read_inputs(
            parse_request(
                b'{"inputs": [{"name": "a", "shape": [1], "datatype": "FP32", "data": [1]},'
                b'{"name": "a", "shape": [1], "datatype": "FP32", "data": [1]}]}'
            ),
            b"",
        )


def test_raw_input_fills_the_variable_dim() -> None:
    x = np.arange(12, dtype="<f4")
    np.testing.assert_array_equal(
        raw_input(x.tobytes(), "a", "FP32", [1, -1, 3]), x.reshape(1, 4, 3)
    )
    with pytest.raises(InvalidArgumentError, match="at most one variable"):
        raw_input(x.tobytes(), "a", "FP32", [-1, -1])
    with pytest.raises(InvalidArgumentError, match="need"):
        raw_input(x.tobytes(), "a", "FP32", [1, 5])
