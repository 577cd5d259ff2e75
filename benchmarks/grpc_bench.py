# SPDX-License-Identifier: Apache-2.0
"""gRPC parts of the serving benchmark (used by bench_serving.py).

* ``load``: a gRPC load generator -- ``procs`` processes, each with its share of ``conc``
  requests in flight, every one on its own connection (as wrk opens one per request stream),
  sending a prepared ModelInferRequest (serialized once) and not decoding the answers; bounded
  in time and in count.
* ``serve_numpy``: the ceiling -- a bare grpcio asyncio server whose ModelInfer runs the
  benchmark's MLP (784-256-10, ReLU) in numpy, no queue, no batching, no checks; ``procs``
  processes share the port with SO_REUSEPORT, as ``mxserve serve --workers`` does.

    python benchmarks/grpc_bench.py serve-numpy MODEL_DIR PORT PROCS
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pathlib
import sys
import time
from typing import Any

import numpy as np

METHOD = "/inference.GRPCInferenceService/ModelInfer"


def infer_request(model: str, x: np.ndarray) -> bytes:
    from tritonclient.grpc import service_pb2

    req = service_pb2.ModelInferRequest(model_name=model)
    req.inputs.add(name="data", datatype="FP32", shape=list(x.shape))
    req.raw_input_contents.append(x.astype("<f4").tobytes())
    return req.SerializeToString()


def check_answer(address: str, model: str, x: np.ndarray, expected: np.ndarray) -> None:
    """One request through tritonclient.grpc, compared with ``expected``."""
    import tritonclient.grpc as tg

    c = tg.InferenceServerClient(address)
    try:
        i = tg.InferInput("data", list(x.shape), "FP32")
        i.set_data_from_numpy(x)
        out = c.infer(model, [i]).get_response()
        got = np.frombuffer(out.raw_output_contents[0], "<f4").reshape(list(out.outputs[0].shape))
    finally:
        c.close()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


async def _drive(
    address: str, body: bytes, conc: int, start: float, stop: float, cap: int
) -> tuple[list[float], int]:
    import grpc

    channels = [
        grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
        for _ in range(conc)
    ]
    lat: list[float] = []
    errors = [0]

    async def one(ch: Any) -> None:
        call = ch.unary_unary(METHOD)  # bytes in, bytes out: no (de)serialization cost
        while time.time() < stop and len(lat) < cap:
            counted = time.time() >= start  # requests sent in the warm-up are not counted
            t0 = time.perf_counter()
            try:
                await call(body, timeout=10)
            except grpc.RpcError:
                errors[0] += counted
                continue
            if counted:
                lat.append(time.perf_counter() - t0)

    try:
        await asyncio.gather(*(one(ch) for ch in channels))
    finally:
        for ch in channels:
            await ch.close()
    return lat, errors[0]


def _proc(
    address: str, body: bytes, conc: int, start: float, stop: float, cap: int, out: Any
) -> None:
    lat, errors = asyncio.run(_drive(address, body, conc, start, stop, cap))
    out.put((lat, errors))


def load(
    address: str,
    body: bytes,
    conc: int,
    seconds: float,
    warmup: float,
    procs: int,
    max_requests: int,
) -> dict[str, Any]:
    """Throughput and latency of ``conc`` concurrent ModelInfer calls for ``seconds`` (after
    ``warmup`` seconds whose requests are not counted)."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = max(1, min(procs, conc))
    shares = [conc // procs + (i < conc % procs) for i in range(procs)]
    start = time.time() + 2.0 + warmup  # the processes start and connect in the first 2 s
    stop = start + seconds
    ps = [
        ctx.Process(target=_proc, args=(address, body, n, start, stop, max_requests // procs, out))
        for n in shares
    ]
    for p in ps:
        p.start()
    lat: list[float] = []
    errors = 0
    for _ in ps:
        part, err = out.get(timeout=seconds + warmup + 120)
        lat += part
        errors += err
    for p in ps:
        p.join(30)
    q = np.percentile(np.array(lat) * 1e6, [50, 90, 99]) if lat else [0, 0, 0]
    return {
        "requests": len(lat),
        "duration_us": int(seconds * 1e6),
        "p50_us": int(q[0]),
        "p90_us": int(q[1]),
        "p99_us": int(q[2]),
        "errors": errors,
    }


# -- the numpy ceiling ----------------------------------------------------------------------------


def _mlp_weights(model_dir: pathlib.Path) -> list[np.ndarray]:
    import mxserve.nd

    params = {
        k.split(":", 1)[-1]: np.asarray(v)
        for k, v in mxserve.nd.load(str(model_dir / "model-0000.params")).items()
    }
    w = sorted(k for k in params if k.endswith("_weight"))
    b = sorted(k for k in params if k.endswith("_bias"))
    return [params[w[0]], params[b[0]], params[w[1]], params[b[1]]]


async def _serve_numpy(model_dir: pathlib.Path, port: int, reuse: bool) -> None:
    import grpc
    from tritonclient.grpc import service_pb2

    w1, b1, w2, b2 = _mlp_weights(model_dir)
    w1t, w2t = np.ascontiguousarray(w1.T), np.ascontiguousarray(w2.T)

    async def model_infer(request_bytes: bytes, context: Any) -> bytes:
        req = service_pb2.ModelInferRequest.FromString(request_bytes)
        x = np.frombuffer(req.raw_input_contents[0], "<f4").reshape(list(req.inputs[0].shape))
        y = np.maximum(x @ w1t + b1, 0) @ w2t + b2
        resp = service_pb2.ModelInferResponse(model_name=req.model_name, model_version="1")
        resp.outputs.add(name="dense1_fwd_output", datatype="FP32", shape=list(y.shape))
        resp.raw_output_contents.append(y.astype("<f4").tobytes())
        return resp.SerializeToString()

    handler = grpc.method_handlers_generic_handler(
        "inference.GRPCInferenceService",
        {"ModelInfer": grpc.unary_unary_rpc_method_handler(model_infer)},
    )
    server = grpc.aio.server(options=[("grpc.so_reuseport", 1 if reuse else 0)])
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


def _numpy_proc(model_dir: str, port: int, reuse: bool) -> None:
    asyncio.run(_serve_numpy(pathlib.Path(model_dir), port, reuse))


def serve_numpy(model_dir: pathlib.Path, port: int, procs: int) -> list[Any]:
    """Starts ``procs`` ceiling server processes on ``port``; the caller terminates them."""
    ctx = multiprocessing.get_context("spawn")
    ps = [
        ctx.Process(target=_numpy_proc, args=(str(model_dir), port, procs > 1), daemon=True)
        for _ in range(procs)
    ]
    for p in ps:
        p.start()
    return ps


def wait_ready(address: str, timeout: float = 60) -> None:
    import grpc

    with grpc.insecure_channel(address) as ch:
        grpc.channel_ready_future(ch).result(timeout=timeout)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "serve-numpy":
        sys.exit(__doc__)
    procs = serve_numpy(pathlib.Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    for p in procs:
        p.join()
