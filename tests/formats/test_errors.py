# SPDX-License-Identifier: Apache-2.0
"""Rejections: corrupt or truncated parameter files, params that do not fit the graph, and
malformed symbol JSON. Each test checks the exception class and that the message names the
problem; none may crash the process."""

from __future__ import annotations

import copy
import io
import json
import re

import numpy as np
import pytest

import mxserve
from formats import _util as u

CLEAN_ERRORS = (mxserve.InvalidArgumentError, mxserve.UnsupportedError)


def small_list_file() -> bytes:
    p = u.fc_params()
    return u.list_file(
        [
            u.array_v2(p["arg:fc1_weight"]),
            u.array_v1(p["arg:fc1_bias"]),
            u.array_legacy(np.arange(3, dtype=np.int8)),
        ],
        ["arg:fc1_weight", "arg:fc1_bias", "aux:x"],
    )


def small_npz(compressed: bool) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **u.fc_params())
    return buf.getvalue()


# ---- parameter files ----


def test_truncated_list_at_every_offset():
    data = small_list_file()
    mxserve.nd.load(data)  # the whole file is fine
    seen = set()
    for cut in range(8, len(data) - 1):
        # The last name's bytes end the file, so every shorter cut is an error.
        with pytest.raises(
            mxserve.InvalidArgumentError, match=r"params file is (corrupt or )?truncated"
        ) as e:
            mxserve.nd.load(data[:cut])
        msg = str(e.value)
        assert re.search(r"at byte \d+", msg), msg
        seen.add(re.sub(r"\d+", "N", msg))
    # The cuts went through the file header, every part of each array kind and the names.
    for part in [
        "array count needs",
        "array #N header",
        "array #N shape ndim",
        "array #N shape dimensions",
        "array #N context",
        "array #N type flag",
        "array #N data",
        "array #N legacy shape",
        "name count",
        "name of array #N (length)",
        "name of array #N needs",
    ]:
        assert any(part in m for m in seen), (part, sorted(seen))


@pytest.mark.parametrize("cut", [1, 4, 7])
def test_truncated_inside_file_magic(cut):
    with pytest.raises(mxserve.InvalidArgumentError, match="not an MXNet params file"):
        mxserve.nd.load(small_list_file()[:cut])


@pytest.mark.parametrize("compressed", [False, True])
def test_truncated_npz_at_many_offsets(compressed):
    data = small_npz(compressed)
    for cut in list(range(4, len(data), 7)) + [len(data) - 1]:
        with pytest.raises(mxserve.InvalidArgumentError, match=r"npz (archive|entry)") as e:
            mxserve.nd.load(data[:cut])
        assert "truncated" in str(e.value) or "corrupt" in str(e.value), str(e.value)


def test_byte_flips_in_headers_never_crash():
    data = small_list_file()
    rng = np.random.default_rng(0)
    # Every byte of the file header and the first array's header, then random bytes anywhere.
    positions = list(range(0, 24 + 4 + 4 + 4 + 16 + 12)) + list(rng.integers(0, len(data), 300))
    for pos in positions:
        for flip in (0xFF, 0x80, 0x01):
            bad = bytearray(data)
            bad[pos] ^= flip
            try:
                mxserve.nd.load(bytes(bad))
            except CLEAN_ERRORS as e:
                assert str(e)


@pytest.mark.parametrize(
    "pos,msg",
    [
        (0, "not an MXNet params file"),
        (16, "array count"),
        (24, r"array #0 at byte 24 starts with 0x.*neither an NDArray magic"),
        (28, "array #0 at byte 28 has storage type"),
        (32, "array #0 shape at byte 32 has ndim"),
    ],
)
def test_flipped_header_fields_are_named(pos, msg):
    bad = bytearray(small_list_file())
    bad[pos + 3 if pos in (28, 32) else pos] ^= 0x40
    with pytest.raises(mxserve.InvalidArgumentError, match=msg):
        mxserve.nd.load(bytes(bad))


def test_huge_dimension_does_not_allocate():
    rec = bytearray(u.array_v2(np.ones((2, 2), np.float32)))
    rec[12:20] = (2**40).to_bytes(8, "little")  # first dimension
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"truncated: array #0 data needs 8796093022208 bytes at byte 64",
    ):
        mxserve.nd.load(u.list_file([bytes(rec)], ["w"]))


def test_unknown_type_flag():
    rec = bytearray(u.array_v2(np.ones((2,), np.float32)))
    rec[28:32] = (99).to_bytes(4, "little")
    with pytest.raises(
        mxserve.InvalidArgumentError, match="array #0 at byte 52 has unknown type flag 99"
    ):
        mxserve.nd.load(u.list_file([bytes(rec)], ["w"]))


def test_name_count_mismatch():
    data = u.list_file([u.array_v2(np.ones(2, np.float32))], ["a", "b"])
    with pytest.raises(mxserve.InvalidArgumentError, match="1 arrays but 2 names"):
        mxserve.nd.load(data)


