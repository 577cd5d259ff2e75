# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures. The oracle environments (real MXNet) are created on first use."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["cpu"])
def device(request: pytest.FixtureRequest) -> str:
    """Devices to run on: cpu always (this build has no CUDA backend)."""
    return str(request.param)
