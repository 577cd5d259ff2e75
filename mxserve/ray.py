# SPDX-License-Identifier: Apache-2.0
"""Ray Serve deployment of one mxserve model (``pip install "mxserve[ray]"``).

Each replica loads the model once into a thread-safe :class:`mxserve.Predictor` and serves

* ``POST /v2/models/<model>/infer``: the KServe v2 JSON request and response,
* ``POST /predictions/<model>``: the MMS route (a JSON array, ``{"data": ...}``, ``{input: ...}``
  or a ``.npy`` body; the answer is ``{output: nested list}``),
* ``GET /v2/health/live``, ``GET /v2/health/ready`` and ``GET /v2/models/<model>``.

Requests are grouped by Ray's own batching (``@serve.batch``): the samples of up to
``max_batch_size`` requests are concatenated along the batch dimension and run as one call of a
Predictor reshaped to that batch (reshaped predictors share the weights). Replicas scale with
Ray Serve's autoscaling (``autoscaling_config``). Run it with ``mxserve serve --ray`` (one model,
a local Ray cluster), with ``serve run`` and a config file (``deploy/ray/serve_config.yaml``), or
from Python::

    from ray import serve
    from mxserve.ray import build_app

    serve.run(build_app({"model_dir": "model_store/digits_mlp"}), route_prefix="/")

The model directory has the server's repository layout: ``config.json`` (Triton fields; the
inputs, ``max_batch_size`` and ``dynamic_batching.max_queue_delay_microseconds`` are used) and a
numbered version folder with ``PREFIX-symbol.json`` and ``PREFIX-EPOCH.params``.
"""

# No ``from __future__ import annotations`` here: Ray Serve's ingress rebuilds the route methods,
# and FastAPI must see real annotation objects (``Request``), not strings, to inject them.
import asyncio
import io
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from ray import serve

from . import Predictor
from .errors import InvalidArgumentError, MXServeError, NotFoundError
from .server.config import (
    NUMPY_TO_OIP,
    OIP_TO_NUMPY,
    PARAMS_FILE,
    ModelConfig,
    read_model_config,
)

__all__ = ["DEFAULT_AUTOSCALING", "MXServeDeployment", "build_app", "load_model_dir"]

#: Ray Serve autoscaling of the deployment unless the caller gives its own.
DEFAULT_AUTOSCALING: dict[str, Any] = {
    "min_replicas": 1,
    "initial_replicas": 1,
    "max_replicas": 4,
    "target_ongoing_requests": 8,
    "upscale_delay_s": 5,
    "downscale_delay_s": 60,
}


def load_model_dir(model_dir: str | Path) -> tuple[str, ModelConfig, Path, int]:
    """(name, config, symbol prefix, epoch) of a model directory in the repository layout."""
    folder = Path(model_dir)
    if not folder.is_dir():
        raise NotFoundError(f"model directory {folder} does not exist")
    cfg = read_model_config(folder)
    if cfg is None:
        raise InvalidArgumentError(f"{folder} has no config.json (the inputs must be declared)")
    if not cfg.input:
        raise InvalidArgumentError(f"{folder}/config.json declares no input")
    for t in cfg.input:
        if any(d <= 0 for d in t.dims):
            raise InvalidArgumentError(
                f"{folder}/config.json: input '{t.name}' has dims {t.dims}; mxserve.ray needs "
                "fixed dims (besides the batch dimension)"
            )
    versions = sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())
    if not versions:
        raise NotFoundError(f"{folder} has no numbered version folder")
    version_dir = folder / str(versions[-1])
    found = []
    for params in version_dir.iterdir():
        m = PARAMS_FILE.match(params.name)
        if m and (version_dir / f"{m['prefix']}-symbol.json").is_file():
            found.append((int(m["epoch"]), m["prefix"]))
    if cfg.epoch is not None:
        found = [f for f in found if f[0] == cfg.epoch]
    if not found:
        raise NotFoundError(f"{version_dir} has no PREFIX-symbol.json with PREFIX-EPOCH.params")
    epoch, prefix = max(found)
    return cfg.name or folder.name, cfg, version_dir / prefix, epoch


def _replica_id() -> str:
    """This replica's id (the suffix of its actor name), sent as the X-Mxserve-Replica header."""
    try:
        return str(serve.get_replica_context().replica_id.unique_id)
    except Exception:  # outside a replica (direct use of the class)
        return ""


def _error(status: int, e: Exception) -> JSONResponse:
    return JSONResponse({"error": str(e)}, status_code=status)


def _status(e: MXServeError) -> int:
    return 404 if isinstance(e, NotFoundError) else 400


