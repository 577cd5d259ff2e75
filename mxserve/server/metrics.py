# SPDX-License-Identifier: Apache-2.0
"""Prometheus metrics with Triton's names, one ``Metrics`` per app (no global registry).

Triton exposes its counters under bare names (``nv_inference_count``), while prometheus-client's
``Counter`` always exports ``<name>_total``. So the per-model counters are not ``Counter`` objects:
``ModelStats`` keeps plain numbers (also used by the ``/stats`` endpoint), and ``_StatsCollector``
is a custom collector (``registry.register(collector)``) that yields ``Metric`` families from them.
``render()`` writes any registry in the Prometheus text format 0.0.4 from those structured
families; the only difference from ``generate_latest`` is that counter families keep their own
name instead of gaining ``_total`` (and ``_created`` samples are left out, as Triton has none).
Histograms (request, queue, compute and batch size) are ordinary ``Histogram`` objects on the
same per-app registry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString as _float_to_go

from .gpu_metrics import GpuMetrics

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: Failure reasons, as Triton labels them.
REASONS = ("REJECTED", "CANCELED", "BACKEND", "OTHER")

LATENCY_BUCKETS_US = (
    50,
    100,
    250,
    500,
    1_000,
    2_500,
    5_000,
    10_000,
    25_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


@dataclass
class DurationStat:
    count: int = 0
    ns: int = 0

    def add(self, ns: int, n: int = 1) -> None:
        self.count += n
        self.ns += ns


@dataclass
class ModelStats:
    """Cumulative statistics of one model version (Triton's statistics extension fields)."""

    success: DurationStat = field(default_factory=DurationStat)
    fail: DurationStat = field(default_factory=DurationStat)
    queue: DurationStat = field(default_factory=DurationStat)
    compute_input: DurationStat = field(default_factory=DurationStat)
    compute_infer: DurationStat = field(default_factory=DurationStat)
    compute_output: DurationStat = field(default_factory=DurationStat)
    failures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    inference_count: int = 0
    execution_count: int = 0
    last_inference_ms: int = 0
    batch_stats: dict[int, tuple[DurationStat, DurationStat, DurationStat]] = field(
        default_factory=dict
    )

    def record_batch(self, batch_size: int, input_ns: int, infer_ns: int, output_ns: int) -> None:
        self.execution_count += 1
        self.inference_count += batch_size
        self.last_inference_ms = int(time.time() * 1000)
        row = self.batch_stats.setdefault(
            batch_size, (DurationStat(), DurationStat(), DurationStat())
        )
        row[0].add(input_ns)
        row[1].add(infer_ns)
        row[2].add(output_ns)

    def to_json(self, name: str, version: str) -> dict[str, object]:
        def d(s: DurationStat) -> dict[str, int]:
            return {"count": s.count, "ns": s.ns}

        return {
            "name": name,
            "version": version,
            "last_inference": self.last_inference_ms,
            "inference_count": self.inference_count,
            "execution_count": self.execution_count,
            "inference_stats": {
                "success": d(self.success),
                "fail": d(self.fail),
                "queue": d(self.queue),
                "compute_input": d(self.compute_input),
                "compute_infer": d(self.compute_infer),
                "compute_output": d(self.compute_output),
                "cache_hit": d(DurationStat()),
                "cache_miss": d(DurationStat()),
            },
            "batch_stats": [
                {
                    "batch_size": b,
                    "compute_input": d(r[0]),
                    "compute_infer": d(r[1]),
                    "compute_output": d(r[2]),
                }
                for b, r in sorted(self.batch_stats.items())
            ],
            "memory_usage": [],
        }


#: (model, version, stats, pending request count, load seconds) for every loaded model version.
StatsSource = Callable[[], Iterable[tuple[str, str, ModelStats, int, float]]]


def _family(name: str, doc: str, kind: str) -> Metric:
    return Metric(name, doc, kind)


class _StatsCollector(Collector):
    """Yields the per-model counters and gauges, Triton's names, from ModelStats."""

    def __init__(self, source: StatsSource) -> None:
        self._source = source
        self._cpu_prev: tuple[int, int] | None = None
        self._cpu_lock = threading.Lock()
        self._gpu = GpuMetrics()

    def collect(self) -> Iterator[Metric]:
        yield from self.collect_rows(list(self._source()))

    def collect_rows(
        self, rows: Iterable[tuple[str, str, ModelStats, int, float]]
    ) -> Iterator[Metric]:
        """The families of ``rows`` (this app's, or the sum over worker processes) and the CPU
        and memory gauges."""
        counters = {
            "nv_inference_request_success": "Number of successful inference requests, all batch sizes",
            "nv_inference_request_failure": "Number of failed inference requests, all batch sizes",
            "nv_inference_count": "Number of inferences performed (does not include cached requests)",
            "nv_inference_exec_count": "Number of model executions performed (does not include cached requests)",
            "nv_inference_request_duration_us": "Cumulative inference request duration in microseconds "
            "(includes cached requests)",
            "nv_inference_queue_duration_us": "Cumulative inference queuing duration in microseconds "
            "(includes cached requests)",
            "nv_inference_compute_input_duration_us": "Cumulative compute input duration in microseconds "
            "(does not include cached requests)",
            "nv_inference_compute_infer_duration_us": "Cumulative compute inference duration in microseconds "
            "(does not include cached requests)",
            "nv_inference_compute_output_duration_us": "Cumulative inference compute output duration in "
            "microseconds (does not include cached requests)",
        }
        fam = {n: _family(n, doc, "counter") for n, doc in counters.items()}
        pending = _family(
            "nv_inference_pending_request_count",
            "Instantaneous number of pending requests awaiting execution per-model.",
            "gauge",
        )
        load = _family("nv_model_load_duration_secs", "Model load time in seconds", "gauge")
        for model, version, s, n_pending, load_secs in rows:
            lab = {"model": model, "version": version}
            fam["nv_inference_request_success"].add_sample(
                "nv_inference_request_success", lab, s.success.count
            )
            for reason, n in s.failures.items():
                fam["nv_inference_request_failure"].add_sample(
                    "nv_inference_request_failure", {**lab, "reason": reason}, n
                )
            fam["nv_inference_count"].add_sample("nv_inference_count", lab, s.inference_count)
            fam["nv_inference_exec_count"].add_sample(
                "nv_inference_exec_count", lab, s.execution_count
            )
            for metric, stat in (
                ("request", s.success),
                ("queue", s.queue),
                ("compute_input", s.compute_input),
                ("compute_infer", s.compute_infer),
                ("compute_output", s.compute_output),
            ):
                name = f"nv_inference_{metric}_duration_us"
                fam[name].add_sample(name, lab, stat.ns // 1000)
            pending.add_sample(pending.name, lab, n_pending)
            load.add_sample(load.name, lab, load_secs)
        yield from fam.values()
        yield pending
        yield load
        yield from self._cpu_metrics()
        yield from self._gpu.collect()

    def _cpu_metrics(self) -> Iterator[Metric]:
        util = GaugeMetricFamily("nv_cpu_utilization", "CPU utilization rate [0.0 - 1.0]")
        total = GaugeMetricFamily("nv_cpu_memory_total_bytes", "CPU total memory (RAM), in bytes")
        used = GaugeMetricFamily("nv_cpu_memory_used_bytes", "CPU used memory (RAM), in bytes")
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
            busy_idle = (sum(fields) - fields[3] - fields[4], fields[3] + fields[4])
            with self._cpu_lock:
                prev, self._cpu_prev = self._cpu_prev, busy_idle
            if prev is not None:
                d_busy, d_idle = busy_idle[0] - prev[0], busy_idle[1] - prev[1]
                util.add_metric([], d_busy / (d_busy + d_idle) if d_busy + d_idle > 0 else 0.0)
            else:
                util.add_metric([], 0.0)
            mem: dict[str, int] = {}
            with open("/proc/meminfo") as f:
                for line in f:
                    key, _, rest = line.partition(":")
                    mem[key] = int(rest.split()[0]) * 1024
            total.add_metric([], mem.get("MemTotal", 0))
            used.add_metric([], mem.get("MemTotal", 0) - mem.get("MemAvailable", 0))
        except (OSError, ValueError, IndexError):  # not Linux: no CPU metrics, as Triton
            return
        yield util
        yield total
        yield used


class Metrics:
    """Every metric of one app, on its own registry (several apps may live in one process)."""

    def __init__(self, source: StatsSource, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=False)
        self.stats_collector = _StatsCollector(source)
        self.registry.register(self.stats_collector)
        labels = ("model", "version")

        def hist(name: str, doc: str, buckets: tuple[float, ...] = LATENCY_BUCKETS_US) -> Histogram:
            return Histogram(name, doc, labels, registry=self.registry, buckets=buckets)

        self.request_us = hist(
            "nv_inference_request_duration_histogram_us", "Inference request duration (µs)"
        )
        self.queue_us = hist(
            "nv_inference_queue_duration_histogram_us", "Time requests wait in the queue (µs)"
        )
        self.compute_input_us = hist(
            "nv_inference_compute_input_duration_histogram_us",
            "Batch assembly (input concatenation) time per execution (µs)",
        )
        self.compute_infer_us = hist(
            "nv_inference_compute_infer_duration_histogram_us",
            "Model execution time per execution (µs)",
        )
        self.compute_output_us = hist(
            "nv_inference_compute_output_duration_histogram_us",
            "Output split time per execution (µs)",
        )
        self.batch_size = hist(
            "nv_inference_batch_size", "Batch size of each model execution", BATCH_BUCKETS
        )
        #: In registration order, which is the exposition order.
        self.histograms = (
            self.request_us,
            self.queue_us,
            self.compute_input_us,
            self.compute_infer_us,
            self.compute_output_us,
            self.batch_size,
        )

        self._children: dict[tuple[str, str], ModelHistograms] = {}

    def for_model(self, model: str, version: str) -> ModelHistograms:
        """The histograms of one model version (label children cached: no lookup per request)."""
        key = (model, version)
        h = self._children.get(key)
        if h is None:
            h = ModelHistograms(*(m.labels(model, version) for m in self.histograms))
            self._children[key] = h
        return h

    def render(self) -> bytes:
        return render(self.registry)


@dataclass
class ModelHistograms:
    request_us: Histogram
    queue_us: Histogram
    compute_input_us: Histogram
    compute_infer_us: Histogram
    compute_output_us: Histogram
    batch_size: Histogram


def render(registry: CollectorRegistry) -> bytes:
    """The Prometheus text format (0.0.4) of ``registry``, counters under their own names."""
    out: list[str] = []
    for metric in registry.collect():
        kind = {"unknown": "untyped", "info": "gauge", "stateset": "gauge"}.get(
            metric.type, metric.type
        )
        doc = metric.documentation.replace("\\", r"\\").replace("\n", r"\n")
        out.append(f"# HELP {metric.name} {doc}\n# TYPE {metric.name} {kind}\n")
        for s in metric.samples:
            if s.name.endswith("_created"):
                continue
            if s.labels:
                labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(s.labels.items()))
                out.append(f"{s.name}{{{labels}}} {_go(s.value)}\n")
            else:
                out.append(f"{s.name} {_go(s.value)}\n")
    return "".join(out).encode()


def _go(v: float) -> str:
    return str(_float_to_go(v))  # type: ignore[no-untyped-call,unused-ignore]


def _escape(v: str) -> str:
    return v.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
