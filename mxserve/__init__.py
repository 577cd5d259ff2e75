# SPDX-License-Identifier: Apache-2.0
"""mxserve: run exported Apache MXNet models (symbol JSON + params) without MXNet."""

from __future__ import annotations

from . import _loader as _loader  # first: makes libdnnl.so.3 from the onednn wheel loadable
from . import errors, nd
from ._version import __version__
from .errors import (
    DeviceError,
    InvalidArgumentError,
    MXServeError,
    NotFoundError,
    UnsupportedError,
)
from .predictor import Predictor, supported_operators
from .quantization import quantize

__all__ = [
    "DeviceError",
    "InvalidArgumentError",
    "MXServeError",
    "NotFoundError",
    "Predictor",
    "UnsupportedError",
    "__version__",
    "errors",
    "nd",
    "quantize",
    "supported_operators",
]