def test_npz_byte_flips_caught_by_crc_or_structure():
    data = small_npz(False)
    rng = np.random.default_rng(1)
    for pos in rng.integers(0, len(data), 300):
        bad = bytearray(data)
        bad[pos] ^= 0x55
        try:
            mxserve.nd.load(bytes(bad))
        except CLEAN_ERRORS as e:
            assert str(e)


def test_npz_data_corruption_is_a_crc_error():
    data = bytearray(small_npz(False))
    i = (
        data.index(b"\x93NUMPY") + 130
    )  # inside the first array's elements (after its 128-byte header)
    data[i] ^= 1
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"npz entry 'arg:fc1_weight.npy' is corrupt: CRC-32"
    ):
        mxserve.nd.load(bytes(data))


def test_params_file_that_is_json(tmp_path):
    f = tmp_path / "model-0000.params"
    f.write_text(u.fc_relu_symbol())
    with pytest.raises(mxserve.InvalidArgumentError, match="looks like a symbol JSON file"):
        mxserve.nd.load(f)
    with pytest.raises(mxserve.InvalidArgumentError, match="looks like a symbol JSON file"):
        mxserve.Predictor(u.fc_relu_symbol(), f, input_shapes={"data": (1, 3)})


def test_params_file_with_unknown_magic():
    with pytest.raises(mxserve.InvalidArgumentError, match="starts with bytes 47 49 46 38"):
        mxserve.nd.load(b"GIF89a" + b"\0" * 30)


def test_empty_file(tmp_path):
    f = tmp_path / "empty.params"
    f.write_bytes(b"")
    with pytest.raises(mxserve.InvalidArgumentError, match="'.*empty.params' is empty"):
        mxserve.nd.load(f)
    # An empty params file holds no arrays, so the graph's parameters are missing.
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"'fc1_weight'.*nor a parameter in the params file"
    ):
        mxserve.Predictor(u.fc_relu_symbol(), f, input_shapes={"data": (1, 3)})


def test_nonexistent_path(tmp_path):
    with pytest.raises(mxserve.NotFoundError, match="no-such.params"):
        mxserve.nd.load(tmp_path / "no-such.params")
    with pytest.raises(mxserve.NotFoundError, match="no-such.params"):
        mxserve.Predictor(
            u.fc_relu_symbol(), tmp_path / "no-such.params", input_shapes={"data": (1, 3)}
        )
    with pytest.raises(mxserve.NotFoundError, match="no-such-symbol.json"):
        mxserve.Predictor(tmp_path / "no-such-symbol.json", None, input_shapes={"data": (1, 3)})


# ---- params that do not fit the graph ----


def params_bytes(params: dict[str, np.ndarray], tmp_path) -> bytes:
    mxserve.nd.save(tmp_path / "p.params", params)
    return (tmp_path / "p.params").read_bytes()


def test_missing_parameter(tmp_path):
    params = u.fc_params()
    del params["arg:fc1_bias"]
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"'fc1_bias' \(read by FullyConnected node 'fc1'\).*params file",
    ):
        mxserve.Predictor(
            u.fc_relu_symbol(), params_bytes(params, tmp_path), input_shapes={"data": (2, 3)}
        )


def test_parameter_with_wrong_shape(tmp_path):
    params = u.fc_params()
    params["arg:fc1_weight"] = np.zeros((4, 5), np.float32)
    with pytest.raises(mxserve.InvalidArgumentError, match=r"FullyConnected node 'fc1'.*\(4, 5\)"):
        mxserve.Predictor(
            u.fc_relu_symbol(), params_bytes(params, tmp_path), input_shapes={"data": (2, 3)}
        )


def test_sparse_parameter_in_predictor():
    p = u.fc_params()
    data = u.list_file(
        [u.array_v2(p["arg:fc1_weight"]), sparse_row_record()], ["arg:fc1_weight", "arg:fc1_bias"]
    )
    with pytest.raises(
        mxserve.UnsupportedError, match="'arg:fc1_bias' has sparse storage type row_sparse"
    ):
        mxserve.Predictor(u.fc_relu_symbol(), data, input_shapes={"data": (2, 3)})


def sparse_row_record() -> bytes:
    """A row_sparse (2,) array with one stored row, as MXNet 1.x writes it."""
    import struct

    return (
        struct.pack("<Ii", u.V2_MAGIC, 1)
        + u.shape_bytes([1])
        + u.shape_bytes([2])
        + struct.pack("<iii", 1, 0, 0)
        + struct.pack("<i", 6)
        + u.shape_bytes([1])
        + struct.pack("<f", 1.0)
        + struct.pack("<q", 1)
    )


# ---- symbol JSON ----


def fc_sym() -> dict:
    return json.loads(u.fc_relu_symbol())


