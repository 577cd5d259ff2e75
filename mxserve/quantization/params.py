# SPDX-License-Identifier: Apache-2.0
"""The params file of a quantized graph, as MXNet 1.9.1's ``_quantize_params`` writes it:
float32 parameters kept, FullyConnected weights and biases quantized offline to int8 with
their ranges (``<w>_quantize``, ``<w>_quantize_min``, ``<w>_quantize_max``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import InvalidArgumentError
from .graph import Graph


def quantize_int8(x: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Zero-centred int8 quantization over [-r, r], r = max|x| (MXNet's ``_contrib_quantize``
    with ``out_type="int8"``): round half away from zero, saturate at ±127; a zero range gives
    ±127 as MXNet's arithmetic does."""
    x = np.asarray(x, dtype=np.float32)
    r = np.float32(max(abs(float(x.min())), abs(float(x.max())))) if x.size else np.float32(0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = np.float32(127.0) / r
        v = np.abs(x) * scale + np.float32(0.5)
    v = np.where(v < np.float32(127), v, np.float32(127))  # NaN compares false: 127
    sign = np.where(x < 0, np.float32(-1), np.float32(1))
    return np.trunc(sign * v).astype(np.int8), -float(r), float(r)


def quantized_params(
    graph: Graph, params: Mapping[str, np.ndarray], offline: Mapping[str, str]
) -> dict[str, np.ndarray]:
    """Arrays of the quantized graph keyed ``arg:NAME`` / ``aux:NAME``, in graph order.

    `params` holds the float32 model's arrays with their ``arg:``/``aux:`` prefixes; `offline`
    maps each ``<w>_quantize`` variable to the parameter it quantizes.
    """
    plain = {
        k.split(":", 1)[-1]: (k.split(":", 1)[0] if ":" in k else "arg", v)
        for k, v in params.items()
    }
    out: dict[str, np.ndarray] = {}
    done: set[str] = set()
    for node in graph.topo():
        if not node.is_variable or node.name in done:
            continue
        done.add(node.name)
        name = node.name
        if name in offline:
            src = offline[name]
            if src not in plain:
                raise InvalidArgumentError(f"parameter '{src}' is missing from the params")
            q, lo, hi = quantize_int8(plain[src][1])
            out[f"arg:{name}"] = q
            out[f"arg:{name}_min"] = np.array([lo], np.float32)
            out[f"arg:{name}_max"] = np.array([hi], np.float32)
        elif name in plain:
            kind, arr = plain[name]
            out[f"{kind}:{name}"] = arr
    # MXNet writes every arg first, then every aux.
    return {k: v for k, v in out.items() if k.startswith("arg:")} | {
        k: v for k, v in out.items() if k.startswith("aux:")
    }
