# SPDX-License-Identifier: Apache-2.0
"""_contrib_MultiBoxPrior (sizes, ratios, clip, steps, offsets, non-square maps) and
_contrib_MultiBoxDetection (equal scores, threshold, nms_threshold, force_suppress, nms_topk,
variances, clip, batch > 1, every score below the threshold) against MXNet 1.9.1."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

PRIOR = "out = mx.sym.contrib.MultiBoxPrior(data, {})"

# Anchors from a 4 x 4 map (4 per cell, 64 in all), probabilities over 4 classes rounded to a
# grid (equal scores), offsets in [-1, 1).
DET = """
anchors = mx.sym.contrib.MultiBoxPrior(feat, sizes=(0.3, 0.5), ratios=(1, 2, 0.5), clip={aclip})
probs = mx.sym.round(mx.sym.softmax(cls * {sharp}, axis=1) * {grid}) / {grid}
out = mx.sym.contrib.MultiBoxDetection(probs, loc, anchors, {attrs})
"""


def det_case(name, attrs="", batch=2, grid=10, sharp=3, aclip=False):
    code = DET.format(attrs=attrs, grid=grid, sharp=sharp, aclip=aclip)
    return case(name, code, feat=(1, 2, 4, 4), cls=(batch, 4, 64), loc=(batch, 256))


CASES = [
    case("prior_default", PRIOR.format(""), data=(1, 3, 4, 5)),
    case(
        "prior_sizes_ratios",
        PRIOR.format("sizes=(0.2, 0.5, 0.8), ratios=(1, 2, 0.5)"),
        data=(2, 3, 5, 3),
    ),
    case(
        "prior_clip", PRIOR.format("sizes=(0.6, 0.9), ratios=(1, 3), clip=True"), data=(1, 2, 3, 3)
    ),
    case(
        "prior_steps_offsets",
        PRIOR.format("sizes=(0.1,), ratios=(1, 2), steps=(0.1, 0.05), offsets=(0.2, 0.7)"),
        data=(1, 1, 6, 8),
    ),
    case("prior_one_cell", PRIOR.format("sizes=(0.5, 0.7), ratios=(1, 2, 0.5)"), data=(1, 1, 1, 1)),
    det_case("det_default"),
    det_case("det_ties", "nms_threshold=0.3", grid=4),
    det_case("det_force_suppress", "nms_threshold=0.3, force_suppress=True"),
    det_case("det_topk", "nms_topk=10, threshold=0.2"),
    det_case("det_no_clip_variances", "clip=False, variances=(0.2, 0.2, 0.3, 0.3)"),
    det_case("det_threshold", "threshold=0.4", sharp=6),
    det_case("det_all_background", "threshold=1.5"),
    det_case("det_nms_off", "nms_threshold=0"),
    det_case("det_nms_one", "nms_threshold=1.0"),
    det_case("det_batch3_clipped_anchors", "nms_threshold=0.45, nms_topk=20", batch=3, aclip=True),
]

test_multibox = oracle_test(CASES)


def test_multibox_prior_rejects_three_steps(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"MultiBoxPrior node 'n'.*steps"):
        one_node(
            tmp_path, "_contrib_MultiBoxPrior", {"steps": "(0.1, 0.1, 0.1)"}, {"data": (1, 2, 3, 3)}
        )


def test_multibox_detection_rejects_anchor_count(tmp_path):
    shapes = {"cls_prob": (1, 3, 10), "loc_pred": (1, 40), "anchor": (1, 12, 4)}
    with pytest.raises(mxserve.InvalidArgumentError, match=r"MultiBoxDetection node 'n'.*anchors"):
        one_node(tmp_path, "_contrib_MultiBoxDetection", {}, shapes)


NPX_DET = """
anchors = mx.sym.npx.multibox_prior(feat.as_np_ndarray(), sizes=(0.3, 0.5), ratios=(1, 2, 0.5))
probs = mx.sym.round(mx.sym.softmax(cls * 3, axis=1) * 10) / 10
out = mx.sym.npx.multibox_detection(probs.as_np_ndarray(), loc.as_np_ndarray(), anchors,
                                    nms_threshold=0.4, nms_topk=20)
"""
CASES2 = [
    case(
        "npx_multibox_prior",
        "out = mx.sym.npx.multibox_prior(data.as_np_ndarray(), sizes=(0.2, 0.4), ratios=(1, 2))",
        data=(1, 2, 3, 4),
    ),
    case("npx_multibox_detection", NPX_DET, feat=(1, 2, 4, 4), cls=(2, 4, 64), loc=(2, 256)),
]

test_multibox_mx2 = oracle_test(CASES2, version="2.0.0b1")
