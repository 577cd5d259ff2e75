# SPDX-License-Identifier: Apache-2.0
"""ROIPooling against MXNet 1.9.1: regions crossing the borders, one-cell and large regions, and
regions whose batch index is outside the batch (they give zeros)."""

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


P = "mx.sym.ROIPooling"
CASES = [
    roi_case("pool_basic", P, "pooled_size=(2, 2), spatial_scale=0.125", (2, 3, 8, 8), 6, 64),
    roi_case("pool_rect", P, "pooled_size=(3, 2), spatial_scale=0.25", (2, 4, 10, 12), 8, 48),
    roi_case("pool_scale_one", P, "pooled_size=(4, 4), spatial_scale=1.0", (1, 2, 6, 8), 5, 8),
    roi_case(
        "pool_invalid_batch", P, "pooled_size=(2, 3), spatial_scale=0.5", (2, 2, 6, 6), 8, 12, nb=3
    ),
    roi_case(
        "pool_many_bins", P, "pooled_size=(7, 7), spatial_scale=0.0625", (1, 3, 14, 14), 4, 224
    ),
]

test_roi_pooling = oracle_test(CASES)


def test_roi_pooling_rejects_missing_pooled_size(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"ROIPooling node 'n'.*pooled_size"):
        one_node(
            tmp_path, "ROIPooling", {"spatial_scale": "0.5"}, {"data": (1, 2, 4, 4), "rois": (3, 5)}
        )


CASES2 = [
    case(
        "npx_roi_pooling",
        ROIS.format(img=64, nb=2)
        + "out = mx.sym.npx.roi_pooling(data.as_np_ndarray(), rois.as_np_ndarray(),"
        " pooled_size=(2, 2), spatial_scale=0.125)",
        low=0.0,
        high=1.0,
        data=(2, 3, 8, 8),
        r=(6, 5),
    ),
]

test_roi_pooling_mx2 = oracle_test(CASES2, version="2.0.0b1")
