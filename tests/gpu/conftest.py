# SPDX-License-Identifier: Apache-2.0
"""GPU tests run only where the runtime was built with MXSERVE_WITH_CUDA=ON and a GPU is
present; everywhere else each test is skipped with the reason naming what is missing."""

from __future__ import annotations

import pytest

from mxserve import _runtime


def cuda_unavailable_reason() -> str:
    """Empty when cuda:0 can be used, else what is missing."""
    return str(_runtime.cuda_unavailable_reason(0))


@pytest.fixture(autouse=True)
def _needs_gpu() -> None:
    reason = cuda_unavailable_reason()
    if reason:
        pytest.skip(reason)
