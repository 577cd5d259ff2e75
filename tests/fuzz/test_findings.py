# SPDX-License-Identifier: Apache-2.0
"""Regression tests of what the fuzz targets found (docs/reliability.md, "Fuzzing")."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mxserve import Predictor, nd
from mxserve.errors import InvalidArgumentError, MXServeError
from mxserve.server.mar import read_mar


def test_mar_member_without_a_name_is_a_clean_error(tmp_path: Path) -> None:
    """fuzz_mar: a zip entry whose name is empty made zipfile's ZipInfo.is_dir raise IndexError
    inside read_mar (a load failure reading "IndexError: string index out of range")."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("MAR-INF/MANIFEST.json", json.dumps({"model": {"modelName": "m"}}))
        z.writestr(zipfile.ZipInfo(""), b"x")
    path = tmp_path / "m.mar"
    path.write_bytes(buf.getvalue())
    with pytest.raises(InvalidArgumentError, match="a member without a name"):
        read_mar(path)


def test_mar_member_name_flagged_utf8_but_invalid_is_a_clean_error(tmp_path: Path) -> None:
    """fuzz_mar: a member name whose flag says UTF-8 but whose bytes are not made zipfile raise
    UnicodeDecodeError out of read_mar."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("MAR-INF/MANIFEST.json", json.dumps({"model": {"modelName": "m"}}))
        z.writestr("m-symbol\u00e9.json", b"{}")  # written UTF-8 (flag bit 11): b"\xc3\xa9"
    raw = buf.getvalue()
    assert raw.count("\u00e9".encode()) == 2  # the local header and the central directory
    path = tmp_path / "m.mar"
    path.write_bytes(raw.replace("\u00e9".encode(), b"\x88\x88"))
    with pytest.raises(InvalidArgumentError, match="not valid UTF-8"):
        read_mar(path)


def _empty_array_file(tmp_path: Path, dims: tuple[int, ...]) -> bytes:
    """A params file holding one float32 array of shape `dims` (a 0 among them: no data)."""
    assert 0 in dims
    stand_in = tuple(7 if d else 0 for d in dims)
    nd.save(tmp_path / "a.params", {"w": np.zeros(stand_in, np.float32)})
    raw = (tmp_path / "a.params").read_bytes()
    head = struct.pack("<Iii", 0xF993FAC9, 0, len(dims))  # V2 magic, dense storage, ndim
    stored = head + b"".join(struct.pack("<q", d) for d in stand_in)
    assert raw.count(stored) == 1
    return raw.replace(stored, head + b"".join(struct.pack("<q", d) for d in dims))


@pytest.mark.parametrize(
    "dims",
    [(0, 2**62), (2**40, 0, 2**40), (0, 2**31, 2**31, 2**31)],
    ids=["span over 2^47 bytes", "span over 2^64 bytes", "span over int64"],
)
def test_empty_array_whose_other_dims_span_too_much_is_a_clean_error(
    tmp_path: Path, dims: tuple[int, ...]
) -> None:
    """fuzz_params: an array with a 0 dimension and others whose product (its strides) exceeds
    what can be addressed loaded as "empty", then numpy's reshape raised ValueError ("array is
    too big") out of mxserve.nd.load; the reader now rejects the shape."""
    with pytest.raises(InvalidArgumentError, match="exceeds 140737488355328 bytes"):
        nd.load(_empty_array_file(tmp_path, dims))


def test_empty_npy_whose_other_dims_span_too_much_is_a_clean_error(tmp_path: Path) -> None:
    """The same shape in a .npz member (the .npy header's shape tuple)."""
    out = io.BytesIO()
    np.save(out, np.zeros((0, 7), np.float32))
    npy = out.getvalue()
    header_end = npy.index(b"\n") + 1
    shape = b"(0, 4611686018427387904)"
    header = npy[:header_end].replace(b"(0, 7)", shape)
    pad = len(shape) - len(b"(0, 7)")
    header = header.replace(b" " * pad + b"\n", b"\n")  # less padding: the same length
    assert len(header) == header_end
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("w.npy", header + npy[header_end:])
    with pytest.raises(InvalidArgumentError, match="needs more than 140737488355328 bytes"):
        nd.load(buf.getvalue())


def test_empty_arrays_within_the_limits_still_load(tmp_path: Path) -> None:
    """Empty arrays whose other dimensions are addressable keep loading, as numpy makes them."""
    for dims in [(0,), (0, 7), (3, 0, 2**20)]:
        got = nd.load(_empty_array_file(tmp_path, dims))["w"]
        assert got.shape == dims and got.dtype == np.float32


@pytest.mark.parametrize("member", ["m-0000.params", "MAR-INF/MANIFEST.json"])
def test_mar_with_an_encrypted_member_is_a_clean_error(tmp_path: Path, member: str) -> None:
    """fuzz_mar: a member whose flags say it is encrypted made zipfile raise RuntimeError
    ("password required for extraction") out of read_mar."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("MAR-INF/MANIFEST.json", json.dumps({"model": {"modelName": "m"}}))
        z.writestr("m-symbol.json", b"{}")
        z.writestr("m-0000.params", b"\0" * 16)
    raw = bytearray(buf.getvalue())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local, central
        name_at = {b"PK\x03\x04": 30, b"PK\x01\x02": 46}[signature]
        at = raw.find(signature)
        while at != -1:
            if raw[at + name_at : at + name_at + len(member)] == member.encode():
                raw[at + flags_at] |= 0x1
            at = raw.find(signature, at + 4)
    path = tmp_path / "m.mar"
    path.write_bytes(bytes(raw))
    with pytest.raises(InvalidArgumentError, match=f"encrypted members \\('{member}'\\)"):
        read_mar(path)


DIGITS_PARAMS = Path(__file__).resolve().parents[2] / "model_store/digits_mlp/1/model-0000.params"


def _one_node_symbol(heads: list[list[int]], relu_input: list[int] | None = None) -> str:
    nodes: list[dict[str, object]] = [{"op": "null", "name": "data", "inputs": []}]
    if relu_input is not None:
        nodes.append({"op": "relu", "name": "r", "inputs": [relu_input]})
    return json.dumps({"nodes": nodes, "arg_nodes": [0], "heads": heads})


@pytest.mark.parametrize(
    "heads, relu_input",
    [
        ([[0, 2222222220]], None),  # the fuzzer's input: wrapped negative in the output check
        ([[0, 2**32]], None),  # was cut to 32 bits: output 0, a silently different graph
        ([[1, 0]], [0, 2**31 + 5]),  # an operator's input entry
    ],
    ids=["heads past int32", "heads past uint32", "input past int32"],
)
def test_entry_output_index_out_of_range_is_a_clean_error(
    heads: list[list[int]], relu_input: list[int] | None
) -> None:
    """fuzz_symbol: `"heads": [[0, 2222222220]]` crashed the process (SIGSEGV): the index,
    stored as uint32, turned negative in the check against the node's output count."""
    symbol = _one_node_symbol(heads, relu_input)
    with pytest.raises(MXServeError, match="refers to output"):
        Predictor(symbol.encode(), DIGITS_PARAMS.read_bytes(), input_shapes={"data": (2, 64)})
