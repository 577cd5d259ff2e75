# SPDX-License-Identifier: Apache-2.0
"""_contrib_box_encode, _contrib_box_decode (std, clip, corner/center anchors), _contrib_box_iou
(corner/center, disjoint and touching boxes, extra leading axes) and _contrib_bipartite_matching
(ties, threshold, topk, ascending) against MXNet 1.9.1."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

# Corner boxes (..., 4) from uniform inputs in [0, 1): x0, y0 in [0, 1), sizes in [0.05, 0.65).
CORNER = """
def corner(v):
    c = lambda i: mx.sym.slice_axis(v, axis=-1, begin=i, end=i + 1)
    return mx.sym.concat(c(0), c(1), c(0) + c(2) * 0.6 + 0.05, c(1) + c(3) * 0.6 + 0.05, dim=-1)
def center(v):
    c = lambda i: mx.sym.slice_axis(v, axis=-1, begin=i, end=i + 1)
    return mx.sym.concat(c(0), c(1), c(2) * 0.6 + 0.05, c(3) * 0.6 + 0.05, dim=-1)
"""


def boxes_case(name, code, **inputs):
    return case(name, CORNER + code, low=0.0, high=1.0, **inputs)


DEC = "out = mx.sym.contrib.box_decode(data * 4 - 2, {anchors}, {attrs})"
IOU = "out = mx.sym.contrib.box_iou({l}, {r}, {attrs})"
ENCODE = """
samples = mx.sym.round(s * 2 - 1)
matches = mx.sym.floor(m * 5)
t, k = mx.sym.contrib.box_encode(samples, matches, corner(a), corner(r), means * 0.2,
                                 stds * 0.5 + 0.1)
out = mx.sym.Group([t, k])
"""
MATCH = "out = mx.sym.Group(list(mx.sym.contrib.bipartite_matching({x}, {attrs})))"

CASES = [
    boxes_case(
        "decode_center", DEC.format(anchors="center(a)", attrs=""), data=(2, 10, 4), a=(1, 10, 4)
    ),
    boxes_case(
        "decode_corner_std",
        DEC.format(
            anchors="corner(a)", attrs="format='corner', std0=0.1, std1=0.1, std2=0.2, std3=0.2"
        ),
        data=(3, 12, 4),
        a=(1, 12, 4),
    ),
    boxes_case(
        "decode_clip",
        DEC.format(anchors="corner(a)", attrs="format='corner', clip=0.5"),
        data=(2, 8, 4),
        a=(1, 8, 4),
    ),
    boxes_case(
        "decode_clip_center",
        DEC.format(anchors="center(a)", attrs="clip=1.2, std2=2.0"),
        data=(1, 8, 4),
        a=(1, 8, 4),
    ),
    boxes_case(
        "iou_corner", IOU.format(l="corner(a)", r="corner(b)", attrs=""), a=(7, 4), b=(5, 4)
    ),
    boxes_case(
        "iou_center",
        IOU.format(l="center(a)", r="center(b)", attrs="format='center'"),
        a=(6, 4),
        b=(4, 4),
    ),
    boxes_case(
        "iou_leading_axes",
        IOU.format(l="corner(a)", r="corner(b)", attrs="format='corner'"),
        a=(2, 3, 4),
        b=(2, 2, 4),
    ),
    boxes_case(
        "iou_grid_boxes",
        IOU.format(
            l="mx.sym.round(corner(a) * 4) / 4", r="mx.sym.round(corner(b) * 4) / 4", attrs=""
        ),
        a=(12, 4),
        b=(9, 4),
    ),
    boxes_case(
        "encode", ENCODE, s=(2, 9), m=(2, 9), a=(2, 9, 4), r=(2, 5, 4), means=(4,), stds=(4,)
    ),
    case("match_default", MATCH.format(x="data", attrs="threshold=0.1"), data=(2, 5, 4)),
    case(
        "match_ties",
        MATCH.format(x="mx.sym.round(data * 3) / 3", attrs="threshold=0.2"),
        data=(3, 6, 5),
    ),
    case("match_topk", MATCH.format(x="data", attrs="threshold=0.05, topk=2"), data=(2, 6, 6)),
    case("match_threshold", MATCH.format(x="data", attrs="threshold=0.7"), data=(2, 6, 3)),
    case(
        "match_ascend",
        MATCH.format(x="data", attrs="threshold=0.6, is_ascend=True"),
        data=(2, 4, 5),
    ),
    case("match_2d", MATCH.format(x="data", attrs="threshold=0.0"), data=(4, 7)),
    Case(
        name="match_4d",
        code=MATCH.format(x="data", attrs="threshold=0.3"),
        inputs={"data": (2, 2, 3, 4)},
        low=0.0,
        high=1.0,
    ),
]

test_box_codec = oracle_test(CASES)


def test_box_decode_rejects_2d_data(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"box_decode node 'n'.*3 axes"):
        one_node(tmp_path, "_contrib_box_decode", {}, {"data": (5, 4), "anchors": (1, 5, 4)})


def test_box_iou_rejects_width(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"box_iou node 'n'.*must be 4"):
        one_node(tmp_path, "_contrib_box_iou", {}, {"lhs": (5, 5), "rhs": (3, 4)})


def test_box_encode_rejects_attributes(tmp_path):
    shapes = {
        "samples": (1, 3),
        "matches": (1, 3),
        "anchors": (1, 3, 4),
        "refs": (1, 2, 4),
        "means": (4,),
        "stds": (4,),
    }
    with pytest.raises(mxserve.InvalidArgumentError, match=r"box_encode node 'n'.*clip"):
        one_node(tmp_path, "_contrib_box_encode", {"clip": "1"}, shapes)


def test_bipartite_matching_rejects_missing_threshold(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"bipartite_matching node 'n'.*threshold"
    ):
        one_node(tmp_path, "_contrib_bipartite_matching", {}, {"data": (3, 4)})


CASES2 = [
    boxes_case(
        "npx_box_decode",
        "out = mx.sym.npx.box_decode((data * 4 - 2).as_np_ndarray(), corner(a).as_np_ndarray(),"
        " format='corner', std0=0.1, std1=0.1, std2=0.2, std3=0.2)",
        data=(2, 6, 4),
        a=(1, 6, 4),
    ),
    boxes_case(
        "npx_box_iou",
        "out = mx.sym.npx.box_iou(corner(a).as_np_ndarray(), corner(b).as_np_ndarray())",
        a=(5, 4),
        b=(3, 4),
    ),
]

test_box_codec_mx2 = oracle_test(CASES2, version="2.0.0b1")
