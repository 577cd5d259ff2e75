# SPDX-License-Identifier: Apache-2.0
"""Post-training quantization into MXNet 1.9.1's quantized graph format (see
docs/quantization.md): :func:`quantize` calibrates a float32 model with mxserve's own
Predictor and writes the graph MXNet's ``quantize_net`` writes on CPU."""

from __future__ import annotations

from .api import MODES, QuantizedModel, quantize

__all__ = ["MODES", "QuantizedModel", "quantize"]
