# SPDX-License-Identifier: Apache-2.0
"""_contrib_ROIAlign (fixed and adaptive sampling, aligned, position-sensitive, regions crossing
and outside the borders, tiny regions) against MXNet 1.9.1."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

# Regions [batch, x0, y0, x1, y1] in image coordinates from uniform inputs r in [0, 1): corners
# from -10% to 100% of the image, sizes from 1 pixel to 60% of the image.
ROIS = """
c = lambda i: mx.sym.slice_axis(r, axis=-1, begin=i, end=i + 1)
x0 = c(1) * {img} * 1.1 - {img} * 0.1
y0 = c(2) * {img} * 1.1 - {img} * 0.1
rois = mx.sym.concat(mx.sym.floor(c(0) * {nb}), x0, y0, x0 + c(3) * {img} * 0.6 + 1,
                     y0 + c(4) * {img} * 0.6 + 1, dim=-1)
"""


def roi_case(name, op, attrs, data, n_rois, img, nb=None):
    code = ROIS.format(img=img, nb=nb if nb is not None else data[0])
    code += f"out = {op}(data, rois, {attrs})"
    return case(name, code, rtol=1e-5, atol=1e-6, low=0.0, high=1.0, data=data, r=(n_rois, 5))


A = "mx.sym.contrib.ROIAlign"
CASES = [
    roi_case(
        "align_basic",
        A,
        "pooled_size=(2, 2), spatial_scale=0.125, sample_ratio=2",
        (2, 3, 8, 8),
        6,
        64,
    ),
    roi_case("align_adaptive", A, "pooled_size=(3, 3), spatial_scale=0.25", (2, 4, 10, 12), 7, 48),
    roi_case(
        "align_rect",
        A,
        "pooled_size=(2, 4), spatial_scale=0.0625, sample_ratio=1",
        (1, 2, 9, 7),
        5,
        112,
    ),
    roi_case(
        "align_aligned",
        A,
        "pooled_size=(3, 3), spatial_scale=0.25, aligned=True",
        (2, 3, 10, 10),
        6,
        40,
    ),
    roi_case(
        "align_aligned_ratio",
        A,
        "pooled_size=(2, 2), spatial_scale=0.5, sample_ratio=3, aligned=True",
        (1, 2, 6, 6),
        4,
        12,
    ),
    roi_case(
        "align_position_sensitive",
        A,
        "pooled_size=(3, 3), spatial_scale=0.25, sample_ratio=2, position_sensitive=True",
        (2, 18, 8, 8),
        5,
        32,
    ),
    roi_case("align_scale_one", A, "pooled_size=(4, 4), spatial_scale=1.0", (1, 2, 6, 8), 4, 8),
    roi_case(
        "align_large_regions", A, "pooled_size=(7, 7), spatial_scale=0.0625", (1, 4, 14, 14), 3, 224
    ),
]

test_roi_align = oracle_test(CASES)


def test_roi_align_rejects_rois_width(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"ROIAlign node 'n'.*rois must be"):
        one_node(
            tmp_path,
            "_contrib_ROIAlign",
            {"pooled_size": "(2, 2)", "spatial_scale": "0.5"},
            {"data": (1, 2, 4, 4), "rois": (3, 4)},
        )


def test_roi_align_rejects_position_sensitive_channels(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"ROIAlign node 'n'.*divisible by 4"):
        one_node(
            tmp_path,
            "_contrib_ROIAlign",
            {"pooled_size": "(2, 2)", "spatial_scale": "0.5", "position_sensitive": "True"},
            {"data": (1, 6, 4, 4), "rois": (3, 5)},
        )
