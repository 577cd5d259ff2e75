# SPDX-License-Identifier: Apache-2.0
"""The model repository: finds, loads and unloads models; one failed model never stops others.

Layout (Triton's)::

    <repo>/<model>/config.json | config.yaml      optional; Triton ModelConfig field names
    <repo>/<model>/<version>/<prefix>-symbol.json  one exported MXNet model per numeric version dir
    <repo>/<model>/<version>/<prefix>-NNNN.params

``--model NAME=PATH`` adds a model from PATH: such a model directory, a directory holding the
symbol and params files directly (served as version 1), or a ``prefix`` of ``prefix-symbol.json``.
Without a config (or without ``input``/``output`` in it) inputs and outputs come from the graph.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import _runtime  # type: ignore[attr-defined,unused-ignore]
from ..errors import (
    InvalidArgumentError,
    ModelNotFoundError,
    ModelNotReadyError,
    NotFoundError,
    UnavailableError,
)
from ..predictor import Predictor
from .batching import (
    BatchRequest,
    DynamicBatcher,
    Inputs,
    Outputs,
    Timings,
    concat_inputs,
    split_outputs,
)
from .config import (
    MODEL_NAME,
    NUMPY_TO_OIP,
    OIP_OF_DTYPE,
    OIP_TO_CONFIG,
    PARAMS_FILE,
    ModelConfig,
    Settings,
    TensorConfig,
    read_model_config,
)
from .mar import read_mar
from .metrics import Metrics, ModelStats
from .protocol.plan import RequestPlan
from .warmup import warm_up

log = logging.getLogger("mxserve.server")

PREDICTOR_CACHE_SIZE = 32

READY, UNAVAILABLE, LOADING, UNLOADING = "READY", "UNAVAILABLE", "LOADING", "UNLOADING"


@dataclass
class VersionFiles:
    version: int
    symbol: Path
    params: Path | None


def _files_in(d: Path, version: int, epoch: int | None, prefix: str | None = None) -> VersionFiles:
    if prefix is None:
        symbols = sorted(d.glob("*-symbol.json"))
        if len(symbols) != 1:
            raise InvalidArgumentError(
                f"expected one *-symbol.json in {d}, found {[s.name for s in symbols]}"
            )
        prefix = symbols[0].name[: -len("-symbol.json")]
    symbol = d / f"{prefix}-symbol.json"
    if not symbol.is_file():
        raise NotFoundError(f"no {symbol}")
    params = {
        int(m["epoch"]): p
        for p in d.iterdir()
        if (m := PARAMS_FILE.match(p.name)) and m["prefix"] == prefix
    }
    if epoch is not None:
        if epoch not in params:
            raise NotFoundError(f"no {prefix}-{epoch:04d}.params in {d}")
        return VersionFiles(version, symbol, params[epoch])
    return VersionFiles(version, symbol, params[max(params)] if params else None)


def is_version(text: str) -> bool:
    """A version number as Triton writes them: ASCII digits only (``str.isdigit`` also takes
    other scripts' digits and superscripts, which ``int`` then rejects or reads differently)."""
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()


#: An absolute path in a message (a slash-separated run after whitespace, a quote or the start).
_ABS_PATH = re.compile(r"(?<![\w.~-])/(?:[^\s/'\"():,]+/)+([^\s/'\"():,]*)")


def public_reason(message: str, model_path: Path) -> str:
    """``message`` for clients: paths under the model's directory relative to it, any other
    absolute path reduced to its last component, at most 500 characters."""
    for base in {str(model_path.resolve()), str(model_path.absolute()), str(model_path)}:
        if base and base != "/":
            message = message.replace(base + "/", "").replace(base, model_path.name)
    message = _ABS_PATH.sub(lambda m: m[1] or "/", message)
    return message if len(message) <= 500 else message[:497] + "..."


def discover_versions(path: Path, epoch: int | None) -> list[VersionFiles]:
    """Every version a model path offers (before the version policy is applied)."""
    if path.is_dir():
        numbered = [p for p in path.iterdir() if p.is_dir() and is_version(p.name)]
        if numbered:
            out = []
            for p in sorted(numbered, key=lambda q: int(q.name)):
                if any(p.glob("*-symbol.json")):
                    out.append(_files_in(p, int(p.name), epoch))
            if not out:
                raise NotFoundError(f"no version directory of {path} holds a *-symbol.json")
            return out
        return [_files_in(path, 1, epoch)]
    prefix_dir, prefix = path.parent, path.name
    if (prefix_dir / f"{prefix}-symbol.json").is_file():
        return [_files_in(prefix_dir, 1, epoch, prefix)]
    raise NotFoundError(f"{path} is not a model directory or a symbol/params prefix")


def _graph_io(symbol_json: bytes, param_names: set[str]) -> tuple[list[TensorConfig], list[str]]:
    """Inputs (variables that are not parameters, with ``__shape__``/``__dtype__`` when the graph
    records them) and output names (MXNet's ``<node>_output``) read from the symbol JSON."""
    graph = json.loads(symbol_json)
    nodes = graph["nodes"]
    inputs = []
    for i in graph.get("arg_nodes", [i for i, n in enumerate(nodes) if n["op"] == "null"]):
        node = nodes[i]
        if node["name"] in param_names:
            continue
        attrs = node.get("attrs") or node.get("attr") or node.get("param") or {}
        dims = [-1]
        if "__shape__" in attrs:
            try:
                dims = [
                    int(d) if int(d) > 0 else -1
                    for d in json.loads(
                        attrs["__shape__"].replace("(", "[").replace(")", "]").replace(",]", "]")
                    )
                ]
            except (ValueError, TypeError):
                dims = [-1]
        inputs.append(TensorConfig(name=node["name"], dims=dims))
    outputs = []
    for head in graph["heads"]:
        node = nodes[head[0]]
        outputs.append(
            f"{node['name']}_output" if head[1] == 0 else f"{node['name']}_output{head[1]}"
        )
    return inputs, outputs


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
        self._num_threads = num_threads
        self._workers = workers  # server processes sharing the cores, each with its instances
        self._any_rank: set[str] = set()
        self._graph_outputs: list[str] = []
        self._select_outputs: list[str] = []
        self._cache: collections.OrderedDict[tuple[Any, ...], Predictor] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._model: Any = None
        self.output_names: list[str] = []
        # protocol.plan caches: parsed request headers, and response headers' "outputs" part
        self.request_plans: dict[bytes, RequestPlan] = {}
        self.response_heads: dict[tuple[Any, ...], tuple[bytes, bytes]] = {}

    # -- loading (worker thread) --------------------------------------------------------------
    def load(self) -> None:
        t0 = time.perf_counter()
        symbol = self.files.symbol.read_bytes()
        params = self.files.params.read_bytes() if self.files.params else b""
        self._model = _runtime.load_model(symbol, params)
        param_names = {n.split(":", 1)[-1] for n in self._model.param_names}
        graph_inputs, graph_outputs = _graph_io(symbol, param_names)
        cfg = self.config
        known = {t.name for t in graph_inputs}
        if cfg.input:
            for t in cfg.input:
                if t.name not in known:
                    raise InvalidArgumentError(
                        f"config input '{t.name}' is not an input of the graph (its inputs are {sorted(known)})"
                    )
            missing = known - {t.name for t in cfg.input}
            if missing:
                raise InvalidArgumentError(
                    f"config lists no entry for graph input(s) {sorted(missing)}"
                )
        else:
            for t in graph_inputs:
                if t.dims == [-1]:
                    self._any_rank.add(t.name)
                elif cfg.max_batch_size > 0:
                    t.dims = t.dims[1:]
            cfg.input = graph_inputs
        self._graph_outputs = graph_outputs
        wanted = [t.name for t in cfg.output]
        if wanted and not set(wanted) <= set(graph_outputs):
            self._select_outputs = wanted  # internal entries (feature extraction)
        self.output_names = wanted or graph_outputs
        if all(d > 0 for t in cfg.input for d in t.dims) and not self._any_rank:
            batch = [1] if cfg.max_batch_size > 0 else []
            p = self.predictor_for({t.name: tuple(batch + t.dims) for t in cfg.input})
            self.output_names = p.output_names
            dims = {
                n: list(s[1:] if cfg.max_batch_size > 0 else s)
                for n, s in zip(p.output_names, p.output_shapes)
            }
            types = {
                n: OIP_TO_CONFIG.get(NUMPY_TO_OIP.get(d, "FP32"), "TYPE_FP32")
                for n, d in zip(p.output_names, p.output_dtypes)
            }
            given = {t.name: t for t in cfg.output}
            cfg.output = [
                TensorConfig(name=n, data_type=types[n], dims=dims[n]) for n in p.output_names
            ]
            for t in cfg.output:
                g = given.get(t.name)
                if g is not None and g.data_type != t.data_type:
                    raise InvalidArgumentError(
                        f"config output '{t.name}' has data_type {g.data_type}, the model gives {t.data_type}"
                    )
        elif not cfg.output:
            cfg.output = [TensorConfig(name=n) for n in self.output_names]
        warm_up(self)
        self.load_secs = time.perf_counter() - t0

    def predictor_for(self, shapes: dict[str, tuple[int, ...]]) -> Predictor:
        """A predictor bound to these input shapes (cached; all share the loaded weights)."""
        key = tuple(sorted(shapes.items()))
        with self._lock:
            p = self._cache.get(key)
            if p is not None:
                self._cache.move_to_end(key)
                return p
            base = next(iter(self._cache.values()), None)
        if base is not None:
            p = base.reshape(shapes)
        else:
            dtypes = {t.name: t.numpy_dtype for t in self.config.input}
            threads = (
                int(self.config.parameters.get("num_threads", 0))
                or self._num_threads
                or max(1, _cores() // (self.config.instance_count * self._workers))
            )
            op = _runtime.CachedOp(
                self._model,
                [(n, list(s)) for n, s in shapes.items()],
                dtypes,
                list(self._select_outputs),
                threads,
                self.config.device,
                self.config.compute_dtype,
            )
            p = Predictor(None, None, {}, _cached_op=op)  # type: ignore[arg-type]
        with self._lock:
            self._cache[key] = p
            while len(self._cache) > PREDICTOR_CACHE_SIZE:
                self._cache.popitem(last=False)
        return p

    # -- requests -----------------------------------------------------------------------------
    def check_inputs(self, inputs: Inputs) -> tuple[int, tuple[Any, ...]]:
        """Validates names, dtypes and shapes; returns (batch size, batching key)."""
        return self.check_specs({n: (a.dtype, a.shape) for n, a in inputs.items()})

    def check_specs(
        self, specs: dict[str, tuple[np.dtype[Any], tuple[int, ...]]]
    ) -> tuple[int, tuple[Any, ...]]:
        """``check_inputs`` on (dtype, shape) per input name, before any data is read."""
        cfg = self.config
        expected = {t.name: t for t in cfg.input}
        for name in specs:
            if name not in expected:
                raise InvalidArgumentError(
                    f"unexpected inference input '{name}' for model '{self.name}'"
                )
        for name, t in expected.items():
            if name not in specs and not t.optional:
                raise InvalidArgumentError(
                    f"expected {len(expected)} inputs but got {len(specs)} inputs for "
                    f"model '{self.name}': missing input '{name}'"
                )
        batched = cfg.max_batch_size > 0
        batch_sizes = set()
        for name, (dtype, shape) in specs.items():
            t = expected[name]
            if dtype != t.dtype:
                raise InvalidArgumentError(
                    f"inference input '{name}' data-type is '{OIP_OF_DTYPE.get(dtype, dtype.name)}', "
                    f"but model '{self.name}' expects '{t.datatype}'"
                )
            if name in self._any_rank:
                if batched:
                    if not shape:
                        raise InvalidArgumentError(f"input '{name}' needs a batch dimension")
                    batch_sizes.add(shape[0])
                continue
            dims = ([-1] if batched else []) + t.dims
            if len(shape) != len(dims) or any(d != -1 and d != s for d, s in zip(dims, shape)):
                raise InvalidArgumentError(
                    f"unexpected shape for input '{name}' for model '{self.name}'. Expected {dims}, "
                    f"got {list(shape)}"
                )
            if batched:
                batch_sizes.add(shape[0])
        if not batched:
            key = tuple((n, tuple(s), d.str) for n, (d, s) in sorted(specs.items()))
            return 1, key
        if len(batch_sizes) > 1:
            raise InvalidArgumentError(
                f"inputs of model '{self.name}' have different batch sizes {sorted(batch_sizes)}"
            )
        batch = batch_sizes.pop() if batch_sizes else 1
        if not 1 <= batch <= cfg.max_batch_size:
            raise InvalidArgumentError(
                f"inference request batch-size must be <= {cfg.max_batch_size} for '{self.name}', got {batch}"
            )
        key = tuple((n, tuple(s[1:]), d.str) for n, (d, s) in sorted(specs.items()))
        return batch, key

    def execute(self, batch: Sequence[BatchRequest]) -> tuple[list[Outputs], Timings]:
        """Runs requests as one execution (in a worker thread)."""
        t0 = time.perf_counter_ns()
        inputs = concat_inputs(batch)
        p = self.predictor_for({n: tuple(a.shape) for n, a in inputs.items()})
        t1 = time.perf_counter_ns()
        outs = p(**{n: np.ascontiguousarray(a) for n, a in inputs.items()})
        t2 = time.perf_counter_ns()
        results = split_outputs(dict(zip(p.output_names, outs)), batch)
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


@dataclass
class ModelEntry:
    """A model of the repository: where it comes from and its loaded versions."""

    name: str
    path: Path
    state: str = UNAVAILABLE
    reason: str = "unloaded"
    versions: dict[int, ModelVersion] = field(default_factory=dict)
    renamed: bool = False  # registered under another name than its directory's (MMS model_name)
    fingerprint: object = None  # poll mode: the files' state when the model was last loaded
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ModelRepository:
    """Every model the server knows, with its load state. All methods run on the event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.models: dict[str, ModelEntry] = {}
        self.metrics: Metrics | None = None
        self.draining = False
        self._observers: list[Any] = []

    # -- discovery ----------------------------------------------------------------------------
    def scan(self) -> None:
        """Finds models in the model store and the ``--model`` list (nothing is loaded yet)."""
        for name, path in self.discover().items():
            if name not in self.models:
                self.models[name] = ModelEntry(name, path)
        for name, entry in self.models.items():
            if not MODEL_NAME.match(name):
                entry.reason = f"invalid model name '{name}'"

    def discover(self) -> dict[str, Path]:
        """Name -> path of every model the store and the ``--model`` list offer right now."""
        found: dict[str, Path] = {}
        store = self.settings.model_store
        if store is not None:
            if not store.is_dir():
                log.error("model store %s is not a directory", store)
            else:
                for d in sorted(store.iterdir()):
                    if d.name.startswith("."):
                        continue
                    if d.is_dir():
                        found[d.name] = d
                    elif d.is_file() and d.suffix == ".mar":  # an MMS archive
                        found[d.stem] = d
        for name, path in self.settings.models.items():
            found[name] = Path(path)
        return found

    def to_load_at_start(self) -> list[str]:
        if self.settings.model_control_mode != "explicit" or "*" in self.settings.load_models:
            return list(self.models)
        return [n for n in self.settings.load_models if n in self.models]

    # -- load / unload ------------------------------------------------------------------------
    async def load(self, name: str) -> ModelEntry:
        """Loads (or reloads) every version the policy selects; failures are recorded, not raised.

        A reload builds the new versions beside the old ones and swaps them in at once; the old
        batchers then finish what they hold."""
        entry = self.models.get(name)
        if entry is None:
            raise ModelNotFoundError(f"failed to load '{name}', no version is available")
        async with entry.lock:
            previous = dict(entry.versions)
            if not previous:
                entry.state, entry.reason = LOADING, ""
            try:
                if not MODEL_NAME.match(name):
                    raise InvalidArgumentError(f"invalid model name '{name}'")
                versions = await asyncio.to_thread(self._load_versions, entry)
            except Exception as e:  # the model stays unavailable; the server goes on
                entry.reason = public_reason(f"{type(e).__name__}: {e}", entry.path)
                if not previous:
                    entry.state = UNAVAILABLE
                log.error(
                    "failed to load model '%s': %s",
                    name,
                    entry.reason,
                    extra={"model": name, "event": "load_failed"},
                )
                return entry
            for mv in versions.values():
                mv.batcher = self._make_batcher(mv)
                mv.batcher.start()
            entry.versions = versions
            entry.state, entry.reason = READY, ""
            log.info(
                "loaded model '%s' versions %s",
                name,
                sorted(versions),
                extra={"model": name, "event": "loaded"},
            )
        for mv in previous.values():
            await self._retire(mv)
        return entry

    def _load_versions(self, entry: ModelEntry) -> dict[int, ModelVersion]:
        if entry.path.suffix == ".mar" and entry.path.is_file():
            mar = read_mar(entry.path)
            try:  # the weights are in memory once loaded: the extracted copy goes at once
                config = ModelConfig(name=entry.name, input=mar.inputs or [])
                return self._load_chosen(entry, config, [VersionFiles(1, mar.symbol, mar.params)])
            finally:
                shutil.rmtree(mar.directory, ignore_errors=True)
        config = (read_model_config(entry.path) if entry.path.is_dir() else None) or ModelConfig()
        if config.name and config.name != entry.name and not entry.renamed:
            raise InvalidArgumentError(
                f"config name '{config.name}' does not match the model's name '{entry.name}'"
            )
        return self._load_chosen(entry, config, discover_versions(entry.path, config.epoch))

    def _load_chosen(
        self, entry: ModelEntry, config: ModelConfig, available: list[VersionFiles]
    ) -> dict[int, ModelVersion]:
        config.name = entry.name
        chosen = set(config.version_policy.select([v.version for v in available]))
        if not chosen:
            raise NotFoundError(
                f"the version policy selects none of the versions {[v.version for v in available]}"
            )
        versions: dict[int, ModelVersion] = {}
        for files in available:
            if files.version in chosen:
                mv = ModelVersion(
                    entry.name, config, files, self.settings.num_threads, self.settings.workers
                )
                mv.load()
                versions[files.version] = mv
        return versions

    def _make_batcher(self, mv: ModelVersion) -> DynamicBatcher:
        cfg = mv.config

        def report(batch: Sequence[BatchRequest], t: Timings, error: BaseException | None) -> None:
            self._report(mv, batch, t, error)

        return DynamicBatcher(
            mv.execute, report, cfg.max_batch_size, cfg.dynamic_batching, cfg.instance_count
        )

    def _report(
        self,
        mv: ModelVersion,
        batch: Sequence[BatchRequest],
        t: Timings,
        error: BaseException | None,
    ) -> None:
        s = mv.stats
        if error is not None:  # the handlers count the failures
            return
        size = sum(r.batch_size for r in batch)
        s.record_batch(size, t.compute_input_ns, t.compute_infer_ns, t.compute_output_ns)
        h = self.metrics.for_model(mv.name, str(mv.version)) if self.metrics is not None else None
        for r in batch:
            q = r.started_ns - r.enqueued_ns
            s.queue.add(q)
            s.compute_input.add(t.compute_input_ns)
            s.compute_infer.add(t.compute_infer_ns)
            s.compute_output.add(t.compute_output_ns)
            if h is not None:
                h.queue_us.observe(q / 1000)
        if h is not None:
            h.compute_input_us.observe(t.compute_input_ns / 1000)
            h.compute_infer_us.observe(t.compute_infer_ns / 1000)
            h.compute_output_us.observe(t.compute_output_ns / 1000)
            h.batch_size.observe(size)

    async def _retire(self, mv: ModelVersion) -> None:
        if mv.batcher is not None:
            mv.batcher.close()
            await mv.batcher.drain()
            await mv.batcher.stop()

    async def unload(self, name: str) -> None:
        entry = self.models.get(name)
        if entry is None:
            raise ModelNotFoundError(f"failed to unload '{name}', no version is available")
        async with entry.lock:
            old, entry.versions = entry.versions, {}
            entry.state, entry.reason = UNLOADING, ""
            for mv in old.values():
                await self._retire(mv)
            entry.state, entry.reason = UNAVAILABLE, "unloaded"

    async def load_at_start(self) -> None:
        await asyncio.gather(*(self.load(n) for n in self.to_load_at_start()))

    async def close(self) -> None:
        """Stops every batcher; requests still queued or running are answered with DrainingError."""
        self.draining = True
        for mv in self.versions():
            if mv.batcher is not None:
                await mv.batcher.stop()

    # -- lookups ------------------------------------------------------------------------------
    def get(self, name: str, version: str | None = None) -> ModelVersion:
        """The ready version asked for (the highest ready one when ``version`` is empty)."""
        entry = self.models.get(name)
        if entry is None:
            raise ModelNotFoundError(f"Request for unknown model: '{name}' is not found")
        if version:
            mv = entry.versions.get(int(version)) if is_version(version) else None
            if mv is None:
                raise ModelNotFoundError(
                    f"Request for unknown model: '{name}' version {version} is not found"
                )
            return mv
        if not entry.versions:
            reason = f" ({entry.reason})" if entry.reason else ""
            raise ModelNotReadyError(
                f"Request for unknown model: '{name}' has no available versions{reason}"
            )
        return entry.versions[max(entry.versions)]

    def entry(self, name: str) -> ModelEntry:
        entry = self.models.get(name)
        if entry is None:
            raise ModelNotFoundError(f"Request for unknown model: '{name}' is not found")
        return entry

    def ready(self) -> bool:
        if self.draining:
            return False
        if self.settings.strict_readiness:
            wanted = set(self.to_load_at_start())
            return all(e.state == READY for n, e in self.models.items() if n in wanted)
        return True

    def index(self, ready_only: bool = False) -> list[dict[str, str]]:
        rows = []
        for name, e in sorted(self.models.items()):
            if e.versions:
                for v in sorted(e.versions):
                    rows.append({"name": name, "version": str(v), "state": READY, "reason": ""})
            elif not ready_only:
                rows.append({"name": name, "version": "", "state": e.state, "reason": e.reason})
        return rows if not ready_only else [r for r in rows if r["state"] == READY]

    def stats_rows(self) -> Iterator[tuple[str, str, ModelStats, int, float]]:
        for name, e in list(self.models.items()):
            for v, mv in list(e.versions.items()):
                yield name, str(v), mv.stats, mv.batcher.pending if mv.batcher else 0, mv.load_secs

    def versions(self) -> Iterator[ModelVersion]:
        for e in list(self.models.values()):
            yield from list(e.versions.values())

    # -- shutdown -----------------------------------------------------------------------------
    async def drain(self, timeout: float) -> bool:
        """Refuses new requests, then waits (at most ``timeout`` s) for queued and executing ones."""
        self.draining = True
        batchers = [mv.batcher for mv in self.versions() if mv.batcher is not None]
        for b in batchers:
            b.close()
        try:
            await asyncio.wait_for(asyncio.gather(*(b.drain() for b in batchers)), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    def require_explicit(self) -> None:
        if self.settings.model_control_mode != "explicit":
            raise UnavailableError(
                "explicit model load / unload is not allowed if polling is enabled or model "
                "control mode is 'none' (start with --model-control-mode explicit)"
            )
