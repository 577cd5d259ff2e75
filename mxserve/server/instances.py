# SPDX-License-Identifier: Apache-2.0
"""A loaded model version: its weights, its signature, the predictors bound per input shape
(all sharing the weights) that its instances run, and its statistics.

``load()`` runs in a worker thread: it reads the files, asks the runtime for the graph's inputs
and outputs (``signature.GraphIO``), reconciles them with the config, finds the output shapes
and datatypes when the input dims are all known, and runs the config's ``model_warmup``.
``execute()`` runs one batch (in a worker thread); the batcher calls it once per execution, at
most ``instance_group`` count at a time.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _runtime  # type: ignore[attr-defined,unused-ignore]
from ..errors import InvalidArgumentError
from ..quantization.serving import int8_model
from .batching import (
    BatchRequest,
    DynamicBatcher,
    Inputs,
    Outputs,
    Timings,
    concat_inputs,
    split_outputs,
)
from .config import NUMPY_TO_OIP, OIP_TO_CONFIG, ModelConfig, TensorConfig
from .layout import VersionFiles
from .metrics import ModelStats
from .protocol.plan import RequestPlan
from .signature import GraphIO, Signature, Specs
from .warmup import warm_up

PREDICTOR_CACHE_SIZE = 32


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class ModelVersion:
    """One loaded version: its weights, predictors per input shape, batcher and statistics."""

    def __init__(
        self,
        name: str,
        config: ModelConfig,
        files: VersionFiles,
        num_threads: int,
        workers: int = 1,
    ) -> None:
        self.name = name
        self.version = files.version
        self.config = config.model_copy(deep=True)
        self.files = files
        self.stats = ModelStats()
        self.load_secs = 0.0
        self.batcher: DynamicBatcher | None = None
        self.signature = Signature(name, self.config, set())
        self._num_threads = num_threads
        self._workers = workers  # server processes sharing the cores, each with its instances
        self._select_outputs: list[str] = []
        self._cache: collections.OrderedDict[tuple[Any, ...], Any] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._model: Any = None
        self.output_names: list[str] = []
        self.mms_codec: Any = None  # the MMS routes' body codec (mms_codec.MmsCodec), set at load
        # protocol.plan caches: parsed request headers, and response headers' "outputs" part
        self.request_plans: dict[bytes, RequestPlan] = {}
        self.response_heads: dict[tuple[Any, ...], tuple[bytes, bytes]] = {}
        # grpc_service: where raw inputs lie and their check's result, per request signature
        self.grpc_layouts: dict[tuple[Any, ...], Any] = {}

    # -- loading (worker thread) --------------------------------------------------------------
    def load(self) -> None:
        t0 = time.perf_counter()
        symbol = self.files.symbol.read_bytes()
        params = self.files.params.read_bytes() if self.files.params else b""
        symbol, params = int8_model(self.config.parameters, self.files.symbol, symbol, params)
        self._model = _runtime.load_model(symbol, params)
        graph = GraphIO.of(self._model)
        cfg = self.config
        self.signature = Signature.reconcile(self.name, cfg, graph)
        wanted = [t.name for t in cfg.output]
        if wanted and not set(wanted) <= set(graph.outputs):
            self._select_outputs = wanted  # internal entries (feature extraction)
        self.output_names = wanted or graph.outputs
        if self.signature.fixed:
            self._resolve_outputs()
        elif not cfg.output:
            cfg.output = [TensorConfig(name=n) for n in self.output_names]
        warm_up(self)
        self.load_secs = time.perf_counter() - t0

    def _resolve_outputs(self) -> None:
        """Binds the inputs' dims (batch 1) to learn the outputs' dims and datatypes."""
        cfg = self.config
        batch = [1] if cfg.max_batch_size > 0 else []
        op = self.predictor_for({t.name: tuple(batch + t.dims) for t in cfg.input})
        self.output_names = [name for name, _, _ in op.outputs]
        given = {t.name: t for t in cfg.output}
        cfg.output = [
            TensorConfig(
                name=name,
                data_type=OIP_TO_CONFIG.get(NUMPY_TO_OIP.get(dtype, "FP32"), "TYPE_FP32"),
                dims=list(shape[1:] if cfg.max_batch_size > 0 else shape),
            )
            for name, shape, dtype in op.outputs
        ]
        for t in cfg.output:
            g = given.get(t.name)
            if g is not None and g.data_type != t.data_type:
                raise InvalidArgumentError(
                    f"config output '{t.name}' has data_type {g.data_type}, the model gives "
                    f"{t.data_type}"
                )

    def predictor_for(self, shapes: dict[str, tuple[int, ...]]) -> Any:
        """The runtime's ``CachedOp`` bound to these input shapes (cached; all share the loaded
        weights)."""
        key = tuple(sorted(shapes.items()))
        with self._lock:
            p = self._cache.get(key)
            if p is not None:
                self._cache.move_to_end(key)
                return p
            base = next(iter(self._cache.values()), None)
        if base is not None:
            p = base.reshape([(n, list(s)) for n, s in shapes.items()])
        else:
            dtypes = {t.name: t.numpy_dtype for t in self.config.input}
            threads = (
                int(self.config.parameters.get("num_threads", 0))
                or self._num_threads
                or max(1, _cores() // (self.config.instance_count * self._workers))
            )
            p = _runtime.CachedOp(
                self._model,
                [(n, list(s)) for n, s in shapes.items()],
                dtypes,
                list(self._select_outputs),
                threads,
                self.config.device,
                "float32" if self.config.compute_dtype == "int8" else self.config.compute_dtype,
            )
        with self._lock:
            self._cache[key] = p
            while len(self._cache) > PREDICTOR_CACHE_SIZE:
                self._cache.popitem(last=False)
        return p

    # -- requests -----------------------------------------------------------------------------
    def check_inputs(self, inputs: Inputs) -> tuple[int, tuple[Any, ...]]:
        """Validates names, dtypes and shapes (``Signature.check_specs``)."""
        return self.signature.check_inputs(inputs)

    def check_specs(self, specs: Specs) -> tuple[int, tuple[Any, ...]]:
        """``check_inputs`` on (dtype, shape) per input name, before any data is read."""
        return self.signature.check_specs(specs)

    def run(self, inputs: Inputs) -> Outputs:
        """One execution of checked inputs (``check_inputs``); the runtime's binding checks them
        against the bound shapes and dtypes, the authority, and no other check runs in Python."""
        op = self.predictor_for({n: tuple(a.shape) for n, a in inputs.items()})
        outs = op.forward([np.ascontiguousarray(inputs[name]) for name, _, _ in op.inputs])
        return {name: a for (name, _, _), a in zip(op.outputs, outs)}

    def execute(self, batch: Sequence[BatchRequest]) -> tuple[list[Outputs], Timings]:
        """Runs requests as one execution (in a batcher worker thread, or on the event loop)."""
        t0 = time.perf_counter_ns()
        inputs = concat_inputs(batch)
        op = self.predictor_for({n: tuple(a.shape) for n, a in inputs.items()})
        t1 = time.perf_counter_ns()
        outs = op.forward([np.ascontiguousarray(inputs[name]) for name, _, _ in op.inputs])
        t2 = time.perf_counter_ns()
        results = split_outputs({name: a for (name, _, _), a in zip(op.outputs, outs)}, batch)
        t3 = time.perf_counter_ns()
        return results, Timings(t1 - t0, t2 - t1, t3 - t2)

    def metadata(self, versions: list[int]) -> dict[str, Any]:
        batch = [-1] if self.config.max_batch_size > 0 else []

        def tensors(ts: list[TensorConfig]) -> list[dict[str, Any]]:
            return [
                {"name": t.name, "datatype": t.datatype, "shape": batch + list(t.dims)} for t in ts
            ]

        return {
            "name": self.name,
            "versions": [str(v) for v in versions],
            "platform": "mxnet_mxnet",
            "inputs": tensors(self.config.input),
            "outputs": tensors(self.config.output),
        }
