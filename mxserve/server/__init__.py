# SPDX-License-Identifier: Apache-2.0
"""The mxserve model server: KServe v2 / Triton over HTTP and gRPC, dynamic batching, metrics.

Import cost stays here, not in ``import mxserve``. Build an app with ``create_app(Settings(...))``.
"""

from __future__ import annotations

from .app import create_app
from .config import ModelConfig, Settings

__all__ = ["ModelConfig", "Settings", "create_app"]
