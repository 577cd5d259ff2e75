# SPDX-License-Identifier: Apache-2.0
"""KServe v2 / Triton gRPC: ``inference.GRPCInferenceService`` and ``grpc.health.v1.Health``.

Served by grpcio's asyncio server on ``--grpc-port`` in the same process and event loop as the
HTTP server (``app.run`` starts it once the models are loaded and stops it after the drain), so
both share the repository, the batchers and the statistics: every inference goes through the
same ``DataPlane``. The messages are the generated ones shipped in ``tritonclient[grpc]``
(``service_pb2``, ``model_config_pb2``); nothing here encodes protobuf by hand.

ModelInfer reads each input from ``raw_input_contents`` (in the order of the inputs that carry
neither typed contents nor a shared memory region), its typed contents (``fp32_contents`` ...),
or a registered system shared memory region; it answers every output in
``raw_output_contents`` unless the output was asked for in a region. Errors carry the gRPC code
``errors_render.grpc_code_name`` derives from the one error table (INVALID_ARGUMENT, NOT_FOUND,
UNAVAILABLE, UNIMPLEMENTED, RESOURCE_EXHAUSTED, ...). Messages larger than
``--max-request-bytes`` are refused by grpcio with RESOURCE_EXHAUSTED.

The health service answers ``Check`` for ``""`` and ``inference.GRPCInferenceService`` (SERVING
when the server is ready) and for a model name (SERVING when that model is ready).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import numpy as np
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc
from tritonclient.grpc import model_config_pb2, service_pb2, service_pb2_grpc

from .. import __version__
from ..errors import InvalidArgumentError, MXServeError, NotFoundError
from .batching import MAX_PRIORITY, MAX_TIMEOUT_US
from .config import OIP_OF_DTYPE, ModelConfig, Settings
from .dataplane import DataPlane, InferRequest
from .errors_render import grpc_code_name, log_internal
from .instances import ModelVersion
from .protocol.binary import to_le_bytes
from .protocol.plan import uint_param
from .protocol.v2 import element_count, numpy_dtype
from .routers.health import EXTENSIONS
from .shared_memory import TensorRef, cuda_unsupported, tensor_ref

log = logging.getLogger("mxserve.server")

SERVICE = "inference.GRPCInferenceService"

#: The typed-contents field of InferTensorContents for each datatype that has one.
CONTENTS_FIELD = {
    "BOOL": "bool_contents",
    "INT8": "int_contents",
    "INT16": "int_contents",
    "INT32": "int_contents",
    "INT64": "int64_contents",
    "UINT8": "uint_contents",
    "UINT16": "uint_contents",
    "UINT32": "uint_contents",
    "UINT64": "uint64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
}


def _params(params: Any) -> dict[str, Any]:
    """A protobuf ``map<string, InferParameter>`` as plain values."""
    out = {}
    for key, p in params.items():
        which = p.WhichOneof("parameter_choice")
        out[key] = getattr(p, which) if which else None
    return out


def _rpc(
    fn: Callable[..., Awaitable[Any]],
) -> Callable[..., Awaitable[Any]]:
    """Turns an MXServeError into its gRPC status; anything else is logged, INTERNAL."""

    @functools.wraps(fn)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await fn(self, request, context)
        except MXServeError as e:
            code, details = getattr(grpc.StatusCode, grpc_code_name(e)), str(e)
        except Exception as e:
            log_internal(f"gRPC {fn.__name__}", e)
            code, details = grpc.StatusCode.INTERNAL, "internal server error"
        await context.abort(code, details)

    return wrapper


def config_message(cfg: ModelConfig) -> Any:
    """The version's config as Triton's ModelConfig message."""
    d = cfg.to_triton_json()
    d["parameters"] = {k: {"string_value": str(v)} for k, v in d.get("parameters", {}).items()}
    for t in d.get("output", []):
        t.pop("optional", None)  # an input-only field
    db = d.get("dynamic_batching")
    if db:
        db["priority_queue_policy"] = {
            str(k): v for k, v in db.get("priority_queue_policy", {}).items()
        }
    for w in d.get("model_warmup", []):
        for spec in w.get("inputs", {}).values():
            for key in ("zero_data", "random_data", "input_data_file"):  # one of a oneof
                if not spec.get(key):
                    spec.pop(key, None)
    return json_format.ParseDict(d, model_config_pb2.ModelConfig(), ignore_unknown_fields=True)


class InferenceService(service_pb2_grpc.GRPCInferenceServiceServicer):
    """``inference.GRPCInferenceService`` over one app's data plane.

    Args:
        plane: the app's data plane (repository, batchers, statistics, shared memory).
        state: the app's ``state``, read for its ``aggregator`` (set with ``--workers`` > 1).
    """

    def __init__(self, plane: DataPlane, state: Any) -> None:
        self.plane = plane
        self.repo = plane.repo
        self.state = state

    # -- health and metadata ------------------------------------------------------------------
    @_rpc
    async def ServerLive(self, request: Any, context: Any) -> Any:
        return service_pb2.ServerLiveResponse(live=True)

    @_rpc
    async def ServerReady(self, request: Any, context: Any) -> Any:
        return service_pb2.ServerReadyResponse(ready=self.repo.ready())

    @_rpc
    async def ModelReady(self, request: Any, context: Any) -> Any:
        self.repo.entry(request.name)  # NOT_FOUND for an unknown model
        try:
            self.repo.get(request.name, request.version or None)
        except MXServeError:
            return service_pb2.ModelReadyResponse(ready=False)
        return service_pb2.ModelReadyResponse(ready=not self.repo.draining)

    @_rpc
    async def ServerMetadata(self, request: Any, context: Any) -> Any:
        return service_pb2.ServerMetadataResponse(
            name="mxserve", version=__version__, extensions=EXTENSIONS
        )

    @_rpc
    async def ModelMetadata(self, request: Any, context: Any) -> Any:
        mv = self.repo.get(request.name, request.version or None)
        meta = mv.metadata(sorted(self.repo.entry(request.name).versions))
        return json_format.ParseDict(meta, service_pb2.ModelMetadataResponse())

    @_rpc
    async def ModelConfig(self, request: Any, context: Any) -> Any:
        mv = self.repo.get(request.name, request.version or None)
        return service_pb2.ModelConfigResponse(config=config_message(mv.config))

    @_rpc
    async def ModelStatistics(self, request: Any, context: Any) -> Any:
        if request.name:
            versions = self.plane.versions_of(request.name, request.version)
        else:
            versions = list(self.repo.versions())
        stats = await self.plane.statistics(versions, getattr(self.state, "aggregator", None))
        return json_format.ParseDict(stats, service_pb2.ModelStatisticsResponse())

    # -- model repository ---------------------------------------------------------------------
    @_rpc
    async def RepositoryIndex(self, request: Any, context: Any) -> Any:
        await self.repo.wait_loaded()
        rows = self.repo.index(ready_only=request.ready)
        return service_pb2.RepositoryIndexResponse(
            models=[service_pb2.RepositoryIndexResponse.ModelIndex(**r) for r in rows]
        )

    @_rpc
    async def RepositoryModelLoad(self, request: Any, context: Any) -> Any:
        params = {k: p.WhichOneof("parameter_choice") for k, p in request.parameters.items()}
        await self.repo.load_requested(request.model_name, params)
        return service_pb2.RepositoryModelLoadResponse()

    @_rpc
    async def RepositoryModelUnload(self, request: Any, context: Any) -> Any:
        await self.repo.unload_requested(request.model_name)
        return service_pb2.RepositoryModelUnloadResponse()

    # -- shared memory ------------------------------------------------------------------------
    @_rpc
    async def SystemSharedMemoryStatus(self, request: Any, context: Any) -> Any:
        regions = self.plane.shm.status(request.name)
        status = service_pb2.SystemSharedMemoryStatusResponse.RegionStatus
        return service_pb2.SystemSharedMemoryStatusResponse(
            regions={r["name"]: status(**r) for r in regions}
        )

    @_rpc
    async def SystemSharedMemoryRegister(self, request: Any, context: Any) -> Any:
        self.plane.shm.register(request.name, request.key, request.offset, request.byte_size)
        return service_pb2.SystemSharedMemoryRegisterResponse()

    @_rpc
    async def SystemSharedMemoryUnregister(self, request: Any, context: Any) -> Any:
        self.plane.shm.unregister(request.name)
        return service_pb2.SystemSharedMemoryUnregisterResponse()

    @_rpc
    async def CudaSharedMemoryStatus(self, request: Any, context: Any) -> Any:
        if request.name:
            raise cuda_unsupported()
        return service_pb2.CudaSharedMemoryStatusResponse()

    @_rpc
    async def CudaSharedMemoryRegister(self, request: Any, context: Any) -> Any:
        raise cuda_unsupported()

    @_rpc
    async def CudaSharedMemoryUnregister(self, request: Any, context: Any) -> Any:
        return service_pb2.CudaSharedMemoryUnregisterResponse()

    # -- inference ----------------------------------------------------------------------------
    @_rpc
    async def ModelInfer(self, request: Any, context: Any) -> Any:
        return await self.infer(request, context.cancelled)

    async def ModelStreamInfer(
        self, request_iterator: AsyncIterator[Any], context: Any
    ) -> AsyncIterator[Any]:
        """The stream's requests run concurrently (so the batcher may batch them), each answer
        sent as it is ready, tagged by the request's ``id``; an error is sent as
        ``error_message`` and the stream goes on."""
        answers: asyncio.Queue[Any] = asyncio.Queue()
        running: set[asyncio.Task[None]] = set()

        async def run(request: Any) -> None:
            try:
                response = await self.infer(request, context.cancelled)
                answer = service_pb2.ModelStreamInferResponse(infer_response=response)
            except MXServeError as e:
                answer = service_pb2.ModelStreamInferResponse(error_message=str(e))
            except Exception as e:
                log_internal("gRPC ModelStreamInfer", e)
                answer = service_pb2.ModelStreamInferResponse(error_message="internal server error")
            await answers.put(answer)

        async def read() -> None:
            async for request in request_iterator:
                task = asyncio.create_task(run(request))
                running.add(task)
                task.add_done_callback(running.discard)
            while running:
                await asyncio.wait(list(running))
            await answers.put(None)

        reader = asyncio.create_task(read())
        try:
            while (answer := await answers.get()) is not None:
                yield answer
        finally:
            reader.cancel()
            for task in list(running):
                task.cancel()

    async def infer(self, request: Any, gone: Callable[[], bool] | None = None) -> Any:
        """One ModelInferRequest through the data plane."""
        mv = self.plane.version(request.model_name, request.model_version)
        timeout = priority = 0
        if request.parameters:
            params = _params(request.parameters)
            timeout = uint_param(params, "timeout", "microseconds", MAX_TIMEOUT_US)
            priority = uint_param(params, "priority", "1 is the highest level", MAX_PRIORITY)
        inputs, checked = self._read_inputs(request, mv)
        refs: list[tuple[str, TensorRef | None]] = []
        if request.outputs:
            known = set(mv.output_names)
            for o in request.outputs:
                if o.name not in known:
                    raise InvalidArgumentError(
                        f"unexpected inference output '{o.name}' for model '{mv.name}'"
                    )
                refs.append((o.name, tensor_ref(_params(o.parameters), f"output '{o.name}'")))
        else:
            refs = [(n, None) for n in mv.output_names]
        outputs = await self.plane.infer(mv, InferRequest(inputs, timeout, priority, checked, gone))
        shm_refs = [(n, r) for n, r in refs if r is not None]
        written = self.plane.write_shm_outputs(shm_refs, outputs) if shm_refs else {}
        response = service_pb2.ModelInferResponse(
            model_name=mv.name, model_version=str(mv.version), id=request.id
        )
        for name, ref in refs:
            a = outputs[name]
            out = response.outputs.add(
                name=name, datatype=OIP_OF_DTYPE.get(a.dtype) or a.dtype.name, shape=a.shape
            )
            if ref is not None:
                out.parameters["shared_memory_region"].string_param = ref.region
                out.parameters["shared_memory_byte_size"].int64_param = written[name]
            else:
                response.raw_output_contents.append(to_le_bytes(a))
        return response

    def _read_inputs(
        self, request: Any, mv: ModelVersion
    ) -> tuple[dict[str, np.ndarray], tuple[int, tuple[Any, ...]] | None]:
        """The inputs, and (batch size, batching key) when they were checked already.

        Clients send the same input names, datatypes and shapes with every request, all as raw
        contents; for those, where each input lies and the signature check's result are kept
        per version (``mv.grpc_layouts``, as ``protocol.plan`` keeps HTTP request plans)."""
        raw = request.raw_input_contents
        key = None
        if len(raw) == len(request.inputs) and all(
            not t.parameters and not t.HasField("contents") for t in request.inputs
        ):
            key = tuple((t.name, t.datatype, tuple(t.shape)) for t in request.inputs)
            layout = mv.grpc_layouts.get(key)
            if layout is not None:
                return self._read_raw(layout, raw), layout.checked
        out = self._decode_inputs(request)
        if key is None:
            return out, None
        try:
            checked = mv.check_specs({n: (a.dtype, a.shape) for n, a in out.items()})
        except InvalidArgumentError:
            return out, None  # checked again, and counted, by the data plane
        layout = RawLayout(
            tuple(
                (name, le, None if le == a.dtype else a.dtype, a.shape, a.nbytes)
                for name, a in out.items()
                for le in (a.dtype.newbyteorder("<"),)
            ),
            checked,
        )
        if len(mv.grpc_layouts) >= MAX_LAYOUTS:
            del mv.grpc_layouts[next(iter(mv.grpc_layouts))]
        mv.grpc_layouts[key] = layout
        return out, checked

    @staticmethod
    def _read_raw(layout: RawLayout, raw: Any) -> dict[str, np.ndarray]:
        out = {}
        for (name, dtype, native, shape, nbytes), data in zip(layout.inputs, raw):
            if len(data) != nbytes:
                raise InvalidArgumentError(
                    f"input '{name}': raw_input_contents holds {len(data)} bytes, shape "
                    f"{list(shape)} needs {nbytes}"
                )
            a = np.frombuffer(data, dtype=dtype).reshape(shape)
            out[name] = a if native is None else a.astype(native)
        return out

    def _decode_inputs(self, request: Any) -> dict[str, np.ndarray]:
        raw = request.raw_input_contents
        used = 0
        out: dict[str, np.ndarray] = {}
        for t in request.inputs:
            what = f"input '{t.name}'"
            if t.name in out:
                raise InvalidArgumentError(f"{what} appears more than once")
            dtype = numpy_dtype(t.datatype)
            shape = list(t.shape)
            count = element_count(shape, t.name)
            ref = tensor_ref(_params(t.parameters), what)
            field = CONTENTS_FIELD.get(t.datatype)
            typed = getattr(t.contents, field) if field and t.HasField("contents") else None
            if ref is not None:
                out[t.name] = self.plane.shm.read(ref, dtype, shape, what)
            elif typed:
                if len(typed) != count:
                    raise InvalidArgumentError(
                        f"{what}: {len(typed)} values in {field}, shape {shape} needs {count}"
                    )
                try:
                    a = np.array(typed, dtype=dtype.newbyteorder("="))
                except (OverflowError, ValueError) as e:
                    raise InvalidArgumentError(f"{what}: {e}") from None
                out[t.name] = a.reshape(shape)
            else:
                if used >= len(raw):
                    raise InvalidArgumentError(
                        f"{what} has no data: give raw_input_contents for every input without "
                        f"typed contents or a shared memory region ({len(raw)} given)"
                    )
                data = raw[used]
                used += 1
                if len(data) != count * dtype.itemsize:
                    raise InvalidArgumentError(
                        f"{what}: raw_input_contents holds {len(data)} bytes, shape {shape} of "
                        f"{t.datatype} needs {count * dtype.itemsize}"
                    )
                a = np.frombuffer(data, dtype=dtype, count=count)
                out[t.name] = a.reshape(shape).astype(dtype.newbyteorder("="), copy=False)
        if used != len(raw):
            raise InvalidArgumentError(
                f"raw_input_contents has {len(raw)} entries, the inputs without typed contents "
                f"or a shared memory region number {used}"
            )
        return out


@dataclass(frozen=True)
class RawLayout:
    """Inputs all sent as raw contents: (name, little-endian dtype, native dtype or None when
    it is the same, shape, byte size) of each, in order, and the signature check's (batch size,
    batching key)."""

    inputs: tuple[tuple[str, np.dtype[Any], np.dtype[Any] | None, tuple[int, ...], int], ...]
    checked: tuple[int, tuple[Any, ...]]


#: Raw layouts kept per model version; the oldest goes first.
MAX_LAYOUTS = 256


class HealthService(health_pb2_grpc.HealthServicer):
    """``grpc.health.v1.Health.Check`` from the repository's state."""

    def __init__(self, plane: DataPlane) -> None:
        self.repo = plane.repo

    async def Check(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        serving = health_pb2.HealthCheckResponse.SERVING
        not_serving = health_pb2.HealthCheckResponse.NOT_SERVING
        if request.service in ("", SERVICE):
            ok = self.repo.ready()
        else:
            try:
                self.repo.entry(request.service)
            except NotFoundError:
                await context.abort(
                    grpc.StatusCode.NOT_FOUND, f"unknown service '{request.service}'"
                )
            try:
                self.repo.get(request.service)
                ok = not self.repo.draining
            except MXServeError:
                ok = False
        return health_pb2.HealthCheckResponse(status=serving if ok else not_serving)


def create_grpc_server(plane: DataPlane, state: Any, settings: Settings) -> grpc.aio.Server:
    """The gRPC server of one process, bound to ``settings.grpc_port`` but not yet started.

    Raises:
        OSError: the port cannot be bound.
    """
    options = [
        ("grpc.max_receive_message_length", settings.max_request_bytes),
        ("grpc.max_send_message_length", -1),
        # Several worker processes bind the same port (the kernel spreads connections over
        # them); a single process must fail on a port in use instead.
        ("grpc.so_reuseport", 1 if settings.workers > 1 else 0),
    ]
    server = grpc.aio.server(options=options)
    service_pb2_grpc.add_GRPCInferenceServiceServicer_to_server(
        InferenceService(plane, state), server
    )
    health_pb2_grpc.add_HealthServicer_to_server(HealthService(plane), server)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    try:
        bound = server.add_insecure_port(f"{host}:{settings.grpc_port}")
    except RuntimeError as e:
        raise OSError(str(e)) from None
    if bound == 0:
        raise OSError(f"cannot bind {host}:{settings.grpc_port}")
    return server
