# SPDX-License-Identifier: Apache-2.0
"""KL-divergence threshold search with MXNet 1.9.1's semantics (``_contrib_calibrate_entropy``,
used by ``_get_optimal_threshold``): for each candidate symmetric window of the histogram, the
clipped distribution ``p`` is compared with its ``num_quantized_bins``-level quantization ``q``,
both smoothed; the threshold of the smallest divergence wins. Arithmetic is float32 as in MXNet.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError


def _smooth(p: np.ndarray, eps: float = 0.0001) -> np.ndarray | None:
    zeros = p == 0
    n_zeros = int(zeros.sum())
    n_nonzeros = p.size - n_zeros
    if n_nonzeros == 0:
        return None
    eps1 = np.float32(eps * float(n_zeros) / float(n_nonzeros))
    if eps1 >= 1.0:
        return None
    return (p + np.where(zeros, np.float32(eps), -eps1)).astype(np.float32)


def optimal_threshold(
    hist: np.ndarray, hist_edges: np.ndarray, num_quantized_bins: int = 255
) -> tuple[float, float]:
    """(threshold, divergence) for a symmetric histogram with an odd number of bins."""
    hist = np.asarray(hist)
    edges = np.asarray(hist_edges, dtype=np.float32)
    num_bins = hist.size
    if num_bins % 2 != 1 or edges.size != num_bins + 1:
        raise InvalidArgumentError(
            f"entropy calibration needs an odd number of bins and one more edge; got {num_bins}"
            f" bins and {edges.size} edges"
        )
    counts = hist.astype(np.float32).astype(np.int64)
    cumsum = np.concatenate([[0], np.cumsum(counts)])
    zero = num_bins // 2
    half_q = num_quantized_bins // 2
    if zero < half_q:
        raise InvalidArgumentError(
            f"entropy calibration needs at least {num_quantized_bins} bins; got {num_bins}"
        )
    best_div = np.float32(np.finfo(np.float32).max)
    best_th = float(edges[zero + half_q + 1])
    for i in range(half_q, zero + 1):
        start, stop = zero - i, zero + i + 1
        width = stop - start
        sliced = counts[start:stop].copy()
        sliced[0] = 0  # MXNet folds bin `start` into p[0] and leaves it out of q
        p = sliced.astype(np.float32)
        p[0] = np.float32(cumsum[start + 1])
        p[-1] = np.float32(counts[stop - 1] + (cumsum[-1] - cumsum[stop]))
        merged = width // num_quantized_bins
        seg = np.minimum(np.arange(width) // merged, num_quantized_bins - 1)
        qbins = np.bincount(seg, weights=sliced, minlength=num_quantized_bins)
        norm = np.bincount(seg, weights=sliced != 0, minlength=num_quantized_bins)
        with np.errstate(divide="ignore", invalid="ignore"):
            level = (qbins.astype(np.float32) / norm.astype(np.float32)).astype(np.float32)
        q = np.where((p != 0) & (norm[seg] > 0), level[seg], np.float32(0)).astype(np.float32)
        ps, qs = _smooth(p), _smooth(q)
        if ps is None or qs is None:
            continue  # MXNet's divergence is +inf here: never the minimum
        # MXNet sums in float32 from left to right (std::accumulate); so does cumsum.
        ps = ps / np.cumsum(ps, dtype=np.float32)[-1]
        qs = qs / np.cumsum(qs, dtype=np.float32)[-1]
        div = np.cumsum(ps * np.log(ps / qs), dtype=np.float32)[-1]
        if div < best_div:
            best_div = div
            best_th = float(edges[stop])
    return best_th, float(best_div)
