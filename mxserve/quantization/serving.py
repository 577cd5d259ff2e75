# SPDX-License-Identifier: Apache-2.0
"""The server's int8 model-config field: ``parameters: {dtype: int8, calibration: FILE}``
quantizes the float32 model at load time (see docs/quantization.md)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InvalidArgumentError, NotFoundError


def check_int8_parameters(parameters: Mapping[str, Any]) -> None:
    """Rejects an int8 config without a calibration file or with unknown quantization
    settings (``calibration_mode``: naive / entropy; ``quantized_dtype``: auto / int8 /
    uint8)."""
    if parameters.get("dtype") != "int8":
        return
    calib = parameters.get("calibration")
    if not isinstance(calib, str) or not calib:
        raise ValueError(
            "parameters.dtype 'int8' needs parameters.calibration: an .npz file "
            "in the model directory"
        )
    if parameters.get("calibration_mode", "naive") not in ("naive", "entropy"):
        raise ValueError(
            "parameters.calibration_mode must be 'naive' or 'entropy', got "
            f"{parameters['calibration_mode']!r}"
        )
    if parameters.get("quantized_dtype", "auto") not in ("auto", "int8", "uint8"):
        raise ValueError(
            "parameters.quantized_dtype must be 'auto', 'int8' or 'uint8', got "
            f"{parameters['quantized_dtype']!r}"
        )


def int8_model(
    parameters: Mapping[str, Any], symbol_path: Path, symbol: bytes, params: bytes
) -> tuple[bytes, bytes]:
    """The quantized (symbol, params) of a model whose config asks for int8; the float32 ones
    otherwise. The calibration file is looked up beside the symbol, then in the model
    directory above the version folder."""
    if parameters.get("dtype") != "int8":
        return symbol, params
    from .api import quantize

    name = str(parameters["calibration"])
    candidates = [symbol_path.parent / name, symbol_path.parent.parent / name]
    calib = next((c for c in candidates if c.is_file()), None)
    if calib is None:
        raise NotFoundError(
            f"calibration file '{name}' not found (looked in {[str(c.parent) for c in candidates]})"
        )
    try:
        q = quantize(
            (symbol, params),
            str(calib),
            mode=str(parameters.get("calibration_mode", "naive")),
            quantized_dtype=str(parameters.get("quantized_dtype", "auto")),
            progress=False,
        )
    except InvalidArgumentError as e:
        raise InvalidArgumentError(f"int8 quantization failed: {e}") from None
    return q.symbol.encode(), q.params_bytes()
