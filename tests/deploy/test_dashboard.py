# SPDX-License-Identifier: Apache-2.0
"""deploy/grafana/mxserve.json references only metric names the server exports: the names are
read from what ``mxserve.server.metrics.Metrics`` actually renders for a model that has served,
and the GPU row's names from Triton's GPU metrics listed in SERVING.md (exported by CUDA builds
with a GPU only)."""

from __future__ import annotations

import json
import pathlib
import re

from mxserve.server.metrics import Metrics, ModelStats

REPO = pathlib.Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "deploy" / "grafana" / "mxserve.json"
#: Triton's GPU gauges (SERVING.md section 3); only the dashboard's GPU row may use them.
GPU_METRICS = {
    "nv_gpu_utilization",
    "nv_gpu_memory_total_bytes",
    "nv_gpu_memory_used_bytes",
    "nv_gpu_power_usage",
    "nv_gpu_power_limit",
}
#: PromQL words the dashboard uses that are not metric names (functions, keywords, labels).
PROMQL = {
    "sum",
    "max",
    "by",
    "rate",
    "histogram_quantile",
    "le",
    "model",
    "version",
    "reason",
    "instance",
    "gpu_uuid",
}


def _exported_names() -> set[str]:
    stats = ModelStats()
    stats.success.add(1000)
    stats.record_batch(2, 10, 20, 30)
    metrics = Metrics(lambda: [("m", "1", stats, 0, 0.5)])
    h = metrics.for_model("m", "1")
    for hist in (h.request_us, h.queue_us, h.compute_input_us, h.compute_infer_us):
        hist.observe(100)
    h.compute_output_us.observe(1)
    h.batch_size.observe(2)
    text = metrics.render().decode()
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1] != "#"}


def _panels(dashboard: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
    """(row title, panel) for every non-row panel, in order."""
    out, row = [], ""
    for p in dashboard["panels"]:  # type: ignore[attr-defined]
        if p["type"] == "row":
            row = p["title"]
            out += [(row, q) for q in p.get("panels", [])]
        else:
            out.append((row, p))
    return out


def _names(expr: str) -> set[str]:
    expr = re.sub(r'"[^"]*"', "", expr)  # label values
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range selectors
    words = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr))
    return words - PROMQL


def test_every_metric_the_dashboard_uses_is_exported() -> None:
    exported = _exported_names()
    assert "nv_inference_request_success" in exported  # the parser above sees real names
    dashboard = json.loads(DASHBOARD.read_text())
    used: set[str] = set()
    for row, panel in _panels(dashboard):
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = _names(target["expr"])
            assert names, target["expr"]
            allowed = exported | (GPU_METRICS if row.startswith("GPU") else set())
            unknown = names - allowed
            assert not unknown, f"panel '{panel['title']}' uses {sorted(unknown)}"
            used |= names
    # The dashboard covers what the issue asks for.
    for name in (
        "nv_inference_request_success",
        "nv_inference_request_failure",
        "nv_inference_queue_duration_histogram_us_bucket",
        "nv_inference_compute_infer_duration_histogram_us_bucket",
        "nv_inference_batch_size_bucket",
        "nv_gpu_utilization",
    ):
        assert name in used, name
    variable = dashboard["templating"]["list"][1]["query"]["query"]
    assert _names(variable.replace("label_values", "")) <= exported


def test_a_misspelt_metric_is_caught() -> None:
    assert _names('sum(rate(nv_inference_request_sucess{model=~"$model"}[5m]))') == {
        "nv_inference_request_sucess"
    }
    assert "nv_inference_request_sucess" not in _exported_names()
