# SPDX-License-Identifier: Apache-2.0
"""GPU tests run only where the runtime was built with MXSERVE_WITH_CUDA=ON and a GPU is
present; everywhere else they are skipped with the reason naming what is missing (the text of
mxserve._runtime.cuda_unavailable_reason).

For the GPU check (benchmarks/gpu/run_device_check.sh), $MXSERVE_GPU_PROGRESS names a file that
gets a line per test started and finished. A CUDA fault that leaves the process's context unusable
(an illegal address, a failed launch: every later CUDA call of the process fails too) stops the
session after the test that met it, and the file says which; a crash leaves that test started and
not finished. With MXSERVE_GPU_RESUME=1 a new session skips every test the file shows started, so
the check goes on after the test that broke the context in a fresh process.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from mxserve import _runtime

#: Empty when cuda:0 can be used, else what is missing.
GPU_REASON = str(_runtime.cuda_unavailable_reason(0))

#: `pytestmark = needs_gpu` in a module skips its tests without a usable GPU.
needs_gpu = pytest.mark.skipif(bool(GPU_REASON), reason=GPU_REASON or "a GPU is present")

#: The CUDA errors after which every later CUDA call of the process fails, and the cuDNN and
#: cuBLAS statuses that report such a fault when it surfaces inside a library call.
STICKY_CUDA_ERROR = re.compile(
    r"cudaError(IllegalAddress|LaunchFailure|MisalignedAddress|IllegalInstruction|"
    r"InvalidAddressSpace|InvalidPc|HardwareStackError|Assert|LaunchTimeout|ECCUncorrectable)"
    r"|CUDNN_STATUS_EXECUTION_FAILED|CUBLAS_STATUS_EXECUTION_FAILED"
)


def _note(kind: str, nodeid: str) -> None:
    path = os.environ.get("MXSERVE_GPU_PROGRESS")
    if path:
        with open(path, "a") as f:
            f.write(f"{kind} {nodeid}\n")


def _progress(path: str, first_line: int = 0) -> list[tuple[str, str]]:
    with open(path) as f:
        lines = f.read().splitlines()[first_line:]
    return [(kind, nodeid) for kind, _, nodeid in (line.partition(" ") for line in lines) if nodeid]


def started_tests(path: str) -> set[str]:
    """The tests a progress file shows started."""
    return {nodeid for kind, nodeid in _progress(path) if kind == "start"}


def broken_test(path: str, first_line: int = 0) -> str:
    """The test that broke the session recorded from line `first_line` of a progress file: the
    one that crashed (started and never finished), else the last that met a sticky CUDA fault;
    "" when none did."""
    rows = _progress(path, first_line)
    done = {nodeid for kind, nodeid in rows if kind == "done"}
    crashed = [nodeid for kind, nodeid in rows if kind == "start" and nodeid not in done]
    sticky = [nodeid for kind, nodeid in rows if kind == "sticky"]
    return (crashed or sticky or [""])[-1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    path = os.environ.get("MXSERVE_GPU_PROGRESS")
    if os.environ.get("MXSERVE_GPU_RESUME") != "1" or not path or not os.path.exists(path):
        return
    done = started_tests(path)
    ran = [item for item in items if item.nodeid in done]
    if ran:
        config.hook.pytest_deselected(items=ran)
        items[:] = [item for item in items if item.nodeid not in done]


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    _note("start", nodeid)


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    _note("done", nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    error = str(call.excinfo.value) if call.excinfo is not None else ""
    if report.failed and STICKY_CUDA_ERROR.search(error):
        _note("sticky", item.nodeid)
        item.session.shouldstop = f"{item.nodeid} left the CUDA context unusable"