def _v2_inputs(body: Any) -> dict[str, np.ndarray]:
    """The tensors of a KServe v2 JSON request."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise InvalidArgumentError("a v2 request is an object with an 'inputs' list")
    out = {}
    for i, t in enumerate(body["inputs"]):
        if not isinstance(t, dict) or not {"name", "shape", "datatype", "data"} <= set(t):
            raise InvalidArgumentError(f"inputs[{i}] needs name, shape, datatype and data")
        dtype = OIP_TO_NUMPY.get(t["datatype"])
        if dtype is None:
            raise InvalidArgumentError(f"input '{t['name']}': unknown datatype {t['datatype']!r}")
        try:
            a = np.asarray(t["data"], dtype=dtype)
            shape = [int(d) for d in t["shape"]]
        except (ValueError, TypeError) as e:
            raise InvalidArgumentError(f"input '{t['name']}': {e}") from None
        need = int(np.prod(shape))
        if a.size != need:
            raise InvalidArgumentError(
                f"input '{t['name']}' has {a.size} values, shape {shape} needs {need}"
            )
        out[str(t["name"])] = a.reshape(shape)
    return out


# Everything the deployment class uses is defined above it: Ray Serve pickles the class built by
# ``serve.ingress`` by value, with the module globals that exist when it is decorated.
app = FastAPI(title="mxserve on Ray Serve")


@serve.deployment(
    autoscaling_config=DEFAULT_AUTOSCALING,
    max_ongoing_requests=64,
    health_check_period_s=2,
    health_check_timeout_s=10,
    graceful_shutdown_timeout_s=20,
)
@serve.ingress(app)
class MXServeDeployment:
    """One replica: the model, a reshaped Predictor per batch size, and the HTTP routes."""

    def __init__(
        self,
        model_dir: str,
        max_batch_size: int | None = None,
        batch_wait_timeout_s: float | None = None,
        num_threads: int = 0,
    ) -> None:
        self.name, self.config, prefix, epoch = load_model_dir(model_dir)
        self.inputs = {t.name: t for t in self.config.input}
        self.batched = self.config.max_batch_size > 0
        batch = max_batch_size or self.config.max_batch_size or 1
        if batch_wait_timeout_s is None:
            db = self.config.dynamic_batching
            delay_us = db.max_queue_delay_microseconds if db is not None else 0
            batch_wait_timeout_s = delay_us / 1e6
        shapes = {n: self._shape(t.dims, 1) for n, t in self.inputs.items()}
        dtypes = {n: t.numpy_dtype for n, t in self.inputs.items()}
        self.base = Predictor.load(
            prefix,
            epoch,
            input_shapes=shapes,
            dtypes=dtypes,
            num_threads=num_threads,
            dtype=self.config.compute_dtype,
        )
        self.output_names = self.base.output_names
        self._by_batch: dict[int, Predictor] = {1: self.base}
        self._lock = threading.Lock()
        self.replica = _replica_id()
        self._run_batch.set_max_batch_size(batch if self.batched else 1)
        self._run_batch.set_batch_wait_timeout_s(batch_wait_timeout_s)

    # -- model ---------------------------------------------------------------------------
    def _shape(self, dims: list[int], batch: int) -> tuple[int, ...]:
        return (batch, *dims) if self.batched else tuple(dims)

    def _predictor(self, batch: int) -> Predictor:
        with self._lock:
            p = self._by_batch.get(batch)
            if p is None:
                shapes = {n: self._shape(t.dims, batch) for n, t in self.inputs.items()}
                p = self._by_batch[batch] = self.base.reshape(shapes)
            return p

    def _check(self, inputs: dict[str, np.ndarray]) -> int:
        """Validates one request's inputs; returns its batch size."""
        missing = sorted(set(self.inputs) - set(inputs))
        unknown = sorted(set(inputs) - set(self.inputs))
        if missing or unknown:
            raise InvalidArgumentError(
                f"model '{self.name}' takes inputs {sorted(self.inputs)}; "
                f"missing {missing}, unknown {unknown}"
            )
        sizes = set()
        for name, a in inputs.items():
            dims = self.inputs[name].dims
            body = a.shape[1:] if self.batched else a.shape
            if len(body) != len(dims) or any(d != s for d, s in zip(dims, body)):
                raise InvalidArgumentError(
                    f"input '{name}' has shape {list(a.shape)}; model '{self.name}' expects "
                    f"{(['-1'] if self.batched else []) + [str(d) for d in dims]}"
                )
            sizes.add(a.shape[0] if self.batched else 1)
        if len(sizes) != 1 or 0 in sizes:
            raise InvalidArgumentError(f"inputs disagree on the batch size: {sorted(sizes)}")
        batch = sizes.pop()
        if self.batched and batch > self.config.max_batch_size:
            raise InvalidArgumentError(
                f"batch of {batch} is over max_batch_size {self.config.max_batch_size}"
            )
        return batch

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.0)
    async def _run_batch(
        self, requests: list[dict[str, np.ndarray]]
    ) -> list[dict[str, np.ndarray] | Exception]:
        """Ray's batching: one Predictor call for the requests Ray Serve grouped."""
        if not self.batched:
            return [await asyncio.to_thread(self._run, r) for r in requests]
        sizes = [next(iter(r.values())).shape[0] for r in requests]
        total = sum(sizes)
        feeds = {n: np.concatenate([r[n] for r in requests]) for n in self.inputs}
        try:
            outs = await asyncio.to_thread(self._run_total, feeds, total)
        except MXServeError as e:
            return [e for _ in requests]
        result: list[dict[str, np.ndarray] | Exception] = []
        start = 0
        for n in sizes:
            result.append({k: v[start : start + n] for k, v in outs.items()})
            start += n
        return result

    def _run_total(self, feeds: dict[str, np.ndarray], total: int) -> dict[str, np.ndarray]:
        outs = self._predictor(total)(**feeds)
        return dict(zip(self.output_names, outs))

    def _run(self, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return dict(zip(self.output_names, self.base(**feeds)))

    async def infer(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Runs one request (through the batch queue); also callable through a handle."""
        for name, t in self.inputs.items():
            if name in inputs:
                inputs[name] = np.ascontiguousarray(inputs[name], dtype=t.numpy_dtype)
        self._check(inputs)
        out = await self._run_batch(inputs)
        if isinstance(out, Exception):
            raise out
        return out

    def _model(self, model: str) -> None:
        if model != self.name:
            raise NotFoundError(f"unknown model '{model}' (this deployment serves '{self.name}')")

    # -- routes --------------------------------------------------------------------------
    @app.get("/v2/health/live")
    async def live(self) -> JSONResponse:
        return JSONResponse({"live": True})

    @app.get("/v2/health/ready")
    async def ready(self) -> JSONResponse:
        return JSONResponse({"ready": True})

    @app.get("/v2/models/{model}")
    async def metadata(self, model: str) -> JSONResponse:
        try:
            self._model(model)
        except MXServeError as e:
            return _error(_status(e), e)
        return JSONResponse(
            {
                "name": self.name,
                "versions": ["1"],
                "platform": "mxnet_mxnet",
                "inputs": [
                    {"name": n, "datatype": t.datatype, "shape": list(self._shape(t.dims, -1))}
                    for n, t in self.inputs.items()
                ],
                "outputs": [{"name": n} for n in self.output_names],
            }
        )

    @app.post("/v2/models/{model}/infer")
    async def v2_infer(self, model: str, request: Request) -> JSONResponse:
        try:
            self._model(model)
            body = json.loads(await request.body())
            inputs = _v2_inputs(body)
            outs = await self.infer(inputs)
        except json.JSONDecodeError as e:
            return _error(400, InvalidArgumentError(f"request body is not JSON: {e}"))
        except MXServeError as e:
            return _error(_status(e), e)
        response: dict[str, Any] = {
            "model_name": self.name,
            "model_version": "1",
            "outputs": [
                {
                    "name": n,
                    "datatype": NUMPY_TO_OIP.get(outs[n].dtype.name, "FP32"),
                    "shape": list(outs[n].shape),
                    "data": outs[n].ravel().tolist(),
                }
                for n in self.output_names
            ],
        }
        if isinstance(body.get("id"), str):
            response["id"] = body["id"]
        return JSONResponse(response, headers={"X-Mxserve-Replica": self.replica})

    @app.post("/predictions/{model}")
    async def mms_predict(self, model: str, request: Request) -> JSONResponse:
        try:
            self._model(model)
            inputs = self._mms_inputs(await request.body())
            outs = await self.infer(inputs)
        except MXServeError as e:
            return _error(_status(e), e)
        return JSONResponse(
            {n: outs[n].tolist() for n in self.output_names},
            headers={"X-Mxserve-Replica": self.replica},
        )

    def _mms_inputs(self, body: bytes) -> dict[str, np.ndarray]:
        names = list(self.inputs)
        if body.startswith(b"\x93NUMPY"):
            if len(names) != 1:
                raise InvalidArgumentError(f"a .npy body needs a model with one input: {names}")
            try:
                data: Any = {names[0]: np.load(io.BytesIO(body), allow_pickle=False)}
            except (ValueError, OSError, EOFError) as e:
                raise InvalidArgumentError(f"malformed .npy request body: {e}") from None
        else:
            try:
                data = json.loads(body)
            except json.JSONDecodeError as e:
                raise InvalidArgumentError(f"request body is not JSON or .npy: {e}") from None
            if isinstance(data, dict) and "data" in data and names != ["data"] and len(names) == 1:
                data = {names[0]: data["data"]}
            elif not isinstance(data, dict):
                if len(names) != 1:
                    raise InvalidArgumentError(
                        f"a JSON array needs a model with one input: {names}"
                    )
                data = {names[0]: data}
        out = {}
        for name, value in data.items():
            try:
                a = np.asarray(
                    value, dtype=self.inputs[name].numpy_dtype if name in self.inputs else None
                )
            except (ValueError, TypeError) as e:
                raise InvalidArgumentError(f"input '{name}' is not a numeric array: {e}") from None
            if name in self.inputs and self.batched and a.ndim == len(self.inputs[name].dims):
                a = a[np.newaxis]
            out[name] = a
        return out


def build_app(args: dict[str, Any]) -> serve.Application:
    """The application for ``serve run`` / ``serve.run``.

    ``args``: ``model_dir`` (required), ``max_batch_size``, ``batch_wait_timeout_s``,
    ``num_threads``, and ``num_replicas`` (a fixed count instead of autoscaling) or
    ``autoscaling_config`` (a dict merged over ``DEFAULT_AUTOSCALING``)."""
    if "model_dir" not in args:
        raise InvalidArgumentError("build_app needs 'model_dir', the model's directory")
    options: dict[str, Any] = {}
    if args.get("num_replicas") is not None:
        options["num_replicas"] = int(args["num_replicas"])
        options["autoscaling_config"] = None
    elif args.get("autoscaling_config"):
        options["autoscaling_config"] = {**DEFAULT_AUTOSCALING, **args["autoscaling_config"]}
    if args.get("num_cpus") is not None:
        options["ray_actor_options"] = {"num_cpus": float(args["num_cpus"])}
    deployment = MXServeDeployment.options(**options) if options else MXServeDeployment
    return deployment.bind(
        str(args["model_dir"]),
        max_batch_size=int(args["max_batch_size"]) if args.get("max_batch_size") else None,
        batch_wait_timeout_s=(
            float(args["batch_wait_timeout_s"])
            if args.get("batch_wait_timeout_s") is not None
            else None
        ),
        num_threads=int(args.get("num_threads", 0)),
    )


def _one_model_dir(model_store: Path | None, models: dict[str, Path]) -> tuple[str, Path]:
    """The single model directory ``mxserve serve --ray`` serves."""
    found = {name: Path(path) for name, path in models.items()}
    if model_store is not None and Path(model_store).is_dir():
        for d in sorted(Path(model_store).iterdir()):
            if d.is_dir() and not d.name.startswith("."):
                found.setdefault(d.name, d)
    if len(found) != 1:
        raise InvalidArgumentError(
            f"--ray serves one model directory, found {sorted(found) or 'none'}: give a model "
            "store holding one model, or --model NAME=DIR with no --model-store"
        )
    ((name, path),) = found.items()
    return name, path


def serve_blocking(
    model_store: Path | None,
    models: dict[str, Path],
    host: str,
    port: int,
    num_threads: int = 0,
    num_replicas: int | None = None,
) -> int:
    """``mxserve serve --ray``: starts a local Ray cluster, serves the one model directory with
    Serve's HTTP proxy on ``host:port``, and stops both on SIGTERM or SIGINT."""
    import signal

    import ray

    name, path = _one_model_dir(model_store, models)
    load_model_dir(path)  # a bad directory fails here, before Ray starts
    ray.init(include_dashboard=False, configure_logging=False)
    stop = threading.Event()

    def handle(*_: object) -> None:
        stop.set()

    def take_signals() -> None:
        # Ray's core worker has its own SIGTERM handler (it logs and aborts) and may install it
        # again after ray.init returns; taking the signals back before Serve starts and each
        # time round the wait keeps the shutdown clean, also for a signal that arrives while
        # serve.run still waits for the application (its proxy may already answer).
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, handle)

    try:
        take_signals()
        serve.start(http_options={"host": host, "port": port})
        args: dict[str, Any] = {"model_dir": str(path.resolve()), "num_threads": num_threads}
        if num_replicas is not None:
            args["num_replicas"] = num_replicas
        take_signals()
        serve.run(build_app(args), name=name, route_prefix="/")
        print(f"mxserve: {name} on Ray Serve at http://{host}:{port}", flush=True)
        while not stop.is_set():
            take_signals()
            stop.wait(0.2)
        serve.shutdown()
    finally:
        ray.shutdown()
    return 0
