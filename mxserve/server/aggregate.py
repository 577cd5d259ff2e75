# SPDX-License-Identifier: Apache-2.0
"""Statistics and metrics summed over the worker processes of ``mxserve serve --workers N``.

Every worker counts only what it served itself (its ``ModelStats`` and histograms). So each one
also listens on a private Unix socket (``worker-<i>.sock`` in a directory only the server's user
can open, see ``workers.py``), where ``GET /snapshot`` answers its numbers as JSON; the TCP
listeners never route there. A worker asked for ``/metrics`` or ``/v2/models/.../stats`` takes its
own snapshot, asks its siblings for theirs (all at once, each within ``timeout`` seconds; one that
does not answer, e.g. while it is being restarted, is left out with a warning) and merges them:

* counters, cumulative durations, histogram buckets, sums and counts, pending requests: summed;
* ``batch_stats``: summed per batch size;
* load duration and time of the last inference: the largest;
* the CPU and memory gauges: read once, by the worker that answers.

Counters never go backwards when a worker is replaced or stops answering. Every snapshot a
worker hands out (to a sibling, or into its own ``/metrics``) is first written to
``stats-<index>-<pid>.json`` in the private directory, so that file always holds at least every
number the process ever reported. The merge takes the live snapshots and, for every other file
(a dead process, or a sibling that did not answer in time), the numbers in the file, with
nothing pending. A dead worker's last numbers thus stay in the sums for as long as the server
runs; what it counted after its last snapshot was never reported and is not missed.

With one worker there is no Unix socket and no ``Aggregator``: the routers use their own numbers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.types import Receive, Scope, Send

from .metrics import DurationStat, Metrics, ModelStats, StatsSource, render

log = logging.getLogger("mxserve.server")

#: The routes of the private Unix socket.
SNAPSHOT_PATH = "/snapshot"
HEARTBEAT_PATH = "/heartbeat"

#: The file of one worker process's last snapshot, in the private directory.
STATS_FILE = re.compile(r"^stats-(\d+)-(\d+)\.json$")

#: ModelStats fields that are a DurationStat, serialised as ``[count, ns]``.
_DURATIONS = ("success", "fail", "queue", "compute_input", "compute_infer", "compute_output")

Row = tuple[str, str, ModelStats, int, float]


def stats_to_json(s: ModelStats) -> dict[str, Any]:
    """Every field of ``s`` (``ModelStats.to_json`` is Triton's view and leaves out the failure
    reasons); ``add_stats`` reads it back."""
    out: dict[str, Any] = {f: [getattr(s, f).count, getattr(s, f).ns] for f in _DURATIONS}
    out["failures"] = dict(s.failures)
    out["inference_count"] = s.inference_count
    out["execution_count"] = s.execution_count
    out["last_inference_ms"] = s.last_inference_ms
    out["batch_stats"] = {
        str(b): [[d.count, d.ns] for d in row] for b, row in sorted(s.batch_stats.items())
    }
    return out


def add_stats(total: ModelStats, j: dict[str, Any]) -> None:
    """Adds the ``stats_to_json`` numbers ``j`` to ``total`` (last inference: the later one)."""
    for f in _DURATIONS:
        count, ns = j[f]
        getattr(total, f).add(ns, count)
    for reason, n in j["failures"].items():
        total.failures[reason] = total.failures.get(reason, 0) + n
    total.inference_count += j["inference_count"]
    total.execution_count += j["execution_count"]
    total.last_inference_ms = max(total.last_inference_ms, j["last_inference_ms"])
    for b, parts in j["batch_stats"].items():
        row = total.batch_stats.setdefault(int(b), (DurationStat(), DurationStat(), DurationStat()))
        for d, (count, ns) in zip(row, parts):
            d.add(ns, count)


def snapshot(source: StatsSource, metrics: Metrics) -> dict[str, Any]:
    """This process's numbers: every model version's statistics, pending count and load time,
    and the samples of the histograms (``_created`` left out: a timestamp does not add up)."""
    return {
        "pid": os.getpid(),
        "models": [
            {"model": m, "version": v, "stats": stats_to_json(s), "pending": p, "load_secs": t}
            for m, v, s, p, t in source()
        ],
        "histograms": [
            {
                "name": family.name,
                "documentation": family.documentation,
                "samples": [
                    [x.name, x.labels, x.value]
                    for x in family.samples
                    if not x.name.endswith("_created")
                ],
            }
            for h in metrics.histograms
            for family in h.collect()
        ],
    }


@dataclass
class Merged:
    """The sum of several snapshots."""

    rows: list[Row]  # (model, version, stats, pending, load seconds), first-seen order
    histograms: list[Metric]  # in the order of the first snapshot that has each family

    def stats(self) -> dict[tuple[str, str], ModelStats]:
        return {(m, v): s for m, v, s, _, _ in self.rows}


def merge(snapshots: Iterable[dict[str, Any]]) -> Merged:
    """Sums ``snapshot()`` results (see the module docstring for what is summed, what is max)."""
    rows: dict[tuple[str, str], list[Any]] = {}
    families: dict[str, tuple[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]] = {}
    for snap in snapshots:
        for r in snap["models"]:
            row = rows.setdefault((r["model"], r["version"]), [ModelStats(), 0, 0.0])
            add_stats(row[0], r["stats"])
            row[1] += r["pending"]
            row[2] = max(row[2], r["load_secs"])
        for fam in snap["histograms"]:
            _, samples = families.setdefault(fam["name"], (fam["documentation"], {}))
            for name, labels, value in fam["samples"]:
                key = (name, tuple(sorted(labels.items())))
                samples[key] = samples.get(key, 0.0) + value
    histograms = []
    for name, (doc, samples) in families.items():
        family = Metric(name, doc, "histogram")
        for (sample, labels), value in samples.items():
            family.add_sample(sample, dict(labels), value)
        histograms.append(family)
    return Merged([(m, v, s, p, t) for (m, v), (s, p, t) in rows.items()], histograms)


class _Families(Collector):
    """A fixed list of metric families, so ``render()`` can write them."""

    def __init__(self, families: Sequence[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterator[Metric]:
        yield from self._families


class Aggregator:
    """One worker's view of all workers: merged ``/metrics`` and statistics, and the ASGI app
    of its private Unix socket (``GET /snapshot``).

    Args:
        source: this worker's statistics rows (``ModelRepository.stats_rows``).
        metrics: this worker's metrics (histograms, and the collector that writes the counters).
        siblings: the Unix socket paths of the other workers.
        timeout: seconds to wait for a sibling's snapshot before leaving it out.
        directory: the private directory where every worker keeps its last snapshot (None: no
            files, the sums cover the live workers only).
        index: this worker's index (names its snapshot file).
    """

    def __init__(
        self,
        source: StatsSource,
        metrics: Metrics,
        siblings: Sequence[str],
        timeout: float = 2.0,
        directory: str | None = None,
        index: int = 0,
    ) -> None:
        self.source = source
        self.metrics = metrics
        self.siblings = list(siblings)
        self.timeout = timeout
        self.directory = directory
        self.index = index

    def snapshot(self) -> dict[str, Any]:
        """This process's numbers, written to its snapshot file before anyone sees them."""
        snap = snapshot(self.source, self.metrics)
        if self.directory is not None:
            path = os.path.join(self.directory, f"stats-{self.index}-{snap['pid']}.json")
            tmp = f"{path}.tmp"
            with open(tmp, "w") as f:
                json.dump(snap, f)
            os.replace(tmp, path)
        return snap

    async def gather(self) -> list[dict[str, Any]]:
        """This worker's snapshot, those of the siblings that answered in time, and the last
        snapshots of every other process (dead, or not answering) from their files."""
        own = self.snapshot()
        others = [s for s in await asyncio.gather(*(self._fetch(p) for p in self.siblings)) if s]
        live = {own["pid"], *(s.get("pid") for s in others)}
        return [own, *others, *self._kept(live)]

    def _kept(self, live: set[Any]) -> list[dict[str, Any]]:
        """The snapshot files of processes not in ``live``, with nothing pending."""
        if self.directory is None:
            return []
        kept = []
        for name in sorted(os.listdir(self.directory)):
            m = STATS_FILE.match(name)
            if m is None or int(m[2]) in live:
                continue
            try:
                with open(os.path.join(self.directory, name)) as f:
                    snap = json.load(f)
            except (OSError, ValueError):  # replaced or removed meanwhile
                continue
            for row in snap.get("models", []):
                row["pending"] = 0
            kept.append(snap)
        return kept

    async def merged(self) -> Merged:
        return merge(await self.gather())

    async def model_stats(self) -> dict[tuple[str, str], ModelStats]:
        """Statistics per (model, version) summed over the workers."""
        return (await self.merged()).stats()

    async def render(self) -> bytes:
        """``/metrics`` summed over the workers, in the same format and order as one worker's."""
        return self.render_merged(await self.merged())

    def render_merged(self, merged: Merged) -> bytes:
        """The text of ``merged``, plus this process's reading of the CPU and memory gauges."""
        families = [*self.metrics.stats_collector.collect_rows(merged.rows), *merged.histograms]
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Families(families))
        return render(registry)

    async def _fetch(self, path: str) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(_get_json(path, SNAPSHOT_PATH), self.timeout)
        except (OSError, asyncio.TimeoutError, ValueError) as e:
            log.warning(
                "worker socket %s gave no snapshot (%s); its numbers are left out",
                path,
                str(e) or type(e).__name__,
                extra={"event": "snapshot_skipped"},
            )
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The private Unix socket's app: ``GET /snapshot`` and nothing else."""
        if scope["type"] != "http":
            return
        if scope["path"] == SNAPSHOT_PATH and scope["method"] == "GET":
            body, status = json.dumps(self.snapshot()).encode(), 200
        elif scope["path"] == HEARTBEAT_PATH and scope["method"] == "GET":
            body, status = b'{"alive":true}', 200  # answered by the event loop: it runs
        else:
            body, status = b'{"error":"Not Found"}', 404
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _get_json(path: str, target: str) -> dict[str, Any]:
    """``GET target`` over the Unix socket ``path``; HTTP/1.0, so the server closes after its
    answer and the body is whatever follows the header."""
    reader, writer = await asyncio.open_unix_connection(path)
    try:
        writer.write(f"GET {target} HTTP/1.0\r\nHost: mxserve-worker\r\n\r\n".encode())
        data = await reader.read()
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    if status_line.split(" ")[1:2] != ["200"]:
        raise ValueError(f"answer '{status_line}'")
    result = json.loads(body)
    if not isinstance(result, dict):
        raise ValueError("the snapshot is not a JSON object")
    return result
