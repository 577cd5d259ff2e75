# SPDX-License-Identifier: Apache-2.0
"""Per-tensor statistics over calibration batches, as MXNet 1.9.1's collectors gather them:
min/max (``calib_mode="naive"``) or a symmetric 8001-bin histogram that widens as larger
values arrive (``calib_mode="entropy"``, ``combine_histogram``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .entropy import optimal_threshold

NUM_BINS = 8001


class MinMaxCollector:
    """Running min and max of each named tensor."""

    def __init__(self) -> None:
        self.ranges: dict[str, tuple[float, float]] = {}

    def collect(self, name: str, arr: np.ndarray) -> None:
        lo, hi = float(np.min(arr)), float(np.max(arr))
        if name in self.ranges:
            old_lo, old_hi = self.ranges[name]
            lo, hi = min(old_lo, lo), max(old_hi, hi)
        self.ranges[name] = (lo, hi)

    def thresholds(self, quantized_dtype: str) -> dict[str, tuple[float, float]]:
        """The calibrated (min, max) of each tensor: its observed range."""
        return dict(self.ranges)


@dataclass
class Histogram:
    """A symmetric histogram over [-th, th] with the observed extremes."""

    hist: np.ndarray
    edges: np.ndarray
    min_val: float
    max_val: float
    th: float


class HistogramCollector:
    """Histogram of each named tensor, widened (keeping the bin width) when a later batch has
    larger magnitudes."""

    def __init__(self, num_bins: int = NUM_BINS) -> None:
        self.num_bins = num_bins
        self.hists: dict[str, Histogram] = {}

    def collect(self, name: str, arr: np.ndarray) -> None:
        lo, hi = np.min(arr), np.max(arr)
        th = max(abs(lo), abs(hi))
        old = self.hists.get(name)
        if old is None:
            hist, edges = np.histogram(arr, bins=self.num_bins, range=(-th, th))
            self.hists[name] = Histogram(hist, edges, float(lo), float(hi), float(th))
            return
        lo_all, hi_all = min(old.min_val, float(lo)), max(old.max_val, float(hi))
        if th <= old.th:
            hist, _ = np.histogram(arr, bins=len(old.hist), range=(-old.th, old.th))
            self.hists[name] = Histogram(old.hist + hist, old.edges, lo_all, hi_all, old.th)
            return
        n_old = len(old.hist)
        step = 2 * old.th / n_old
        half = int((th - old.th) // step + 1)
        n_new = half * 2 + n_old
        new_th = half * step + old.th
        hist, edges = np.histogram(arr, bins=n_new, range=(-new_th, new_th))
        hist[half : n_new - half] += old.hist
        self.hists[name] = Histogram(hist, edges, lo_all, hi_all, new_th)

    def thresholds(self, quantized_dtype: str) -> dict[str, tuple[float, float]]:
        """KL-optimal (min, max) of each tensor: (0, th) for a non-negative tensor when the
        dtype may be uint8, (-th, th) otherwise (MXNet's ``_get_optimal_thresholds``)."""
        out = {}
        for name, h in self.hists.items():
            unsigned = h.min_val >= 0 and quantized_dtype in ("auto", "uint8")
            bins = 255 * 2 + 1 if unsigned else 255
            th, _ = optimal_threshold(h.hist, h.edges, bins)
            out[name] = (0.0, th) if unsigned else (-th, th)
        return out
