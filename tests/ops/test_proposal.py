# SPDX-License-Identifier: Apache-2.0
"""_contrib_Proposal and _contrib_MultiProposal against MXNet 1.9.1: equal scores, cells outside
the real image size, boxes under rpn_min_size, rpn_pre_nms_top_n cut or off, more output rows
than surviving boxes (repeated cyclically), iou_loss offsets, output_score, batch > 1."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

# Scores on a grid (equal values), offsets in [-0.3, 0.3), im_info rows [130..170, 150..190,
# 0.75..1.25] for a 6 x 8 map with stride 16 (so the last rows or columns are often outside).
PROP = """
c = lambda i: mx.sym.slice_axis(info, axis=1, begin=i, end=i + 1)
im_info = mx.sym.concat(c(0) * 40 + 60, c(1) * 40 + 100, c(2) * 0.5 + 0.75, dim=1)
out = mx.sym.contrib.{op}(mx.sym.round(cls * {grid}) / {grid}, (bbox - 0.5) * 0.6, im_info,
                          {attrs})
"""


def prop_case(name, attrs, op="Proposal", batch=1, grid=20, anchors=6):
    code = PROP.format(op=op, attrs=attrs, grid=grid)
    return case(
        name,
        code,
        low=0.0,
        high=1.0,
        cls=(batch, 2 * anchors, 6, 8),
        bbox=(batch, 4 * anchors, 6, 8),
        info=(batch, 3),
    )


BASE = "scales=(2, 4), ratios=(0.5, 1, 2), feature_stride=16"
CASES = [
    prop_case(
        "proposal_score",
        BASE + ", rpn_pre_nms_top_n=100, rpn_post_nms_top_n=20, output_score=True",
    ),
    prop_case("proposal_defaults", "scales=(8, 16), ratios=(0.5, 1, 2)"),
    prop_case(
        "proposal_all_pre_nms",
        BASE + ", rpn_pre_nms_top_n=-1, rpn_post_nms_top_n=40, threshold=0.5, output_score=True",
    ),
    prop_case(
        "proposal_cyclic_fill",
        BASE + ", rpn_pre_nms_top_n=12, rpn_post_nms_top_n=30, threshold=0.3, output_score=True",
    ),
    prop_case(
        "proposal_iou_loss",
        BASE + ", rpn_pre_nms_top_n=60, rpn_post_nms_top_n=15, iou_loss=True, output_score=True",
    ),
    prop_case(
        "proposal_min_size",
        "scales=(1, 2), ratios=(1,), feature_stride=16, rpn_min_size=24, rpn_pre_nms_top_n=50,"
        " rpn_post_nms_top_n=25, output_score=True",
        anchors=2,
    ),
    prop_case(
        "multi_proposal",
        BASE + ", rpn_pre_nms_top_n=80, rpn_post_nms_top_n=16, output_score=True",
        op="MultiProposal",
        batch=2,
    ),
    prop_case(
        "multi_proposal_ties",
        BASE + ", rpn_pre_nms_top_n=50, rpn_post_nms_top_n=20, threshold=0.6",
        op="MultiProposal",
        batch=3,
        grid=4,
    ),
]

test_proposal = oracle_test(CASES)


def test_proposal_rejects_batch(tmp_path):
    shapes = {"cls_prob": (2, 6, 4, 4), "bbox_pred": (2, 12, 4, 4), "im_info": (2, 3)}
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Proposal node 'n'.*one image"):
        one_node(tmp_path, "_contrib_Proposal", {"scales": "(8,)", "ratios": "(1, 2, 3)"}, shapes)


def test_multi_proposal_rejects_anchor_channels(tmp_path):
    shapes = {"cls_prob": (2, 8, 4, 4), "bbox_pred": (2, 16, 4, 4), "im_info": (2, 3)}
    with pytest.raises(mxserve.InvalidArgumentError, match=r"MultiProposal node 'n'.*need 24"):
        one_node(tmp_path, "_contrib_MultiProposal", {}, shapes)


def test_proposal_nan_scores(tmp_path):
    # MXNet leaves the place of NaN scores in its sort unspecified; mxserve sorts them last and
    # must stay well-defined (no out-of-range reads) with many of them.
    import numpy as np

    rng = np.random.RandomState(0)
    cls = rng.uniform(0, 1, (1, 6, 8, 8)).astype(np.float32)
    cls[:, :, ::2] = np.nan
    shapes = {"cls_prob": cls.shape, "bbox_pred": (1, 12, 8, 8), "im_info": (1, 3)}
    attrs = {"scales": "(2,)", "ratios": "(0.5, 1, 2)", "rpn_post_nms_top_n": "20"}
    p = one_node(tmp_path, "_contrib_Proposal", attrs, shapes)
    bbox = rng.uniform(-0.1, 0.1, (1, 12, 8, 8)).astype(np.float32)
    (rois,) = p(cls_prob=cls, bbox_pred=bbox, im_info=np.array([[128, 128, 1]], np.float32))
    assert rois.shape == (20, 5)
    assert np.all(rois[:, 0] == 0) and np.all(np.isfinite(rois))
