# SPDX-License-Identifier: Apache-2.0
"""``create_app(settings)``: the FastAPI app, and ``serve(settings)``: run it under uvicorn.

The lifespan starts loading the repository (each model in a worker thread; a failure is recorded
on the model) without waiting for it, so the ports listen at once and ``/v2/health/ready`` answers
503 until the loads are done; shutdown drains and stops them. Every error reaches the client
as ``{"error": message}`` with the status from ``errors.STATUS_BY_ERROR`` (Retry-After on 503).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InvalidArgumentError, MXServeError, UnavailableError
from .config import Settings
from .dataplane import DataPlane
from .errors_render import (
    error_response,
    http_exception_response,
    internal_error_response,
    validation_error_response,
)
from .lifecycle import ModelRepository
from .limits import MAX_HEADER_BYTES, BodyBudget, LimitedHttpToolsProtocol
from .metrics import CONTENT_TYPE, Metrics
from .poll import fingerprint_all, poll_forever
from .routers import health, infer, mms, models, repository, shared_memory
from .routers import metrics as metrics_router
from .routers.infer import InferFastPath
from .routers.mms import MmsFastPath

log = logging.getLogger("mxserve.server")


class BodyLimit:
    """Pure ASGI middleware: a Content-Length above ``limit`` bytes gets 413 before the body is
    read; headers of more than MAX_HEADER_BYTES get 431; a body that would take the process's
    buffered request bytes over ``budget`` gets 503 (``limits.BodyBudget``)."""

    def __init__(self, app: ASGIApp, limit: int, budget: BodyBudget | None = None) -> None:
        self.app = app
        self.limit = limit
        self.budget = budget

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header_bytes = sum(len(k) + len(v) + 4 for k, v in scope["headers"])
        if header_bytes > MAX_HEADER_BYTES:
            await self._reject(
                send, 431, f"request headers exceed the limit of {MAX_HEADER_BYTES} bytes"
            )
            return
        declared: int | None = None
        for k, v in scope["headers"]:
            if k == b"content-length":
                try:
                    declared = int(v)
                except ValueError:
                    declared = None
                if declared is not None and declared > self.limit:
                    await self._reject(
                        send, 413, f"request body exceeds the limit of {self.limit} bytes"
                    )
                    return
        budget = self.budget
        if budget is None:
            await self.app(scope, receive, send)  # no Content-Length: see routers.deps.read_body
            return
        if declared is not None:
            reason = budget.refusal(declared)
            if reason is not None:
                await self._reject(send, 503, reason, retry_after=True)
                return
            budget.take(declared)
            try:
                await self.app(scope, receive, send)
            finally:
                budget.give(declared)
            return
        taken = 0

        async def counted() -> Message:
            nonlocal taken
            message = await receive()
            size = len(message.get("body", b""))
            if size:
                budget.take(size)  # UnavailableError: the app answers 503
                taken += size
            return message

        try:
            await self.app(scope, counted, send)
        finally:
            budget.give(taken)

    async def _reject(
        self, send: Send, status: int, message: str, retry_after: bool = False
    ) -> None:
        body = json.dumps({"error": message}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        if retry_after:
            headers.append((b"retry-after", b"1"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings) -> FastAPI:
    """A new app: its own repository, metrics registry and batchers (nothing global)."""
    repo = ModelRepository(settings)
    repo.scan()
    metrics = Metrics(repo.stats_rows)
    dataplane = DataPlane(repo, metrics)

    pollers: list[asyncio.Task[None]] = []

    async def load_repository() -> None:
        """The start-up loads, after the sockets listen: /v2/health/ready answers 503 meanwhile."""
        t0 = time.perf_counter()
        if settings.model_control_mode == "poll":
            fingerprint_all(repo)
        await repo.load_at_start()
        if settings.model_control_mode == "poll":
            pollers.append(asyncio.create_task(poll_forever(repo, settings.repository_poll_secs)))
        for row in repo.index():
            if row["state"] != "READY":
                log.error(
                    "model '%s' is not available: %s",
                    row["name"],
                    row["reason"],
                    extra={"model": row["name"], "event": "unavailable"},
                )
        log.info(
            "repository ready in %.2f s: %d model(s) loaded",
            time.perf_counter() - t0,
            sum(1 for e in repo.models.values() if e.versions),
            extra={"event": "started"},
        )
        # Everything allocated so far lives as long as the server: keep it out of the cyclic
        # GC's scans, which otherwise show up as latency spikes under load.
        gc.collect()
        gc.freeze()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loading = asyncio.create_task(load_repository())
        yield
        await loading  # a stop during start-up waits for the loads under way
        for poller in pollers:
            poller.cancel()
        if not repo.draining:
            await repo.drain(settings.exit_timeout_secs)
        await repo.close()
        dataplane.shm.close()

    app = FastAPI(
        title="mxserve",
        version=_version(),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api-description",
    )
    app.state.settings = settings
    app.state.repo = repo
    app.state.metrics = metrics
    app.state.dataplane = dataplane
    app.state.aggregator = None  # with --workers > 1: an aggregate.Aggregator (workers.py)

    @app.exception_handler(MXServeError)
    async def _mxserve_error(request: Request, exc: MXServeError) -> Response:
        return error_response(exc, settings)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return http_exception_response(exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return validation_error_response(exc.errors())

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception) -> Response:
        return internal_error_response(f"{request.method} {request.url.path}", exc)

    for r in (
        health.router,
        models.router,
        infer.router,
        repository.router,
        metrics_router.router,
        shared_memory.router,
        mms.router,
    ):
        app.include_router(r)
    return app


def _version() -> str:
    from .. import __version__

    return __version__


def metrics_app(app: FastAPI) -> ASGIApp:
    """The metrics listener: ``GET /metrics`` only (with several workers: summed over them)."""
    metrics: Metrics = app.state.metrics

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/metrics" and scope["method"] in ("GET", "HEAD"):
            agg = app.state.aggregator
            body = await agg.render() if agg is not None else metrics.render()
            status, ctype = 200, CONTENT_TYPE.encode()
        else:
            body, status, ctype = b'{"error":"Not Found"}', 404, b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return asgi


class PortDispatch:
    """Serves ``metrics`` on the metrics port, ``internal`` on the worker's private Unix socket
    (``--workers`` > 1) and ``main`` on every other listener of one server."""

    def __init__(
        self,
        main: ASGIApp,
        metrics: ASGIApp,
        metrics_port: int | None,
        internal: ASGIApp | None = None,
        internal_path: str | None = None,
    ) -> None:
        self.main = main
        self.metrics = metrics
        self.metrics_port = metrics_port
        self.internal = internal
        # A connection on a Unix socket has scope["server"] == (socket path, None).
        self.internal_server = (internal_path, None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server")
        if self.internal is not None and server and tuple(server) == self.internal_server:
            await self.internal(scope, receive, send)
        elif (
            scope["type"] == "http"
            and server
            and self.metrics_port
            and server[1] == self.metrics_port
        ):
            await self.metrics(scope, receive, send)
        else:
            await self.main(scope, receive, send)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; access-log records are split into fields."""

    def format(self, record: logging.LogRecord) -> str:
        d: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
        }
        if (
            record.name == "uvicorn.access"
            and isinstance(record.args, tuple)
            and len(record.args) == 5
        ):
            client, method, path, version, status = record.args
            d.update(
                event="access", client=client, method=method, path=path, http=version, status=status
            )
        else:
            d["msg"] = record.getMessage()
        for key in ("model", "event", "worker"):
            if hasattr(record, key):
                d[key] = getattr(record, key)
        if record.exc_info:
            d["exc"] = self.formatException(record.exc_info)
        return json.dumps(d, default=str)


