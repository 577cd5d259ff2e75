# SPDX-License-Identifier: Apache-2.0
"""_contrib_box_nms against MXNet 1.9.1: many equal scores (MXNet keeps them in input order),
class-aware and forced suppression, topk below the number of valid boxes, every box below
valid_thresh, background class, center/corner re-encoding (including MXNet's rule that boxes with
a negative first coordinate are not re-encoded), topk=0, extra leading axes and batch > 1."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

# Rows [id, score, x0, y0, x1, y1] built from uniform inputs in [0, 1): three classes, scores on
# a coarse grid (many ties), boxes that overlap a lot and cross the image borders.
BOXES = """
def col(i):
    return mx.sym.slice_axis(data, axis=-1, begin=i, end=i + 1)
x0 = col(2) * 1.2 - 0.2
y0 = col(3)
boxes = mx.sym.concat(mx.sym.floor(col(0) * 3), mx.sym.round(col(1) * {grid}) / {grid}, x0, y0,
                      x0 + col(4) * 0.6 + 0.05, y0 + col(5) * 0.6 + 0.05, dim=-1)
"""


def nms_case(name, attrs="", shape=(2, 24, 6), grid=5, prefix=None):
    code = (prefix or BOXES.format(grid=grid)) + f"out = mx.sym.contrib.box_nms(boxes, {attrs})"
    return case(name, code, low=0.0, high=1.0, data=shape)


CENTER = """
def col(i):
    return mx.sym.slice_axis(data, axis=-1, begin=i, end=i + 1)
boxes = mx.sym.concat(mx.sym.floor(col(0) * 3), mx.sym.round(col(1) * 5) / 5, col(2) - 0.2,
                      col(3), col(4) * 0.5 + 0.05, col(5) * 0.5 + 0.05, dim=-1)
"""

# Width 8: [x0, y0, x1, y1, extra, score, extra, id].
WIDE = """
def col(i):
    return mx.sym.slice_axis(data, axis=-1, begin=i, end=i + 1)
boxes = mx.sym.concat(col(0), col(1), col(0) + col(2) * 0.5, col(1) + col(3) * 0.5, col(4),
                      mx.sym.round(col(5) * 4) / 4, col(6), mx.sym.floor(col(7) * 2), dim=-1)
"""

CASES = [
    nms_case("nms_default", ""),
    nms_case("nms_2d", "overlap_thresh=0.3", shape=(30, 6)),
    nms_case("nms_heavy_ties", "overlap_thresh=0.4", grid=2, shape=(3, 40, 6)),
    nms_case("nms_class_aware", "overlap_thresh=0.2, id_index=0"),
    nms_case("nms_force_suppress", "overlap_thresh=0.2, id_index=0, force_suppress=True"),
    nms_case("nms_topk", "overlap_thresh=0.3, topk=5, valid_thresh=0.1"),
    nms_case("nms_topk_class", "overlap_thresh=0.3, topk=7, id_index=0, valid_thresh=0.2"),
    nms_case("nms_topk_large", "topk=1000"),
    nms_case("nms_valid_thresh", "valid_thresh=0.5, overlap_thresh=0.45"),
    nms_case("nms_all_below_threshold", "valid_thresh=1.5"),
    nms_case("nms_background", "id_index=0, background_id=1, overlap_thresh=0.3"),
    nms_case("nms_topk_zero", "topk=0"),
    nms_case("nms_threshold_zero", "overlap_thresh=0.0"),
    nms_case("nms_threshold_one", "overlap_thresh=1.0"),
    nms_case("nms_corner_to_center", "out_format='center', overlap_thresh=0.3"),
    nms_case(
        "nms_center_to_corner",
        "in_format='center', out_format='corner', overlap_thresh=0.3",
        prefix=CENTER,
    ),
    nms_case("nms_center", "in_format='center', out_format='center'", prefix=CENTER),
    nms_case("nms_4d", "overlap_thresh=0.3, id_index=0", shape=(2, 3, 10, 6)),
    nms_case(
        "nms_wide_rows",
        "coord_start=0, score_index=5, id_index=7, overlap_thresh=0.25, valid_thresh=0.1",
        shape=(2, 20, 8),
        prefix=WIDE,
    ),
    nms_case("nms_batch4", "overlap_thresh=0.5, topk=10", shape=(4, 16, 6)),
    case(
        "nms_alias",
        BOXES.format(grid=5)
        + "out = mx.sym.contrib.box_non_maximum_suppression(boxes, overlap_thresh=0.3)",
        low=0.0,
        high=1.0,
        data=(2, 12, 6),
    ),
    case(
        "nms_then_slice",
        BOXES.format(grid=5)
        + "out = mx.sym.slice_axis(mx.sym.contrib.box_nms(boxes, id_index=0), axis=1, begin=0,"
        " end=5)",
        low=0.0,
        high=1.0,
        data=(2, 12, 6),
    ),
]

test_box_nms = oracle_test(CASES)


def test_box_nms_rejects_narrow_rows(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"box_nms node 'n'.*at least 6"):
        one_node(tmp_path, "_contrib_box_nms", {"id_index": "0"}, {"data": (2, 4, 5)})


def test_box_nms_rejects_score_on_coordinates(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"box_nms node 'n'.*overlaps"):
        one_node(tmp_path, "_contrib_box_nms", {"score_index": "3"}, {"data": (2, 4, 6)})


def test_box_nms_rejects_unknown_format(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"box_nms node 'n'.*in_format"):
        one_node(tmp_path, "_contrib_box_nms", {"in_format": "xywh"}, {"data": (2, 4, 6)})


CASES2 = [
    case(
        "npx_box_nms",
        BOXES.format(grid=5)
        + "out = mx.sym.npx.box_nms(boxes.as_np_ndarray(), overlap_thresh=0.3, id_index=0,"
        " topk=10, valid_thresh=0.1)",
        low=0.0,
        high=1.0,
        data=(2, 24, 6),
    ),
]

test_box_nms_mx2 = oracle_test(CASES2, version="2.0.0b1")
