# SPDX-License-Identifier: Apache-2.0
"""SequenceMask, SequenceLast and SequenceReverse against MXNet 1.9.1 and the _npx_ names of
2.0.0b1: axis 0 and 1, with and without lengths, float32 / int32 lengths, mask values, lengths
of 0 and of the full sequence."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

# The lengths are computed in the graph from an input in [-1, 1): floor((lr + 1) * 3) is 0..5.
L = "length = mx.sym.floor((lr + 1) * 3)\n"
L1 = "length = mx.sym.floor((lr + 1) * 2.5) + 1\n"  # 1..5, SequenceLast needs at least one step
LI = "length = mx.sym.cast(mx.sym.floor((lr + 1) * 3), dtype='int32')\n"
SM = "mx.sym.SequenceMask"

CASES = [
    case("seqmask_plain", f"out = {SM}(data)", data=(4, 3, 2)),
    case(
        "seqmask_axis0",
        L + f"out = {SM}(data, length, use_sequence_length=True)",
        data=(6, 4, 3),
        lr=(4,),
    ),
    case(
        "seqmask_axis1_value",
        L + f"out = {SM}(data, length, use_sequence_length=True, axis=1, value=-7.5)",
        data=(4, 6, 2, 2),
        lr=(4,),
    ),
    case(
        "seqmask_2d",
        L + f"out = {SM}(data, length, use_sequence_length=True, value=1e4)",
        data=(6, 5),
        lr=(5,),
    ),
    case(
        "seqmask_int_length",
        LI + f"out = {SM}(data, length, use_sequence_length=True, axis=1, value=-1)",
        data=(3, 6, 4),
        lr=(3,),
    ),
    case("seqlast_plain", "out = mx.sym.SequenceLast(data)", data=(5, 3, 2)),
    case("seqlast_plain_axis1", "out = mx.sym.SequenceLast(data, axis=1)", data=(3, 5, 2)),
    case(
        "seqlast_axis0",
        L1 + "out = mx.sym.SequenceLast(data, length, use_sequence_length=True)",
        data=(5, 4, 3),
        lr=(4,),
    ),
    case(
        "seqlast_axis1",
        L1 + "out = mx.sym.SequenceLast(data, length, use_sequence_length=True, axis=1)",
        data=(4, 5, 2, 3),
        lr=(4,),
    ),
    case("seqreverse_plain", "out = mx.sym.SequenceReverse(data)", data=(5, 3, 2)),
    case(
        "seqreverse_length",
        L + "out = mx.sym.SequenceReverse(data, length, use_sequence_length=True)",
        data=(6, 4, 3),
        lr=(4,),
    ),
    case(
        "seqreverse_int_length_2d",
        LI + "out = mx.sym.SequenceReverse(data, length, use_sequence_length=True)",
        data=(6, 5),
        lr=(5,),
    ),
]

test_sequence_ops = oracle_test(CASES)

N = "x = data.as_np_ndarray()\nn = length.as_np_ndarray()\n"
CASES2 = [
    case(
        "npx_sequence_mask",
        L + N + "out = mx.sym.npx.sequence_mask(x, n, use_sequence_length=True, axis=1, value=-2)",
        data=(3, 6, 2),
        lr=(3,),
    ),
    case(
        "npx_sequence_last",
        L1 + N + "out = mx.sym.npx.sequence_last(x, n, use_sequence_length=True)",
        data=(5, 3, 2),
        lr=(3,),
    ),
    case(
        "npx_sequence_reverse",
        L + N + "out = mx.sym.npx.sequence_reverse(x, n, use_sequence_length=True)",
        data=(6, 3),
        lr=(3,),
    ),
]

test_sequence_ops_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_sequence_mask_rejects_axis2(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"SequenceMask node 'n'.*axis must be 0 or 1"
    ):
        one_node(tmp_path, "SequenceMask", {"axis": "2"}, {"data": (2, 3, 4)})


def test_sequence_reverse_rejects_axis1(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"SequenceReverse node 'n'.*axis must be 0"
    ):
        one_node(tmp_path, "SequenceReverse", {"axis": "1"}, {"data": (2, 3, 4)})


def test_sequence_last_rejects_bad_length_shape(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"SequenceLast node 'n'.*sequence_length has shape"
    ):
        one_node(
            tmp_path,
            "SequenceLast",
            {"use_sequence_length": "True"},
            {"data": (5, 3, 2), "sequence_length": (5,)},
        )


def test_sequence_mask_rejects_1d(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"SequenceMask node 'n'.*at least 2 dimensions"
    ):
        one_node(tmp_path, "SequenceMask", {}, {"data": (5,)})
