# SPDX-License-Identifier: Apache-2.0
"""The server with a KIND_GPU model: it serves the digits model on cuda:0 with the numbers of
an in-process CPU predictor, and the metrics port reports Triton's GPU gauges from NVML."""

from __future__ import annotations

import json
import pathlib
import re

import numpy as np
import pytest
from server._serving import DIGITS, make_repo, start_server, stop_server

import mxserve
from gpu.conftest import needs_gpu

pytestmark = needs_gpu


def test_kind_gpu_model_serves_and_reports_gpu_metrics(tmp_path: pathlib.Path) -> None:
    cfg = json.loads((DIGITS / "config.json").read_text())
    cfg.pop("name")
    cfg["instance_group"] = [{"count": 2, "kind": "KIND_GPU", "gpus": [0]}]
    repo = make_repo(tmp_path / "repo", {"digits_gpu": cfg})
    with np.load(DIGITS / "test_digits.npz") as f:
        x = f["x"][:8].astype(np.float32)
    cpu = mxserve.Predictor.load(DIGITS / "1" / "model", input_shapes={"data": x.shape})
    (want,) = cpu(data=x)
    # HTTP and metrics only: the GPU machine lacks the gRPC server's extra packages.
    server = start_server(repo, "--grpc-port", "off", log_dir=tmp_path)
    try:
        body = {
            "inputs": [
                {
                    "name": "data",
                    "shape": list(x.shape),
                    "datatype": "FP32",
                    "data": x.ravel().tolist(),
                }
            ]
        }
        status, out = server.json("POST", "/v2/models/digits_gpu/infer", body)
        assert status == 200, out
        got = np.array(out["outputs"][0]["data"], np.float32).reshape(out["outputs"][0]["shape"])
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
        status, _, text = server.request("GET", "/metrics", port=server.metrics_port)
        assert status == 200
        metrics = text.decode()
        try:
            import pynvml  # noqa: F401
        except ImportError:
            pytest.skip("nvidia-ml-py is not installed: no GPU metrics to check")
        for name in (
            "nv_gpu_utilization",
            "nv_gpu_memory_total_bytes",
            "nv_gpu_memory_used_bytes",
            "nv_gpu_power_usage",
        ):
            m = re.search(rf'^{name}{{gpu_uuid="GPU-[^"]+"}} ([0-9.e+]+)$', metrics, re.M)
            assert m, f"{name} missing from /metrics"
        used = float(re.search(r"^nv_gpu_memory_used_bytes\{[^}]*\} (\S+)$", metrics, re.M)[1])
        assert used > 0
    finally:
        stop_server(server)
