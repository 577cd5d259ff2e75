# SPDX-License-Identifier: Apache-2.0
"""Every oracle case of tests/ops on cuda:0, compared with MXNet's own outputs (carried in the
archive of tests/gpu/op_cases.py): the operators with a CUDA kernel run it, the others run on the
CPU kernel through host fallback, and either way the numbers are MXNet's.

The tolerance is the case's own, widened to at least rtol 1e-4 / atol 1e-5 for the GPU's
different summation order and fused multiply-adds. With $MXSERVE_GPU_REPORT set, each case
appends a line to op_cases.jsonl there: its operators, the nodes that ran on the host, the
kernels and the largest error, and whether it passed.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import mxserve
from gpu import op_cases
from gpu.conftest import needs_gpu

pytestmark = needs_gpu

CASES = op_cases.manifest()


@pytest.fixture(scope="module")
def case_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return op_cases.extract(tmp_path_factory.mktemp("op_cases"))


@pytest.fixture
def report() -> Iterator[dict[str, Any]]:
    row: dict[str, Any] = {}
    yield row
    where = os.environ.get("MXSERVE_GPU_REPORT")
    if where and row:
        with open(pathlib.Path(where, "op_cases.jsonl"), "a") as f:
            f.write(json.dumps(row) + "\n")


@pytest.mark.parametrize(
    "entry", CASES or [None], ids=[e["id"] for e in CASES] if CASES else ["no-cases"]
)
def test_oracle_case_on_gpu(
    entry: dict[str, Any] | None, case_root: pathlib.Path, report: dict[str, Any]
) -> None:
    if entry is None:
        pytest.skip(f"no oracle case archive at {op_cases.ARCHIVE} (benchmarks/gpu/prepare.sh)")
    d = case_root / entry["dir"]
    with np.load(d / "inputs.npz") as f:
        inputs = {k: f[k] for k in f.files}
    with np.load(d / "outputs.npz") as f:
        expected = [f[k] for k in sorted(f.files, key=lambda s: int(s.split("_")[1]))]
    # Case names repeat across the case lists of one MXNet version; the folder is unique.
    report.update(id=entry["dir"], ops=entry["ops"], passed=False)
    p = mxserve.Predictor(
        d / "symbol.json",
        d / "model.params",
        input_shapes={k: v.shape for k, v in inputs.items()},
        dtypes={k: v.dtype for k, v in inputs.items()},
        device="cuda:0",
    )
    info = p.info()
    report["host_fallback"] = info["host_fallback"]
    report["kernels"] = info["kernels"]
    outs = p(**inputs)
    assert len(outs) == len(expected), f"{len(outs)} outputs, MXNet gave {len(expected)}"
    errs = []
    for i, (got, want) in enumerate(zip(outs, expected)):
        assert got.shape == want.shape, f"output {i}: shape {got.shape}, MXNet {want.shape}"
        assert got.dtype == want.dtype, f"output {i}: dtype {got.dtype}, MXNet {want.dtype}"
        both = np.isfinite(got) & np.isfinite(want) if np.issubdtype(got.dtype, np.number) else None
        if both is not None and both.any():
            diff = got[both].astype(np.float64) - want[both].astype(np.float64)
            errs.append(float(np.max(np.abs(diff))))
    report["max_error"] = max(errs, default=0.0)
    for i, (got, want) in enumerate(zip(outs, expected)):
        np.testing.assert_allclose(
            got,
            want,
            rtol=max(entry["rtol"], 1e-4),
            atol=max(entry["atol"], 1e-5),
            err_msg=f"{entry['id']} output {i} on cuda:0 (host fallback: {info['host_fallback']})",
        )
    report["passed"] = True
