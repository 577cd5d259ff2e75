# SPDX-License-Identifier: Apache-2.0
"""Segmentation, pose and NLP networks of tests/models on cuda:0 (packed by tests/gpu/families.py):
the small ones against MXNet's own outputs, the large ones, with seeded weights, against
mxserve's CPU path; both batch sizes MXNet recorded, float32, rtol 1e-3 / atol 1e-4 (relative to
the output's scale for the seeded ones). The nodes that ran on the host are printed."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import mxserve
from gpu import families
from gpu.conftest import needs_gpu

pytestmark = needs_gpu

NAMES = [name for _, name in (*families.REAL, *families.SEEDED)]


@pytest.mark.parametrize("name", NAMES)
def test_family_on_gpu(name: str, tmp_path: pathlib.Path) -> None:
    if name not in families.available():
        pytest.skip(f"{name} is not packed in {families.DIR} (benchmarks/gpu/prepare.sh)")
    prefix = families.prefix(name, tmp_path)
    b1, b2 = families.meta(name)["batches"]
    for b in (b1, b2):
        x, mxnet_out = families.batch(name, b)
        shapes = {k: v.shape for k, v in x.items()}
        dtypes = {k: v.dtype for k, v in x.items()}
        gpu = mxserve.Predictor.load(prefix, 0, input_shapes=shapes, dtypes=dtypes, device="cuda:0")
        if b == b1:
            print(f"{name}: host fallback {gpu.info()['host_fallback']}")
        got = gpu(**x)
        if mxnet_out is not None:
            want, what = mxnet_out, "MXNet"
        else:
            cpu = mxserve.Predictor.load(prefix, 0, input_shapes=shapes, dtypes=dtypes)
            want, what = cpu(**x), "the CPU path"
        assert len(got) == len(want)
        for k, (g, w) in enumerate(zip(got, want)):
            assert g.shape == w.shape, f"{name} b{b} output {k}: {g.shape} vs {what} {w.shape}"
            scale = 1.0 if mxnet_out is not None else max(1.0, float(np.max(np.abs(w))))
            err = float(np.max(np.abs(g - w)))
            print(f"{name} batch {b} output {k} max error {err:.3g} against {what}")
            np.testing.assert_allclose(
                g, w, rtol=1e-3, atol=1e-4 * scale, err_msg=f"{name} b{b} output {k} vs {what}"
            )