def make(sym: dict | str | bytes, tmp_path) -> mxserve.Predictor:
    text = sym if isinstance(sym, str | bytes) else json.dumps(sym)
    return mxserve.Predictor(
        text, params_bytes(u.fc_params(), tmp_path), input_shapes={"data": (2, 3)}
    )


def test_fc_symbol_is_valid(tmp_path):
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(
        make(fc_sym(), tmp_path)(data=x)[0], u.fc_relu_reference(x, u.fc_params()), rtol=1e-5
    )


@pytest.mark.parametrize("text", ['{"nodes": [', b"not json", '{"nodes": [], "heads": [],}'])
def test_malformed_json(tmp_path, text):
    with pytest.raises(mxserve.InvalidArgumentError, match="symbol JSON is malformed"):
        make(text, tmp_path)


def test_forward_reference(tmp_path):
    sym = fc_sym()
    sym["nodes"][3]["inputs"][0] = [4, 0, 0]  # fc1 reads relu1, which reads fc1: a cycle
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"node #3 'fc1' takes input from node #4, which does not come before it.*cycle",
    ):
        make(sym, tmp_path)


def test_self_reference(tmp_path):
    sym = fc_sym()
    sym["nodes"][4]["inputs"][0] = [4, 0, 0]
    with pytest.raises(
        mxserve.InvalidArgumentError, match="node #4 'relu1' takes input from node #4"
    ):
        make(sym, tmp_path)


def test_unknown_top_level_key(tmp_path):
    sym = fc_sym()
    sym["nodez"] = []
    with pytest.raises(mxserve.InvalidArgumentError, match="unknown top-level key 'nodez'"):
        make(sym, tmp_path)


def test_unknown_node_key(tmp_path):
    sym = fc_sym()
    sym["nodes"][3]["atrs"] = {}
    with pytest.raises(mxserve.InvalidArgumentError, match="node #3 'fc1' has unknown key 'atrs'"):
        make(sym, tmp_path)


def test_operator_node_without_inputs(tmp_path):
    sym = fc_sym()
    del sym["nodes"][4]["inputs"]
    with pytest.raises(mxserve.InvalidArgumentError, match="node #4 'relu1' has no 'inputs' key"):
        make(sym, tmp_path)


@pytest.mark.parametrize(
    "head,msg",
    [
        ([9, 0, 0], "heads: entry refers to node 9 but there are only 5 nodes"),
        ([4, 1, 0], "graph output refers to output 1 of node 'relu1', which has 1 outputs"),
        ([-1, 0, 0], "negative value"),
    ],
)
def test_head_index_out_of_range(tmp_path, head, msg):
    sym = fc_sym()
    sym["heads"] = [head]
    with pytest.raises(mxserve.InvalidArgumentError, match=msg):
        make(sym, tmp_path)


def test_input_index_out_of_range(tmp_path):
    sym = fc_sym()
    sym["nodes"][4]["inputs"][0] = [3, 2, 0]
    with pytest.raises(
        mxserve.InvalidArgumentError, match="input refers to output 2 of node 'fc1'"
    ):
        make(sym, tmp_path)


def test_unknown_operator_lists_supported_ones(tmp_path):
    sym = fc_sym()
    sym["nodes"][4]["op"] = "NoSuchOp"
    with pytest.raises(mxserve.UnsupportedError) as e:
        make(sym, tmp_path)
    msg = str(e.value)
    assert "operator 'NoSuchOp' is not supported" in msg and "node 'relu1'" in msg
    listed = set(msg.split("supported operators: ")[1].split(", "))
    # The list holds the operators' main names (aliases are left out to keep it short).
    assert (
        {"Activation", "Convolution", "FullyConnected"}
        <= listed
        <= set(mxserve.supported_operators())
    )


def test_bad_attribute_value_names_node(tmp_path):
    sym = copy.deepcopy(fc_sym())
    sym["nodes"][3]["attrs"]["num_hidden"] = "four"
    with pytest.raises(
        mxserve.InvalidArgumentError, match="failed to parse FullyConnected node 'fc1'"
    ):
        make(sym, tmp_path)


@pytest.mark.parametrize(
    "mutate,msg",
    [
        (lambda s: s.pop("nodes"), "missing 'nodes' array"),
        (lambda s: s.pop("heads"), "missing 'heads' array"),
        (lambda s: s.update(heads=[]), "no outputs"),
        (lambda s: s["nodes"][0].pop("op"), "node #0 'data' has no 'op' key"),
        (
            lambda s: s["nodes"][1].update(inputs=[[0, 0, 0]]),
            "variable node #1 'fc1_weight' must not have inputs",
        ),
        (lambda s: s.update(attrs={"mxnet_version": 10901}), "'mxnet_version' must be"),
    ],
)
def test_structural_errors(tmp_path, mutate, msg):
    sym = fc_sym()
    mutate(sym)
    with pytest.raises(mxserve.InvalidArgumentError, match=msg):
        make(sym, tmp_path)
