# SPDX-License-Identifier: Apache-2.0
"""Triton's GPU gauges (nv_gpu_utilization, nv_gpu_memory_total_bytes, nv_gpu_memory_used_bytes,
nv_gpu_power_usage, nv_gpu_power_limit), one sample per GPU labelled with its ``gpu_uuid``, read
from NVML through nvidia-ml-py (the ``cuda`` extra). Without nvidia-ml-py, an NVIDIA driver or a
GPU there are no GPU metrics, as in Triton on a CPU-only machine."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from prometheus_client.metrics_core import GaugeMetricFamily, Metric


class GpuMetrics:
    """Reads NVML on each scrape; NVML is initialised once, on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._nvml: Any = None
        self._tried = False

    def _init(self) -> Any:
        with self._lock:
            if not self._tried:
                self._tried = True
                try:
                    import pynvml  # nvidia-ml-py

                    pynvml.nvmlInit()
                    self._nvml = pynvml
                except Exception:  # no package, no driver or no GPU: no GPU metrics
                    self._nvml = None
            return self._nvml

    def collect(self) -> Iterator[Metric]:
        nvml = self._init()
        if nvml is None:
            return
        labels = ["gpu_uuid"]
        util = GaugeMetricFamily(
            "nv_gpu_utilization", "GPU utilization rate [0.0 - 1.0)", labels=labels
        )
        total = GaugeMetricFamily(
            "nv_gpu_memory_total_bytes", "GPU total memory, in bytes", labels=labels
        )
        used = GaugeMetricFamily(
            "nv_gpu_memory_used_bytes", "GPU used memory, in bytes", labels=labels
        )
        power = GaugeMetricFamily("nv_gpu_power_usage", "GPU power usage in watts", labels=labels)
        limit = GaugeMetricFamily(
            "nv_gpu_power_limit", "GPU power management limit in watts", labels=labels
        )
        try:
            for i in range(nvml.nvmlDeviceGetCount()):
                h = nvml.nvmlDeviceGetHandleByIndex(i)
                uuid = nvml.nvmlDeviceGetUUID(h)
                uuid = uuid.decode() if isinstance(uuid, bytes) else str(uuid)
                mem = nvml.nvmlDeviceGetMemoryInfo(h)
                util.add_metric([uuid], nvml.nvmlDeviceGetUtilizationRates(h).gpu / 100.0)
                total.add_metric([uuid], float(mem.total))
                used.add_metric([uuid], float(mem.used))
                power.add_metric([uuid], nvml.nvmlDeviceGetPowerUsage(h) / 1000.0)
                limit.add_metric([uuid], nvml.nvmlDeviceGetPowerManagementLimit(h) / 1000.0)
        except Exception:  # a GPU that stops answering drops the GPU metrics of this scrape
            return
        yield from (util, total, used, power, limit)
