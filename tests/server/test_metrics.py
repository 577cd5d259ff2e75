# SPDX-License-Identifier: Apache-2.0
"""Metric names and exposition: Triton's bare counter names, histograms, one registry per app."""

from __future__ import annotations

from mxserve.server.metrics import Metrics, ModelStats


def _text(stats: ModelStats) -> str:
    m = Metrics(lambda: [("m", "1", stats, 3, 0.5)])
    m.request_us.labels("m", "1").observe(120)
    return m.render().decode()


def test_counters_keep_triton_names() -> None:
    s = ModelStats()
    s.success.add(5_000_000)
    s.record_batch(4, 1000, 2000, 3000)
    s.failures["REJECTED"] = 2
    text = _text(s)
    assert "# TYPE nv_inference_count counter" in text
    assert 'nv_inference_count{model="m",version="1"} 4.0' in text
    assert 'nv_inference_exec_count{model="m",version="1"} 1.0' in text
    assert 'nv_inference_request_success{model="m",version="1"} 1.0' in text
    assert 'nv_inference_request_duration_us{model="m",version="1"} 5000.0' in text
    assert 'nv_inference_request_failure{model="m",reason="REJECTED",version="1"} 2.0' in text
    assert 'nv_inference_pending_request_count{model="m",version="1"} 3.0' in text
    assert 'nv_model_load_duration_secs{model="m",version="1"} 0.5' in text
    assert "_total{" not in text and "_total " not in text and "_created" not in text


def test_histograms_are_exposed() -> None:
    text = _text(ModelStats())
    assert "# TYPE nv_inference_request_duration_histogram_us histogram" in text
    assert (
        'nv_inference_request_duration_histogram_us_bucket{le="250.0",model="m",version="1"} 1.0'
        in text
    )
    assert 'nv_inference_request_duration_histogram_us_count{model="m",version="1"} 1.0' in text


def test_two_apps_in_one_process_do_not_clash() -> None:
    a = Metrics(lambda: [])
    b = Metrics(lambda: [])
    assert a.render() and b.render()


def test_stats_json_matches_triton_schema() -> None:
    s = ModelStats()
    s.record_batch(2, 10, 20, 30)
    j = s.to_json("m", "1")
    assert j["inference_count"] == 2 and j["execution_count"] == 1
    assert j["batch_stats"] == [
        {
            "batch_size": 2,
            "compute_input": {"count": 1, "ns": 10},
            "compute_infer": {"count": 1, "ns": 20},
            "compute_output": {"count": 1, "ns": 30},
        }
    ]
    assert set(j["inference_stats"]) == {
        "success",
        "fail",
        "queue",
        "compute_input",
        "compute_infer",
        "compute_output",
        "cache_hit",
        "cache_miss",
    }
