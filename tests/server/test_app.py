# SPDX-License-Identifier: Apache-2.0
"""End to end: a real ``mxserve serve`` on a loopback port, driven by tritonclient and raw HTTP."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tritonclient.http as th
from tritonclient.utils import InferenceServerException

from server._serving import Server, make_repo, start_server, stop_server

OUT = "dense2_fwd_output"
LIMIT = 200_000

CONFIGS: dict[str, dict[str, Any] | None] = {
    # batches of up to 8, waiting at most 20 ms for them to fill
    "digits": {
        "max_batch_size": 8,
        "input": [{"name": "data", "data_type": "TYPE_FP32", "dims": [64]}],
        "dynamic_batching": {"max_queue_delay_microseconds": 20000},
    },
    # no config: inputs and outputs come from the graph
    "plain": None,
    # a config naming an input the graph does not have: fails to load, alone
    "broken": {
        "max_batch_size": 4,
        "input": [{"name": "pixels", "data_type": "TYPE_FP32", "dims": [64]}],
    },
    # holds requests for 2 s (a batch of 4 never fills), at most 2 queued
    "slow": {
        "max_batch_size": 4,
        "input": [{"name": "data", "data_type": "TYPE_FP32", "dims": [64]}],
        "dynamic_batching": {
            "max_queue_delay_microseconds": 2_000_000,
            "default_queue_policy": {"max_queue_size": 2},
        },
    },
    # MMS names: batch_size, max_batch_delay (ms), job_queue_size, min_worker
    "mms": {"batch_size": 4, "max_batch_delay": 5, "job_queue_size": 10, "min_worker": 2},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("repo")
    repo = make_repo(root / "models", CONFIGS)
    s = start_server(repo, "--max-request-bytes", str(LIMIT), log_dir=root)
    deadline = time.monotonic() + 30
    while (
        time.monotonic() < deadline
        and s.json("POST", "/v2/repository/index")[1][0].get("state") == "LOADING"
    ):
        time.sleep(0.05)
    yield s
    stop_server(s)


@pytest.fixture
def client(server: Server) -> Iterator[th.InferenceServerClient]:
    c = th.InferenceServerClient(server.address, concurrency=16)
    yield c
    c.close()


def _infer_body(x: np.ndarray, **extra: Any) -> dict[str, Any]:
    return {
        "inputs": [
            {"name": "data", "shape": list(x.shape), "datatype": "FP32", "data": x.ravel().tolist()}
        ],
        **extra,
    }


def _binary_request(
    x: np.ndarray,
    header: str = "Inference-Header-Content-Length",
    size: int | None = None,
    cut: int = 0,
) -> tuple[bytes, dict[str, str]]:
    raw = x.astype("<f4").tobytes()
    head = json.dumps(
        {
            "inputs": [
                {
                    "name": "data",
                    "shape": list(x.shape),
                    "datatype": "FP32",
                    "parameters": {"binary_data_size": len(raw) if size is None else size},
                }
            ]
        }
    ).encode()
    body = head + raw[: len(raw) - cut]
    return body, {header: str(len(head)), "Content-Type": "application/octet-stream"}


def _decode_binary(headers: dict[str, str], body: bytes) -> dict[str, np.ndarray]:
    n = int(headers["inference-header-content-length"])
    head = json.loads(body[:n])
    out, offset = {}, n
    for o in head["outputs"]:
        size = o["parameters"]["binary_data_size"]
        out[o["name"]] = np.frombuffer(body[offset : offset + size], "<f4").reshape(o["shape"])
        offset += size
    return out


# -- metadata and health ---------------------------------------------------------------------------


def test_server_metadata_and_health(server: Server) -> None:
    status, meta = server.json("GET", "/v2")
    assert (
        status == 200 and meta["name"] == "mxserve" and "binary_tensor_data" in meta["extensions"]
    )
    assert server.request("GET", "/v2/health/live")[0] == 200
    # strict readiness: the broken model keeps the server from being ready
    assert server.request("GET", "/v2/health/ready")[0] == 400
    assert server.request("GET", "/v2/models/digits/ready")[0] == 200
    assert server.request("GET", "/v2/models/digits/versions/1/ready")[0] == 200
    assert server.request("GET", "/v2/models/broken/ready")[0] == 400
    assert server.request("GET", "/v2/models/nope/ready")[0] == 404
    assert server.request("POST", "/v2/health/live")[0] == 405


def test_metadata_shows_batch_dim(server: Server) -> None:
    status, meta = server.json("GET", "/v2/models/digits")
    assert status == 200
    assert meta == {
        "name": "digits",
        "versions": ["1"],
        "platform": "mxnet_mxnet",
        "inputs": [{"name": "data", "datatype": "FP32", "shape": [-1, 64]}],
        "outputs": [{"name": OUT, "datatype": "FP32", "shape": [-1, 10]}],
    }
    status, cfg = server.json("GET", "/v2/models/digits/versions/1/config")
    assert status == 200 and cfg["max_batch_size"] == 8
    assert cfg["dynamic_batching"]["max_queue_delay_microseconds"] == 20000


def test_config_accepts_mms_aliases(server: Server) -> None:
    status, cfg = server.json("GET", "/v2/models/mms/config")
    assert status == 200
    assert cfg["max_batch_size"] == 4
    assert cfg["dynamic_batching"]["max_queue_delay_microseconds"] == 5000
    assert cfg["dynamic_batching"]["default_queue_policy"]["max_queue_size"] == 10
    assert cfg["instance_group"][0]["count"] == 2


def test_model_without_config_is_read_from_the_graph(
    server: Server, digits: Any, reference: Callable[..., Any]
) -> None:
    status, meta = server.json("GET", "/v2/models/plain")
    assert status == 200
    assert [i["name"] for i in meta["inputs"]] == ["data"]
    assert [o["name"] for o in meta["outputs"]] == [OUT]
    x = digits[0][:3]
    status, out = server.json("POST", "/v2/models/plain/infer", _infer_body(x))
    assert status == 200
    np.testing.assert_allclose(
        np.array(out["outputs"][0]["data"]).reshape(3, 10), reference(x), rtol=1e-5, atol=1e-5
    )


def test_failed_model_is_reported_and_others_serve(server: Server) -> None:
    status, index = server.json("POST", "/v2/repository/index", {})
    rows = {r["name"]: r for r in index}
    assert rows["broken"]["state"] == "UNAVAILABLE" and "pixels" in rows["broken"]["reason"]
    assert all(rows[n]["state"] == "READY" for n in ("digits", "plain", "slow", "mms"))
    status, body = server.json(
        "POST", "/v2/models/broken/infer", _infer_body(np.zeros((1, 64), np.float32))
    )
    assert status == 400 and "pixels" in body["error"]


# -- inference -------------------------------------------------------------------------------------


def test_tritonclient_binary_defaults(
    client: th.InferenceServerClient, digits: Any, reference: Callable[..., Any]
) -> None:
    x, y = digits[0][:5], digits[1][:5]
    inp = th.InferInput("data", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)  # binary_data=True, the default
    result = client.infer("digits", [inp], request_id="req-7")
    got = result.as_numpy(OUT)
    assert result.get_response()["id"] == "req-7"
    assert result.get_response()["outputs"][0]["parameters"]["binary_data_size"] == 5 * 10 * 4
    np.testing.assert_allclose(got, reference(x), rtol=1e-5, atol=1e-5)
    assert (got.argmax(1) == y).all()


def test_tritonclient_json(
    client: th.InferenceServerClient, digits: Any, reference: Callable[..., Any]
) -> None:
    x = digits[0][5:8]
    inp = th.InferInput("data", list(x.shape), "FP32")
    inp.set_data_from_numpy(x, binary_data=False)
    result = client.infer(
        "digits",
        [inp],
        model_version="1",
        outputs=[th.InferRequestedOutput(OUT, binary_data=False)],
    )
    assert "data" in result.get_response()["outputs"][0]
    np.testing.assert_allclose(result.as_numpy(OUT), reference(x), rtol=1e-5, atol=1e-5)
    assert client.is_model_ready("digits") and client.is_server_live()
    assert client.get_model_metadata("digits")["inputs"][0]["shape"] == [-1, 64]


def test_tritonclient_compressed_both_ways(
    client: th.InferenceServerClient, digits: Any, reference: Callable[..., Any]
) -> None:
    x = digits[0][:8]
    inp = th.InferInput("data", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    for algo in ("gzip", "deflate"):
        result = client.infer(
            "digits",
            [inp],
            request_compression_algorithm=algo,
            response_compression_algorithm=algo,
        )
        np.testing.assert_allclose(result.as_numpy(OUT), reference(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "accept, coding",
    [("gzip", "gzip"), ("deflate;q=1, gzip;q=0", "deflate"), ("gzip;q=0", None), ("br", None)],
)
def test_response_compression_follows_accept_encoding(
    server: Server, digits: Any, accept: str, coding: str | None
) -> None:
    import zlib

    body, headers = _binary_request(digits[0][:8])
    status, plain_h, plain = server.request("POST", "/v2/models/digits/infer", body, headers)
    assert status == 200 and "content-encoding" not in plain_h
    status, h, data = server.request(
        "POST", "/v2/models/digits/infer", body, {**headers, "Accept-Encoding": accept}
    )
    assert status == 200 and h.get("content-encoding") == coding
    if coding is not None:
        data = zlib.decompress(data, 31 if coding == "gzip" else 15)
    assert data == plain
    assert h.get("inference-header-content-length") == plain_h.get(
        "inference-header-content-length"
    )


@pytest.mark.parametrize(
    "header",
    [
        "inference-header-content-length",
        "INFERENCE-HEADER-CONTENT-LENGTH",
        "Inference-Header-Content-Length",
    ],
)
def test_binary_header_is_case_insensitive(
    server: Server, digits: Any, reference: Callable[..., Any], header: str
) -> None:
    x = digits[0][:2]
    body, headers = _binary_request(x, header)
    status, rh, data = server.request("POST", "/v2/models/digits/infer", body, headers)
    assert status == 200, data
    assert json.loads(data)["outputs"][0]["shape"] == [2, 10]
    np.testing.assert_allclose(
        np.array(json.loads(data)["outputs"][0]["data"]).reshape(2, 10),
        reference(x),
        rtol=1e-5,
        atol=1e-5,
    )


def test_raw_binary_request(server: Server, digits: Any, reference: Callable[..., Any]) -> None:
    x = digits[0][3:4]
    status, headers, body = server.request(
        "POST",
        "/v2/models/digits/infer",
        x.astype("<f4").tobytes(),
        {"Inference-Header-Content-Length": "0"},
    )
    assert status == 200, body
    np.testing.assert_allclose(
        _decode_binary(headers, body)[OUT], reference(x), rtol=1e-5, atol=1e-5
    )


def test_binary_output_for_json_request(
    server: Server, digits: Any, reference: Callable[..., Any]
) -> None:
    x = digits[0][:2]
    req = _infer_body(x, id="x1", outputs=[{"name": OUT, "parameters": {"binary_data": True}}])
    status, headers, body = server.request(
        "POST", "/v2/models/digits/infer", json.dumps(req).encode()
    )
    assert status == 200
    assert json.loads(body[: int(headers["inference-header-content-length"])])["id"] == "x1"
    np.testing.assert_allclose(
        _decode_binary(headers, body)[OUT], reference(x), rtol=1e-5, atol=1e-5
    )
    req = _infer_body(x, parameters={"binary_data_output": True})
    status, headers, body = server.request(
        "POST", "/v2/models/digits/infer", json.dumps(req).encode()
    )
    assert status == 200 and OUT in _decode_binary(headers, body)


def test_gzip_request(server: Server, digits: Any) -> None:
    body = gzip.compress(json.dumps(_infer_body(digits[0][:1])).encode())
    status, _, data = server.request(
        "POST", "/v2/models/digits/infer", body, {"Content-Encoding": "gzip"}
    )
    assert status == 200, data


def test_nested_json_data(server: Server, digits: Any) -> None:
    x = digits[0][:2]
    req = {"inputs": [{"name": "data", "shape": [2, 64], "datatype": "FP32", "data": x.tolist()}]}
    status, out = server.json("POST", "/v2/models/digits/infer", req)
    assert status == 200 and out["outputs"][0]["shape"] == [2, 10] and "id" not in out


# -- errors: every one is {"error": ...} with Triton's status --------------------------------------

ERRORS = {
    "unknown model": (
        "/v2/models/nope/infer",
        _infer_body(np.zeros((1, 64), np.float32)),
        404,
        "unknown model",
    ),
    "unknown version": (
        "/v2/models/digits/versions/9/infer",
        _infer_body(np.zeros((1, 64), np.float32)),
        404,
        "version 9",
    ),
    "wrong input name": (
        "/v2/models/digits/infer",
        {"inputs": [{"name": "pixels", "shape": [1, 64], "datatype": "FP32", "data": [0.0] * 64}]},
        400,
        "unexpected inference input 'pixels'",
    ),
    "wrong shape": (
        "/v2/models/digits/infer",
        {"inputs": [{"name": "data", "shape": [1, 63], "datatype": "FP32", "data": [0.0] * 63}]},
        400,
        "unexpected shape",
    ),
    "wrong dtype": (
        "/v2/models/digits/infer",
        {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP64", "data": [0.0] * 64}]},
        400,
        "data-type is 'FP64'",
    ),
    "unknown dtype": (
        "/v2/models/digits/infer",
        {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP33", "data": [0.0] * 64}]},
        400,
        "invalid datatype",
    ),
    "data size": (
        "/v2/models/digits/infer",
        {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP32", "data": [0.0] * 60}]},
        400,
        "needs 64 elements",
    ),
    "batch too large": (
        "/v2/models/digits/infer",
        _infer_body(np.zeros((9, 64), np.float32)),
        400,
        "batch-size must be <= 8",
    ),
    "unknown output": (
        "/v2/models/digits/infer",
        _infer_body(np.zeros((1, 64), np.float32), outputs=[{"name": "nope"}]),
        400,
        "unexpected inference output 'nope'",
    ),
    "no inputs": ("/v2/models/digits/infer", {"inputs": []}, 400, "inputs"),
    "bad timeout": (
        "/v2/models/digits/infer",
        _infer_body(np.zeros((1, 64), np.float32), parameters={"timeout": "soon"}),
        400,
        "timeout",
    ),
    "bad priority": (
        "/v2/models/digits/infer",
        _infer_body(np.zeros((1, 64), np.float32), parameters={"priority": -1}),
        400,
        "parameter 'priority' must be a non-negative integer",
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_infer_rejects(server: Server, case: str) -> None:
    path, payload, code, text = ERRORS[case]
    status, body = server.json("POST", path, payload)
    assert status == code, body
    assert set(body) == {"error"} and text in body["error"]


def test_infer_rejects_malformed_json(server: Server) -> None:
    status, _, body = server.request("POST", "/v2/models/digits/infer", b'{"inputs": [', {})
    assert status == 400 and "error" in json.loads(body)


def test_infer_rejects_truncated_binary(server: Server, digits: Any) -> None:
    body, headers = _binary_request(digits[0][:2], cut=10)
    status, _, data = server.request("POST", "/v2/models/digits/infer", body, headers)
    assert status == 400 and "unexpected end of binary data" in json.loads(data)["error"]


def test_infer_rejects_wrong_binary_size(server: Server, digits: Any) -> None:
    body, headers = _binary_request(digits[0][:2], size=100)
    status, _, data = server.request("POST", "/v2/models/digits/infer", body, headers)
    assert status == 400 and "binary_data_size 100" in json.loads(data)["error"]


def test_infer_rejects_bad_header_length(server: Server) -> None:
    status, _, data = server.request(
        "POST", "/v2/models/digits/infer", b"{}", {"Inference-Header-Content-Length": "99"}
    )
    assert status == 400 and "Inference-Header-Content-Length" in json.loads(data)["error"]


def test_infer_rejects_raw_binary_of_wrong_size(server: Server) -> None:
    status, _, data = server.request(
        "POST", "/v2/models/digits/infer", b"\0" * 12, {"Inference-Header-Content-Length": "0"}
    )
    assert status == 400 and "elements" in json.loads(data)["error"]


def test_infer_rejects_oversize_body(server: Server) -> None:
    body = b"x" * (LIMIT + 1)
    status, _, data = server.request("POST", "/v2/models/digits/infer", body, {})
    assert status == 413 and "limit" in json.loads(data)["error"]


def test_infer_rejects_oversize_chunked_body(server: Server) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(
        "POST", "/v2/models/digits/infer", body=iter([b"x" * 100_000] * 3), encode_chunked=True
    )
    r = conn.getresponse()
    assert r.status == 413 and "limit" in json.loads(r.read())["error"]
    conn.close()


def test_unknown_route_is_json_404(server: Server) -> None:
    status, _, body = server.request("GET", "/v2/nothing")
    assert status == 404 and json.loads(body) == {"error": "Not Found"}


# -- batching, queue, timeouts -----------------------------------------------------------------------


def test_concurrent_requests_are_batched(
    server: Server, digits: Any, reference: Callable[..., Any]
) -> None:
    before = server.metrics()
    x = digits[0]
    expected = reference(x)
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        c = th.InferenceServerClient(server.address)
        try:
            for j in range(i, len(x), 8):
                inp = th.InferInput("data", [1, 64], "FP32")
                inp.set_data_from_numpy(x[j : j + 1])
                results[j] = c.infer("digits", [inp]).as_numpy(OUT)
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = np.concatenate([results[j] for j in range(len(x))])
    np.testing.assert_allclose(
        got, expected, rtol=1e-5, atol=1e-5
    )  # every response = its unbatched result
    after = server.metrics()
    key = '{model="digits",version="1"}'
    n_inf = after["nv_inference_count" + key] - before.get("nv_inference_count" + key, 0)
    n_exec = after["nv_inference_exec_count" + key] - before.get("nv_inference_exec_count" + key, 0)
    assert n_inf == len(x)
    assert n_exec < n_inf


def test_queue_full_is_503_at_once(server: Server) -> None:
    body = json.dumps(_infer_body(np.zeros((1, 64), np.float32))).encode()
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(server.request("POST", "/v2/models/slow/infer", body)[0])
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    key = 'nv_inference_pending_request_count{model="slow",version="1"}'
    deadline = time.monotonic() + 5
    while server.metrics().get(key, 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    t0 = time.monotonic()
    status, headers, data = server.request("POST", "/v2/models/slow/infer", body)
    assert status == 503 and json.loads(data)["error"].endswith("Exceeds maximum queue size")
    assert headers["retry-after"] and time.monotonic() - t0 < 1.5  # rejected without waiting
    for t in threads:
        t.join()
    assert results == [200, 200]
    assert (
        server.metrics()['nv_inference_request_failure{model="slow",reason="REJECTED",version="1"}']
        >= 1
    )


def test_request_timeout_is_503(server: Server) -> None:
    req = _infer_body(np.zeros((1, 64), np.float32), parameters={"timeout": 100_000})
    t0 = time.monotonic()
    status, body = server.json("POST", "/v2/models/slow/infer", req)
    assert status == 503 and body == {"error": "Request timeout expired"}
    assert time.monotonic() - t0 < 1.5


def test_tritonclient_sees_timeout(client: th.InferenceServerClient) -> None:
    inp = th.InferInput("data", [1, 64], "FP32")
    inp.set_data_from_numpy(np.zeros((1, 64), np.float32))
    with pytest.raises(InferenceServerException, match="Request timeout expired"):
        client.infer("slow", [inp], timeout=50_000)


# -- stats and metrics ---------------------------------------------------------------------------------


def test_stats(server: Server, digits: Any) -> None:
    server.json("POST", "/v2/models/digits/infer", _infer_body(digits[0][:1]))
    status, stats = server.json("GET", "/v2/models/digits/stats")
    assert status == 200
    s = stats["model_stats"][0]
    assert s["name"] == "digits" and s["version"] == "1"
    assert s["inference_count"] >= 1 and s["execution_count"] >= 1
    assert (
        s["inference_stats"]["success"]["count"] >= 1 and s["inference_stats"]["success"]["ns"] > 0
    )
    status, all_stats = server.json("GET", "/v2/models/stats")
    assert {m["name"] for m in all_stats["model_stats"]} >= {"digits", "plain", "slow"}
    assert server.json("GET", "/v2/models/nope/stats")[0] == 404


def test_metrics_use_triton_names(server: Server) -> None:
    status, headers, body = server.request("GET", "/metrics", port=server.metrics_port)
    assert status == 200 and headers["content-type"].startswith("text/plain")
    text = body.decode()
    types = dict(line.split()[2:4] for line in text.splitlines() if line.startswith("# TYPE"))
    for name in (
        "nv_inference_request_success",
        "nv_inference_request_failure",
        "nv_inference_count",
        "nv_inference_exec_count",
        "nv_inference_request_duration_us",
        "nv_inference_queue_duration_us",
        "nv_inference_compute_input_duration_us",
        "nv_inference_compute_infer_duration_us",
        "nv_inference_compute_output_duration_us",
    ):
        assert types[name] == "counter"
        assert f"{name}_total" not in text
    for name in (
        "nv_inference_pending_request_count",
        "nv_model_load_duration_secs",
        "nv_cpu_utilization",
        "nv_cpu_memory_total_bytes",
        "nv_cpu_memory_used_bytes",
    ):
        assert types[name] == "gauge"
    for name in (
        "nv_inference_request_duration_histogram_us",
        "nv_inference_queue_duration_histogram_us",
        "nv_inference_compute_infer_duration_histogram_us",
        "nv_inference_batch_size",
    ):
        assert types[name] == "histogram"
    assert 'nv_inference_count{model="digits",version="1"}' in text
    # the main port serves the same; the metrics port serves nothing else
    assert server.request("GET", "/metrics")[0] == 200
    assert server.request("GET", "/v2", port=server.metrics_port)[0] == 404


# -- MMS compatibility ----------------------------------------------------------------------------------


def test_mms_ping_and_predictions(
    server: Server, digits: Any, reference: Callable[..., Any]
) -> None:
    status, body = server.json("GET", "/ping")
    assert status == 500 and body == {"status": "Partial Healthy"}  # "broken" failed to load
    x = digits[0][:2]
    status, out = server.json("POST", "/predictions/digits", x.tolist())
    assert status == 200
    np.testing.assert_allclose(np.array(out[OUT]), reference(x), rtol=1e-5, atol=1e-5)
    status, _, raw = server.request(
        "POST",
        "/predictions/digits/1",
        x[:1].astype("<f4").tobytes(),
        {"Content-Type": "application/octet-stream"},
    )
    assert status == 200
    np.testing.assert_allclose(
        np.array(json.loads(raw)[OUT]), reference(x[:1]), rtol=1e-5, atol=1e-5
    )
    status, err = server.json("POST", "/predictions/nope", [[0.0] * 64])
    assert status == 404 and err["code"] == 404 and err["type"] == "ModelNotFoundException"


def test_mms_management(server: Server) -> None:
    status, body = server.json("GET", "/models")
    assert status == 200 and {m["modelName"] for m in body["models"]} >= {"digits", "broken"}
    status, body = server.json("GET", "/models/mms")
    assert status == 200 and body[0]["batchSize"] == 4 and body[0]["maxBatchDelay"] == 5
    assert body[0]["minWorkers"] == 2
    status, body = server.json("POST", "/models?url=digits")
    assert status == 400 and "disabled" in body["message"]
    status, body = server.json("POST", "/v2/repository/models/digits/unload")
    assert status == 400 and "explicit" in body["error"]


def test_explicit_model_control(serve: Callable[..., Server], tmp_path: Path, digits: Any) -> None:
    repo = make_repo(tmp_path / "m", {"a": {"max_batch_size": 2}, "b": None})
    s = serve(repo, "--model-control-mode", "explicit", "--load-model", "a", "--enable-model-api")
    assert s.request("GET", "/v2/health/ready")[0] == 200
    assert s.json("POST", "/v2/models/b/infer", _infer_body(digits[0][:1]))[0] == 400  # not loaded
    assert s.json("POST", "/v2/repository/models/b/load")[0] == 200
    assert s.json("POST", "/v2/models/b/infer", _infer_body(digits[0][:1]))[0] == 200
    assert s.json("POST", "/v2/repository/models/b/unload")[0] == 200
    rows = {r["name"]: r["state"] for r in s.json("POST", "/v2/repository/index")[1]}
    assert rows == {"a": "READY", "b": "UNAVAILABLE"}
    status, body = s.json("POST", "/models?url=../a")
    assert status == 400
    assert s.json("DELETE", "/models/a")[0] == 200
    assert s.json("POST", "/v2/models/a/infer", _infer_body(digits[0][:1]))[0] == 404
    status, body = s.json("POST", "/models?url=a&model_name=a2")
    assert status == 200 and body == {"status": 'Model "a2" registered'}
    assert s.json("POST", "/v2/models/a2/infer", _infer_body(digits[0][:1]))[0] == 200
