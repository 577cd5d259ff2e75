# SPDX-License-Identifier: Apache-2.0
"""The load/unload lifecycle of the repository's models; one failed model never stops others.

``ModelRepository`` holds every model the store offers (``layout.scan_store``) with its state
(READY, UNAVAILABLE, LOADING, UNLOADING) and its loaded versions (``instances.ModelVersion``).
A load builds every version the config's ``version_policy`` selects in a worker thread and swaps
them in at once; a reload leaves the old versions serving until the new ones are ready, and the
old batchers then finish what they hold. ``drain`` and ``close`` end the server's life.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import (
    InvalidArgumentError,
    ModelNotFoundError,
    ModelNotReadyError,
    NotFoundError,
    UnavailableError,
)
from .batching import BatchRequest, DynamicBatcher, Timings
from .config import MODEL_NAME, ImagePreprocess, ModelConfig, Settings, read_model_config
from .image_input import load_labels
from .instances import ModelVersion
from .layout import VersionFiles, discover_versions, is_version, public_reason, scan_store
from .mar import read_mar
from .metrics import ModelStats
from .mms_codec import MmsCodec

log = logging.getLogger("mxserve.server")

READY, UNAVAILABLE, LOADING, UNLOADING = "READY", "UNAVAILABLE", "LOADING", "UNLOADING"

#: (version, batch, timings, error or None) after each execution.
ExecutionReport = Callable[
    [ModelVersion, Sequence[BatchRequest], Timings, BaseException | None], None
]


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
        #: Called on the event loop after every execution (the data plane's statistics).
        self.on_execution: ExecutionReport | None = None
        self.draining = False
        #: True once the models to load at start have been tried (loaded or failed): until then
        #: the server listens and answers, but is not ready.
        self.loaded = False
        self._loaded = asyncio.Event()
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
        return scan_store(self.settings)

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
            log.info("loading model '%s'", name, extra={"model": name, "event": "loading"})
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
                config = ModelConfig(
                    name=entry.name,
                    input=mar.inputs or [],
                    image_preprocess=ImagePreprocess() if mar.image_input else None,
                )
                files = [VersionFiles(1, mar.symbol, mar.params)]
                return self._load_chosen(entry, config, files, mar.labels)
            finally:
                shutil.rmtree(mar.directory, ignore_errors=True)
        config = (read_model_config(entry.path) if entry.path.is_dir() else None) or ModelConfig()
        if config.name and config.name != entry.name and not entry.renamed:
            raise InvalidArgumentError(
                f"config name '{config.name}' does not match the model's name '{entry.name}'"
            )
        return self._load_chosen(entry, config, discover_versions(entry.path, config.epoch))

    def _load_chosen(
        self,
        entry: ModelEntry,
        config: ModelConfig,
        available: list[VersionFiles],
        archive_labels: list[str] | None = None,
    ) -> dict[int, ModelVersion]:
        """Loads the selected versions. Label files (``label_filename``, ``synset.txt``) are read
        from the model directory, or ``archive_labels`` (an archive's synset.txt) label the first
        output; the MMS routes' codec of each version is built here, so that a bad label file
        fails the load rather than the requests."""
        config.name = entry.name
        labels = (
            None
            if archive_labels
            else load_labels(config, entry.path if entry.path.is_dir() else None)
        )
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
                mv.mms_codec = MmsCodec(
                    mv.name,
                    mv.config,
                    mv.output_names,
                    labels if labels is not None else {mv.output_names[0]: archive_labels or []},
                )
                versions[files.version] = mv
        return versions

    def _make_batcher(self, mv: ModelVersion) -> DynamicBatcher:
        cfg = mv.config

        def report(batch: Sequence[BatchRequest], t: Timings, error: BaseException | None) -> None:
            if self.on_execution is not None:
                self.on_execution(mv, batch, t, error)

        return DynamicBatcher(
            mv.execute, report, cfg.max_batch_size, cfg.dynamic_batching, cfg.instance_count
        )

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
        try:
            await asyncio.gather(*(self.load(n) for n in self.to_load_at_start()))
        finally:
            self.loaded = True
            self._loaded.set()

    async def wait_loaded(self) -> None:
        """Returns once the start-up loads are done: a request that arrives while the server
        (or a restarted worker, which gets connections at once) still loads waits for them."""
        if not self.loaded:
            await self._loaded.wait()

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
        if self.draining or not self.loaded:
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
        """Refuses new requests, then waits (at most ``timeout`` s) for queued and executing
        ones."""
        self.draining = True
        batchers = [mv.batcher for mv in self.versions() if mv.batcher is not None]
        for b in batchers:
            b.close()
        try:
            await asyncio.wait_for(asyncio.gather(*(b.drain() for b in batchers)), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    async def load_requested(self, name: str, parameters: dict[str, Any]) -> None:
        """The model repository extension's load (HTTP and gRPC): explicit mode only, no
        ``config``/``file:`` parameters; a model that fails to load is an error with its reason."""
        self.require_explicit()
        if any(k.startswith("file:") for k in parameters) or "config" in parameters:
            raise InvalidArgumentError(
                "load parameters ('config', 'file:...') are not accepted by this server; "
                "put the model and its config in the model repository"
            )
        self.scan()
        entry = await self.load(name)
        if entry.state != READY:
            raise InvalidArgumentError(f"failed to load '{name}': {entry.reason}")

    async def unload_requested(self, name: str) -> None:
        """The model repository extension's unload (explicit mode only)."""
        self.require_explicit()
        await self.unload(name)

    def require_explicit(self) -> None:
        if self.settings.model_control_mode != "explicit":
            raise UnavailableError(
                "explicit model load / unload is not allowed if polling is enabled or model "
                "control mode is 'none' (start with --model-control-mode explicit)"
            )
