# SPDX-License-Identifier: Apache-2.0
"""KServe v2 / Triton gRPC against a real ``mxserve serve``, driven by ``tritonclient.grpc`` (the
peer client) and the generated stubs: the same calls as the HTTP tests, health checks, status
codes, system shared memory over gRPC and HTTP, and the message size limit. Expected outputs
come from the digits model run in-process one sample at a time (``reference``)."""

from __future__ import annotations

import queue
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest
import tritonclient.grpc as tg
import tritonclient.http as th
import tritonclient.utils.shared_memory as shm
from grpc_health.v1 import health_pb2, health_pb2_grpc
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException

from server._serving import Server, make_repo, start_server, stop_server

OUT = "dense2_fwd_output"
LIMIT = 200_000

CONFIGS: dict[str, dict[str, Any] | None] = {
    "digits": {
        "max_batch_size": 8,
        "input": [{"name": "data", "data_type": "TYPE_FP32", "dims": [64]}],
        "dynamic_batching": {"max_queue_delay_microseconds": 2000},
        "instance_group": [{"count": 2, "kind": "KIND_CPU"}],
    },
    "plain": None,
    "broken": {"input": [{"name": "pixels", "data_type": "TYPE_FP32", "dims": [64]}]},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("grpc")
    s = start_server(
        make_repo(root / "models", CONFIGS), "--max-request-bytes", str(LIMIT), log_dir=root
    )
    yield s
    stop_server(s)


@pytest.fixture
def client(server: Server) -> Iterator[tg.InferenceServerClient]:
    c = tg.InferenceServerClient(server.grpc_address)
    yield c
    c.close()


@pytest.fixture
def stub(server: Server) -> Iterator[service_pb2_grpc.GRPCInferenceServiceStub]:
    with grpc.insecure_channel(server.grpc_address) as channel:
        yield service_pb2_grpc.GRPCInferenceServiceStub(channel)


def _input(x: np.ndarray, name: str = "data") -> tg.InferInput:
    i = tg.InferInput(name, list(x.shape), "FP32")
    i.set_data_from_numpy(x)
    return i


def _code(e: pytest.ExceptionInfo[InferenceServerException]) -> str:
    return str(e.value.status())


def test_health_and_metadata(client: tg.InferenceServerClient) -> None:
    assert client.is_server_live()
    assert not client.is_server_ready()  # 'broken' failed to load (strict readiness)
    assert client.is_model_ready("digits") and client.is_model_ready("digits", "1")
    assert not client.is_model_ready("broken")
    meta = client.get_server_metadata(as_json=True)
    assert meta["name"] == "mxserve" and "system_shared_memory" in meta["extensions"]
    m = client.get_model_metadata("digits", as_json=True)
    assert m["platform"] == "mxnet_mxnet" and m["versions"] == ["1"]
    assert m["inputs"] == [{"name": "data", "datatype": "FP32", "shape": ["-1", "64"]}]
    assert m["outputs"] == [{"name": OUT, "datatype": "FP32", "shape": ["-1", "10"]}]
    cfg = client.get_model_config("digits", as_json=True)["config"]
    assert cfg["max_batch_size"] == 8
    assert cfg["dynamic_batching"]["max_queue_delay_microseconds"] == "2000"
    assert cfg["instance_group"][0]["count"] == 2 and cfg["instance_group"][0]["kind"] == "KIND_CPU"
    assert cfg["input"][0]["dims"] == ["64"]
    with pytest.raises(InferenceServerException) as e:
        client.get_model_metadata("nope")
    assert _code(e) == "StatusCode.NOT_FOUND"
    with pytest.raises(InferenceServerException) as e:
        client.is_model_ready("nope")
    assert _code(e) == "StatusCode.NOT_FOUND"


def test_grpc_health_service(server: Server) -> None:
    with grpc.insecure_channel(server.grpc_address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        check = health_pb2.HealthCheckRequest
        serving = health_pb2.HealthCheckResponse.SERVING
        not_serving = health_pb2.HealthCheckResponse.NOT_SERVING
        assert health.Check(check(service="")).status == not_serving  # 'broken' is not ready
        assert health.Check(check(service="digits")).status == serving
        assert health.Check(check(service="broken")).status == not_serving
        with pytest.raises(grpc.RpcError) as e:
            health.Check(check(service="nope"))
        assert e.value.code() == grpc.StatusCode.NOT_FOUND


def test_infer_raw_contents_matches_the_model(
    client: tg.InferenceServerClient,
    digits: tuple[np.ndarray, np.ndarray],
    reference: Callable[[np.ndarray], np.ndarray],
) -> None:
    x = digits[0][:5]
    r = client.infer("digits", [_input(x)], request_id="req-7")
    assert r.get_response().id == "req-7" and r.get_response().model_version == "1"
    np.testing.assert_allclose(r.as_numpy(OUT), reference(x), rtol=1e-5, atol=1e-5)
    # version given, output asked for, and the model without a config
    out = [tg.InferRequestedOutput(OUT)]
    r = client.infer("plain", [_input(x[:1])], model_version="1", outputs=out)
    np.testing.assert_allclose(r.as_numpy(OUT), reference(x[:1]), rtol=1e-5, atol=1e-5)


def test_async_and_stream_infer(
    client: tg.InferenceServerClient,
    digits: tuple[np.ndarray, np.ndarray],
    reference: Callable[[np.ndarray], np.ndarray],
) -> None:
    x = digits[0][:8]
    results: queue.Queue[Any] = queue.Queue()
    for i in range(8):
        client.async_infer(
            "digits",
            [_input(x[i : i + 1])],
            partial(lambda i, result, error: results.put((i, result, error)), i),
        )
    got = {}
    for _ in range(8):
        i, r, e = results.get(timeout=30)
        assert e is None
        got[i] = r.as_numpy(OUT)
    np.testing.assert_allclose(
        np.concatenate([got[i] for i in range(8)]), reference(x), rtol=1e-5, atol=1e-5
    )
    stream: queue.Queue[Any] = queue.Queue()
    client.start_stream(callback=lambda result, error: stream.put((result, error)))
    try:
        client.async_stream_infer("digits", [_input(x[:2])], request_id="s1")
        client.async_stream_infer("digits", [_input(x[:2], name="pixels")], request_id="s2")
        client.async_stream_infer("digits", [_input(x[2:3])], request_id="s3")
        answers = [stream.get(timeout=30) for _ in range(3)]
    finally:
        client.stop_stream()
    (r1, e1), (r2, e2), (r3, e3) = answers
    assert e1 is None and e3 is None and r2 is None
    assert "unexpected inference input 'pixels'" in str(e2)  # the stream goes on after it
    np.testing.assert_allclose(r1.as_numpy(OUT), reference(x[:2]), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(r3.as_numpy(OUT), reference(x[2:3]), rtol=1e-5, atol=1e-5)


def test_typed_contents(
    stub: service_pb2_grpc.GRPCInferenceServiceStub,
    digits: tuple[np.ndarray, np.ndarray],
    reference: Callable[[np.ndarray], np.ndarray],
) -> None:
    x = digits[0][:2]
    req = service_pb2.ModelInferRequest(model_name="digits")
    t = req.inputs.add(name="data", datatype="FP32", shape=[2, 64])
    t.contents.fp32_contents.extend(x.ravel().tolist())
    r = stub.ModelInfer(req)
    y = np.frombuffer(r.raw_output_contents[0], "<f4").reshape(list(r.outputs[0].shape))
    np.testing.assert_allclose(y, reference(x), rtol=1e-5, atol=1e-5)
    del t.contents.fp32_contents[-1]
    with pytest.raises(grpc.RpcError) as e:
        stub.ModelInfer(req)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "127 values in fp32_contents" in e.value.details()


@pytest.mark.parametrize(
    "change, code, text",
    [
        (lambda r: setattr(r, "model_name", "nope"), "NOT_FOUND", "unknown model"),
        (lambda r: setattr(r, "model_version", "9"), "NOT_FOUND", "version 9"),
        (lambda r: setattr(r, "model_name", "broken"), "INVALID_ARGUMENT", "no available"),
        (lambda r: r.inputs[0].shape.__setitem__(1, 63), "INVALID_ARGUMENT", "needs 252"),
        (lambda r: r.inputs[0].shape.__setitem__(0, 9), "INVALID_ARGUMENT", "needs 2304"),
        (lambda r: setattr(r.inputs[0], "datatype", "FP64"), "INVALID_ARGUMENT", "needs 512"),
        (lambda r: setattr(r.inputs[0], "datatype", "BYTES"), "UNIMPLEMENTED", "BYTES"),
        (lambda r: r.raw_input_contents.append(b"x"), "INVALID_ARGUMENT", "2 entries"),
        (lambda r: r.outputs.add(name="nope"), "INVALID_ARGUMENT", "output 'nope'"),
        (
            lambda r: r.parameters["priority"].__setattr__("int64_param", -1),
            "INVALID_ARGUMENT",
            "priority",
        ),
    ],
)
def test_infer_errors_have_triton_codes(
    stub: service_pb2_grpc.GRPCInferenceServiceStub, change: Any, code: str, text: str
) -> None:
    req = service_pb2.ModelInferRequest(model_name="digits")
    req.inputs.add(name="data", datatype="FP32", shape=[1, 64])
    req.raw_input_contents.append(np.zeros((1, 64), "<f4").tobytes())
    change(req)
    with pytest.raises(grpc.RpcError) as e:
        stub.ModelInfer(req)
    assert e.value.code() == getattr(grpc.StatusCode, code)
    assert text in e.value.details()


def test_shape_check_after_the_data(stub: service_pb2_grpc.GRPCInferenceServiceStub) -> None:
    req = service_pb2.ModelInferRequest(model_name="digits")
    req.inputs.add(name="data", datatype="FP32", shape=[1, 63])
    req.raw_input_contents.append(np.zeros((1, 63), "<f4").tobytes())
    with pytest.raises(grpc.RpcError) as e:
        stub.ModelInfer(req)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "Expected [-1, 64], got [1, 63]" in e.value.details()


def test_message_size_limit(stub: service_pb2_grpc.GRPCInferenceServiceStub) -> None:
    rows = LIMIT // 256 + 1
    req = service_pb2.ModelInferRequest(model_name="plain")
    req.inputs.add(name="data", datatype="FP32", shape=[rows, 64])
    req.raw_input_contents.append(np.zeros((rows, 64), "<f4").tobytes())
    with pytest.raises(grpc.RpcError) as e:
        stub.ModelInfer(req)
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_statistics_count_grpc_requests(client: tg.InferenceServerClient) -> None:
    def success() -> int:
        stats = client.get_inference_statistics("plain", as_json=True)["model_stats"][0]
        return int(stats["inference_stats"]["success"].get("count", 0))

    before = success()
    for _ in range(3):
        client.infer("plain", [_input(np.zeros((1, 64), np.float32))])
    assert success() == before + 3
    all_stats = client.get_inference_statistics(as_json=True)["model_stats"]
    assert {s["name"] for s in all_stats} == {"digits", "plain"}
    with pytest.raises(InferenceServerException) as e:
        client.get_inference_statistics("nope")
    assert _code(e) == "StatusCode.NOT_FOUND"


def test_repository_index_and_load_needs_explicit_mode(client: tg.InferenceServerClient) -> None:
    index = client.get_model_repository_index(as_json=True)["models"]
    states = {m["name"]: m["state"] for m in index}
    assert states == {"broken": "UNAVAILABLE", "digits": "READY", "plain": "READY"}
    with pytest.raises(InferenceServerException) as e:
        client.load_model("plain")
    assert "explicit" in e.value.message()


def test_explicit_load_unload(
    serve: Callable[..., Server], tmp_path: Path, digits: tuple[np.ndarray, np.ndarray]
) -> None:
    repo = make_repo(tmp_path / "m", {"a": None, "b": None})
    s = serve(repo, "--model-control-mode", "explicit", "--load-model", "a")
    c = tg.InferenceServerClient(s.grpc_address)
    try:
        assert c.is_model_ready("a") and not c.is_model_ready("b")
        c.load_model("b")
        assert c.is_model_ready("b")
        c.infer("b", [_input(digits[0][:1])])
        c.unload_model("b")
        assert not c.is_model_ready("b")
        with pytest.raises(InferenceServerException) as e:
            c.infer("b", [_input(digits[0][:1])])
        assert "no available versions" in e.value.message()
        with pytest.raises(InferenceServerException) as e:
            c.load_model("nope")
        assert _code(e) == "StatusCode.NOT_FOUND"
        with pytest.raises(InferenceServerException) as e:
            c.load_model("b", config='{"max_batch_size": 2}')
        assert "not accepted" in e.value.message()
        index = {
            m["name"]: m["state"] for m in c.get_model_repository_index(as_json=True)["models"]
        }
        assert index == {"a": "READY", "b": "UNAVAILABLE"}
    finally:
        c.close()


@pytest.fixture
def regions() -> Iterator[Callable[[int], tuple[str, str, Any]]]:
    """Creates system shared memory regions (name, key, handle); destroyed afterwards."""
    made: list[Any] = []

    def make(size: int) -> tuple[str, str, Any]:
        tag = uuid.uuid4().hex[:12]
        handle = shm.create_shared_memory_region(f"r{tag}", f"/mxserve_test_{tag}", size)
        made.append(handle)
        return f"r{tag}", f"/mxserve_test_{tag}", handle

    yield make
    for h in made:
        shm.destroy_shared_memory_region(h)


def test_system_shared_memory_infer_grpc(
    client: tg.InferenceServerClient,
    regions: Callable[[int], tuple[str, str, Any]],
    digits: tuple[np.ndarray, np.ndarray],
    reference: Callable[[np.ndarray], np.ndarray],
) -> None:
    x = np.ascontiguousarray(digits[0][:3])
    in_name, in_key, in_h = regions(x.nbytes + 64)
    out_name, out_key, out_h = regions(3 * 10 * 4)
    shm.set_shared_memory_region(in_h, [x], offset=64)
    client.register_system_shared_memory(in_name, in_key, x.nbytes + 64)
    client.register_system_shared_memory(out_name, out_key, 120)
    try:
        status = client.get_system_shared_memory_status(as_json=True)["regions"]
        assert status[in_name]["key"] == in_key and status[in_name]["byte_size"] == str(
            x.nbytes + 64
        )
        i = tg.InferInput("data", [3, 64], "FP32")
        i.set_shared_memory(in_name, x.nbytes, offset=64)
        o = tg.InferRequestedOutput(OUT)
        o.set_shared_memory(out_name, 120)
        client.infer("digits", [i], outputs=[o])
        y = shm.get_contents_as_numpy(out_h, np.float32, [3, 10])
        np.testing.assert_allclose(y, reference(x), rtol=1e-5, atol=1e-5)
        # out of the region's bounds, too small for the output, unknown region
        i.set_shared_memory(in_name, x.nbytes, offset=128)
        with pytest.raises(InferenceServerException) as e:
            client.infer("digits", [i], outputs=[o])
        assert "outside shared memory region" in e.value.message()
        i.set_shared_memory(in_name, x.nbytes, offset=64)
        o.set_shared_memory(out_name, 80)
        with pytest.raises(InferenceServerException) as e:
            client.infer("digits", [i], outputs=[o])
        assert "should be at least 120 bytes" in e.value.message()
        i.set_shared_memory("nope", x.nbytes)
        with pytest.raises(InferenceServerException) as e:
            client.infer("digits", [i])
        assert _code(e) == "StatusCode.NOT_FOUND"
        with pytest.raises(InferenceServerException) as e:
            client.register_system_shared_memory(in_name, in_key, 16)
        assert _code(e) == "StatusCode.ALREADY_EXISTS"
        with pytest.raises(InferenceServerException) as e:
            client.register_system_shared_memory("big", in_key, x.nbytes + 65)
        assert "exceeds" in e.value.message()
        with pytest.raises(InferenceServerException) as e:
            client.register_system_shared_memory("bad", "/../etc/passwd", 16)
        assert _code(e) == "StatusCode.INVALID_ARGUMENT"
    finally:
        client.unregister_system_shared_memory()
    assert client.get_system_shared_memory_status(as_json=True).get("regions", {}) == {}


def test_system_shared_memory_infer_http(
    server: Server,
    regions: Callable[[int], tuple[str, str, Any]],
    digits: tuple[np.ndarray, np.ndarray],
    reference: Callable[[np.ndarray], np.ndarray],
) -> None:
    c = th.InferenceServerClient(server.address)
    x = np.ascontiguousarray(digits[0][:2])
    in_name, in_key, in_h = regions(x.nbytes)
    out_name, out_key, out_h = regions(80)
    shm.set_shared_memory_region(in_h, [x])
    c.register_system_shared_memory(in_name, in_key, x.nbytes)
    c.register_system_shared_memory(out_name, out_key, 80)
    try:
        status = {r["name"]: r for r in c.get_system_shared_memory_status()}
        assert status[out_name] == {"name": out_name, "key": out_key, "offset": 0, "byte_size": 80}
        i = th.InferInput("data", [2, 64], "FP32")
        i.set_shared_memory(in_name, x.nbytes)
        o = th.InferRequestedOutput(OUT)
        o.set_shared_memory(out_name, 80)
        c.infer("digits", [i], outputs=[o])
        y = shm.get_contents_as_numpy(out_h, np.float32, [2, 10])
        np.testing.assert_allclose(y, reference(x), rtol=1e-5, atol=1e-5)
        c.unregister_system_shared_memory(in_name)
        assert [r["name"] for r in c.get_system_shared_memory_status()] == [out_name]
        with pytest.raises(InferenceServerException) as e:
            c.infer("digits", [i], outputs=[o])
        assert "Unable to find system shared memory region" in e.value.message()
    finally:
        c.unregister_system_shared_memory()
        c.close()


def test_cuda_shared_memory_is_unsupported(
    server: Server, client: tg.InferenceServerClient
) -> None:
    with pytest.raises(InferenceServerException) as e:
        client.register_cuda_shared_memory("c", b"aGFuZGxl", 0, 16)
    assert _code(e) == "StatusCode.UNIMPLEMENTED" and "not supported" in e.value.message()
    assert client.get_cuda_shared_memory_status(as_json=True).get("regions", {}) == {}
    status, body = server.json(
        "POST", "/v2/cudasharedmemory/region/c/register", {"raw_handle": {"b64": ""}}
    )
    assert status == 501 and "CUDA shared memory is not supported" in body["error"]
    assert server.json("GET", "/v2/cudasharedmemory/status") == (200, [])
