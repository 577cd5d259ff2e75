# SPDX-License-Identifier: Apache-2.0
"""GPU tests run only where the runtime was built with MXSERVE_WITH_CUDA=ON and a GPU is
present; everywhere else they are skipped with the reason naming what is missing (the text of
mxserve._runtime.cuda_unavailable_reason)."""

from __future__ import annotations

import pytest

from mxserve import _runtime

#: Empty when cuda:0 can be used, else what is missing.
GPU_REASON = str(_runtime.cuda_unavailable_reason(0))

#: `pytestmark = needs_gpu` in a module skips its tests without a usable GPU.
needs_gpu = pytest.mark.skipif(bool(GPU_REASON), reason=GPU_REASON or "a GPU is present")