class _WorkerLogFilter(logging.Filter):
    """Tags a worker's records with its index, and drops the access-log lines of the snapshot
    requests its siblings send over its private Unix socket (the only requests without a client
    address)."""

    def __init__(self, worker: int) -> None:
        super().__init__()
        self.worker = worker

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            if record.args and record.args[0] == "":
                return False
        record.worker = self.worker
        return True


def configure_logging(settings: Settings, worker: int | None = None) -> None:
    """Logging of the server process, or of worker ``worker`` under ``--workers``."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        name = "%(name)s" if worker is None else f"%(name)s[worker {worker}]"
        handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s {name}: %(message)s"))
    if worker is not None:
        handler.addFilter(_WorkerLogFilter(worker))
    for name in ("mxserve", "uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers = [handler]
        lg.propagate = False
        lg.setLevel(logging.INFO)
    logging.getLogger("uvicorn.access").disabled = not settings.access_log


def _bind(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on connections of sockets whose
    # proto says TCP, and without it keep-alive responses wait ~40 ms (Nagle + delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def listen(settings: Settings, reuse_port: bool = False) -> list[socket.socket]:
    """The bound (not yet listening) sockets: the HTTP port, then the metrics port unless it is
    off or the same. ``reuse_port``: SO_REUSEPORT, so that several sets bind the same ports
    (one per worker process; Linux spreads new connections over the listening ones)."""
    sockets = [_bind(settings.host, settings.http_port, reuse_port)]
    metrics_port = settings.metrics_port
    if metrics_port and metrics_port != settings.http_port:
        try:
            sockets.append(_bind(settings.host, metrics_port, reuse_port))
        except OSError:
            sockets[0].close()
            raise
    return sockets


def check_store(settings: Settings) -> None:
    """Start-up errors rather than a server that reports ready with nothing to serve: a model
    store that is not a directory, or (model control mode none) one that offers no model."""
    store = settings.model_store
    if store is not None and not store.is_dir():
        raise InvalidArgumentError(f"model store {store} is not a directory")
    if settings.model_control_mode == "none" and not settings.models:
        if store is None or not any(
            not d.name.startswith(".") and (d.is_dir() or d.suffix == ".mar")
            for d in store.iterdir()
        ):
            raise InvalidArgumentError(f"model store {store} holds no model")


def serve_single(settings: Settings) -> int:
    """``main.serve`` with one process: this process loads the models and serves them."""
    configure_logging(settings)
    app = create_app(settings)
    try:
        sockets = listen(settings)
    except OSError as e:  # a port in use: one line, no traceback
        raise UnavailableError(
            f"cannot listen on {settings.host} (http port {settings.http_port}, metrics port "
            f"{settings.metrics_port}): {e.strerror or e}"
        ) from None
    log.info(
        "serving on http://%s:%d (metrics on port %s)",
        settings.host,
        settings.http_port,
        settings.metrics_port,
        extra={"event": "listening"},
    )
    return run(app, settings, sockets)


def run(
    app: FastAPI,
    settings: Settings,
    sockets: list[socket.socket],
    internal: tuple[socket.socket, ASGIApp] | None = None,
    on_started: Callable[[], None] | None = None,
) -> int:
    """Serves ``app`` under uvicorn on ``sockets`` until it has drained after a signal.

    Args:
        app: from ``create_app``.
        settings: the app's settings.
        sockets: from ``listen`` (in this process or inherited from the supervisor).
        internal: a worker's private Unix socket and the app that alone serves it.
        on_started: called once the lifespan has run and the sockets accept connections.
    """
    import uvicorn

    _raise_body_high_water()

    metrics_port = settings.metrics_port
    main = BodyLimit(
        MmsFastPath(app, InferFastPath(app)),
        settings.max_request_bytes,
        BodyBudget(settings.max_buffered_bytes),
    )
    if internal is None:
        asgi = PortDispatch(main, metrics_app(app), metrics_port)
    else:
        private, internal_app = internal
        asgi = PortDispatch(
            main, metrics_app(app), metrics_port, internal_app, private.getsockname()
        )
        sockets = [*sockets, private]
    config = uvicorn.Config(
        asgi,
        lifespan="on",
        log_config=None,
        access_log=settings.access_log,
        timeout_graceful_shutdown=max(1, int(settings.exit_timeout_secs)),
        http=LimitedHttpToolsProtocol,  # idle/slow-header timeouts and a header size limit
        timeout_keep_alive=KEEP_ALIVE_SECS,
        server_header=False,
        proxy_headers=False,  # no proxy in front by default; one ASGI layer less per request
    )
    server = _DrainingServer(config, app, settings, on_started)
    server.run(sockets=sockets)
    return 0


#: Seconds a connection may stay idle, before its first request and between requests.
KEEP_ALIVE_SECS = 30

#: Request body bytes uvicorn buffers before it pauses reading until the app takes them.
BODY_HIGH_WATER = 4 << 20


def _raise_body_high_water() -> None:
    """uvicorn (httptools protocol) stops reading a request body at 64 KiB until the app has taken
    what arrived, so a 600 KB image tensor costs about ten pause/resume round trips of the event
    loop. uvicorn has no setting for it; its module-level limit is raised to BODY_HIGH_WATER
    (resnet18_v1 at concurrency 32: +1.6 % throughput, same CPU). Nothing changes if a uvicorn
    version lacks the constant; the request size limit (413) is enforced as before."""
    try:
        from uvicorn.protocols.http import httptools_impl
    except ImportError:  # httptools missing: uvicorn uses h11
        return
    current = getattr(httptools_impl, "HIGH_WATER_LIMIT", None)
    if isinstance(current, int):
        setattr(httptools_impl, "HIGH_WATER_LIMIT", max(current, BODY_HIGH_WATER))


class _DrainingServer:
    """uvicorn.Server whose first SIGTERM/SIGINT drains before uvicorn's own shutdown starts."""

    def __new__(
        cls,
        config: Any,
        app: FastAPI,
        settings: Settings,
        on_started: Callable[[], None] | None = None,
    ) -> Any:
        import uvicorn

        repo: ModelRepository = app.state.repo
        timeout = settings.exit_timeout_secs

        class Server(uvicorn.Server):
            _drain_task: asyncio.Task[None] | None = None
            _grpc: Any = None

            async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                if settings.grpc_port:
                    # Bound before the models load (a port in use fails at once), started
                    # after: gRPC clients never see a server without its models.
                    from .grpc_service import create_grpc_server

                    try:
                        self._grpc = create_grpc_server(app.state.dataplane, app.state, settings)
                    except OSError as e:
                        raise UnavailableError(
                            f"cannot listen on {settings.host} (grpc port {settings.grpc_port}): "
                            f"{e}"
                        ) from None
                await super().startup(sockets=sockets)
                if self.started and self._grpc is not None:
                    await self._grpc.start()
                    log.info(
                        "serving gRPC on %s:%d",
                        settings.host,
                        settings.grpc_port,
                        extra={"event": "listening_grpc"},
                    )
                if self.started and on_started is not None:
                    on_started()

            async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
                if self._grpc is not None:
                    await self._grpc.stop(1.0)
                await super().shutdown(sockets=sockets)

            def handle_exit(self, sig: int, frame: FrameType | None) -> None:
                if self._drain_task is None and self.started:
                    log.info(
                        "received %s: draining (timeout %.0f s)",
                        signal.Signals(sig).name,
                        timeout,
                        extra={"event": "draining"},
                    )
                    self._drain_task = asyncio.get_event_loop().create_task(self._drain())
                    return
                super().handle_exit(sig, frame)

            async def _drain(self) -> None:
                finished = await repo.drain(timeout)
                if not finished:
                    log.warning(
                        "Exit timeout expired. Exiting immediately.",
                        extra={"event": "drain_timeout"},
                    )
                    await repo.close()  # what is still queued or running is answered with 503
                self.should_exit = True

        return Server(config)
