# SPDX-License-Identifier: Apache-2.0
"""Crop (the legacy 4-D op, not the slice alias `crop`): h_w with and without offset, centred,
and crop_like as a second input, against MXNet 1.9.1."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

C = "out = mx.sym.Crop(data, {})"
CASES = [
    case("crop_h_w", C.format("num_args=1, h_w=(3, 4)"), data=(2, 3, 5, 6)),
    case("crop_h_w_offset", C.format("num_args=1, h_w=(2, 3), offset=(1, 2)"), data=(1, 2, 5, 6)),
    case(
        "crop_h_w_offset_max", C.format("num_args=1, h_w=(2, 3), offset=(3, 3)"), data=(1, 2, 5, 6)
    ),
    case("crop_center", C.format("num_args=1, h_w=(2, 3), center_crop=True"), data=(2, 2, 7, 8)),
    case("crop_full", C.format("num_args=1, h_w=(5, 6)"), data=(1, 3, 5, 6)),
    case(
        "crop_like",
        "out = mx.sym.Crop(data, ref, num_args=2)",
        data=(2, 3, 8, 9),
        ref=(2, 3, 5, 4),
    ),
    case(
        "crop_like_offset",
        "out = mx.sym.Crop(data, ref, num_args=2, offset=(2, 1))",
        data=(1, 4, 8, 9),
        ref=(1, 1, 5, 4),
    ),
    case(
        "crop_like_center",
        "out = mx.sym.Crop(data, ref, num_args=2, center_crop=True)",
        data=(1, 2, 9, 10),
        ref=(3, 7, 4, 5),
    ),
    case(
        "crop_after_conv_like",
        "a = mx.sym.Activation(data, act_type='relu')\n"
        "out = mx.sym.Crop(a, mx.sym.Pooling(ref, kernel=(2, 2), stride=(2, 2)), num_args=2)",
        data=(1, 2, 6, 6),
        ref=(1, 2, 8, 10),
    ),
]

test_crop = oracle_test(CASES)


def test_crop_rejects_3d(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Crop node 'n'.*4-D"):
        one_node(tmp_path, "Crop", {"num_args": "1", "h_w": "(1, 1)"}, {"data": (2, 3, 4)})


def test_crop_rejects_offset_outside(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Crop node 'n'.*offset\[1\]=3"):
        one_node(
            tmp_path,
            "Crop",
            {"num_args": "1", "h_w": "(2, 2)", "offset": "(0, 3)"},
            {"data": (1, 1, 4, 4)},
        )


def test_crop_rejects_larger_than_input(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Crop node 'n'.*h_w\[0\]=5"):
        one_node(tmp_path, "Crop", {"num_args": "1", "h_w": "(5, 2)"}, {"data": (1, 1, 4, 4)})


def test_crop_like_rejects_larger_than_input(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Crop node 'n'.*larger than the input"):
        one_node(tmp_path, "Crop", {"num_args": "2"}, {"data": (1, 1, 4, 4), "ref": (1, 1, 5, 2)})


def test_crop_rejects_bad_num_args(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Crop node 'n'.*num_args must be"):
        one_node(tmp_path, "Crop", {"num_args": "3"}, {"data": (1, 1, 4, 4)})
