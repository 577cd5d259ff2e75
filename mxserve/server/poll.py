# SPDX-License-Identifier: Apache-2.0
"""``--model-control-mode poll``: the repository follows the model store's files, as Triton's
poll mode does.

Every ``--repository-poll-secs`` seconds the store is scanned again. A model that appeared is
loaded; one whose directory (or ``.mar``) disappeared is unloaded and forgotten; one whose files
changed -- config, version directories, symbol or params, by name, size and modification time --
is reloaded (the new versions are built beside the old ones and swapped in, so requests keep
being served; a reload that fails leaves the old versions serving). Models given with ``--model``
are polled the same way. With ``--workers`` every worker polls on its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from .lifecycle import ModelEntry, ModelRepository

log = logging.getLogger("mxserve.server")

Fingerprint = tuple[tuple[str, int, int], ...]

#: How deep below a model's directory files count (model/config.json, model/1/x.params).
_DEPTH = 2


def fingerprint(path: Path) -> Fingerprint:
    """(relative name, size, mtime) of the files that make up a model; empty when it is gone."""
    entries: list[tuple[str, int, int]] = []

    def add(p: Path, rel: str) -> None:
        try:
            st = p.stat()
        except OSError:  # removed meanwhile
            return
        entries.append((rel, st.st_size, st.st_mtime_ns))

    if path.is_file():
        add(path, path.name)
    elif path.is_dir():
        base = len(path.parts)
        for root, dirs, files in os.walk(path):
            depth = len(Path(root).parts) - base
            if depth >= _DEPTH:
                dirs[:] = []
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for f in files:
                if not f.startswith("."):
                    p = Path(root) / f
                    add(p, str(p.relative_to(path)))
    else:  # a symbol prefix given with --model
        for p in path.parent.glob(f"{path.name}-*"):
            add(p, p.name)
    return tuple(sorted(entries))


def fingerprint_all(repo: ModelRepository) -> None:
    """Records the files of every known model (before they are loaded at start)."""
    for entry in repo.models.values():
        entry.fingerprint = fingerprint(entry.path)


async def poll_once(repo: ModelRepository) -> None:
    """One scan: load what appeared or changed, unload what disappeared."""
    if repo.draining:
        return
    found = await asyncio.to_thread(repo.discover)
    for name in [n for n in repo.models if n not in found]:
        log.info("model '%s' left the repository: unloading", name, extra={"model": name})
        await repo.unload(name)
        repo.models.pop(name, None)
    for name, path in found.items():
        entry = repo.models.get(name)
        fp = await asyncio.to_thread(fingerprint, path)
        if entry is None:
            entry = repo.models[name] = ModelEntry(name, path)
            log.info("model '%s' appeared in the repository: loading", name, extra={"model": name})
        elif entry.path == path and entry.fingerprint == fp:
            continue
        else:
            log.info("model '%s' changed: reloading", name, extra={"model": name})
        entry.path = path
        entry.fingerprint = fp
        await repo.load(name)


async def poll_forever(repo: ModelRepository, interval_s: float) -> None:
    """Polls until cancelled; a failing scan is logged and retried at the next interval."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await poll_once(repo)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("repository poll failed")
