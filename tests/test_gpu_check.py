# SPDX-License-Identifier: Apache-2.0
"""The GPU check's recovery (tests/gpu/conftest.py, used by benchmarks/gpu/run_device_check.sh),
without a GPU: a test that meets a CUDA fault leaving the context unusable stops its session, a
crash ends it, and a resumed session skips every test the progress file shows started, so the
check goes on in a fresh process after the test that broke it."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
from gpu.conftest import broken_test

TESTS = pathlib.Path(__file__).resolve().parent
GPU_TESTS = TESTS.parent / "benchmarks" / "gpu" / "gpu_tests.sh"

MODULE = """
import os
import pytest

def test_a():
    pass

def test_b():
    if os.environ["BREAK"] == "sticky":
        raise RuntimeError("CUDA error in cudaStreamSynchronize: cudaErrorIllegalAddress "
                           "(an illegal memory access was encountered) debug sync "
                           + os.environ.get("MXSERVE_DEBUG_SYNC", "off"))
    if os.environ["BREAK"] == "crash":
        os._exit(134)
    assert os.environ["BREAK"] != "plain", "an ordinary failure"

def test_c():
    pass

@pytest.mark.parametrize("case", ["1.9.1/conv"])
def test_d(case):
    pass
"""

HOOKS = (
    "from gpu.conftest import pytest_collection_modifyitems, pytest_runtest_logfinish, "
    "pytest_runtest_logstart, pytest_runtest_makereport  # noqa: F401\n"
)


@pytest.fixture
def suite(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(HOOKS)
    (tmp_path / "test_mod.py").write_text(MODULE)
    return tmp_path


def _env(suite: pathlib.Path, brk: str, **extra: str) -> dict[str, str]:
    """The synthetic suite's environment: how test_b breaks, where progress goes, gpu.conftest
    importable."""
    return dict(
        os.environ,
        BREAK=brk,
        MXSERVE_GPU_PROGRESS=str(suite / "progress.txt"),
        PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        **extra,
    )


def _run(
    suite: pathlib.Path, brk: str, resume: bool, *args: str
) -> subprocess.CompletedProcess[str]:
    env = _env(suite, brk, MXSERVE_GPU_RESUME="1" if resume else "0")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-v",
            *(args or ["test_mod.py"]),
        ],
        cwd=suite,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _ran(out: str) -> list[str]:
    return [
        line.split()[0].split("::")[1]
        for line in out.splitlines()
        if " PASSED" in line or " FAILED" in line
    ]


def test_sticky_fault_stops_and_resume_goes_on(suite: pathlib.Path) -> None:
    first = _run(suite, "sticky", resume=False)
    assert first.returncode == 2, first.stdout  # interrupted
    assert _ran(first.stdout) == ["test_a", "test_b"], first.stdout
    assert "test_mod.py::test_b left the CUDA context unusable" in first.stdout
    progress = suite / "progress.txt"
    assert broken_test(str(progress)) == "test_mod.py::test_b"
    seen = len(progress.read_text().splitlines())
    second = _run(suite, "sticky", resume=True)
    assert second.returncode == 0, second.stdout
    assert _ran(second.stdout) == ["test_c", "test_d[1.9.1/conv]"], second.stdout
    assert "2 deselected" in second.stdout
    assert broken_test(str(progress), seen) == ""


def test_ordinary_failure_does_not_stop_the_session(suite: pathlib.Path) -> None:
    run = _run(suite, "plain", resume=False)
    assert run.returncode == 1, run.stdout
    assert _ran(run.stdout) == ["test_a", "test_b", "test_c", "test_d[1.9.1/conv]"], run.stdout
    assert broken_test(str(suite / "progress.txt")) == ""


def test_one_broken_test_runs_alone_by_its_id(suite: pathlib.Path) -> None:
    # The diagnosis reruns the broken test by its node id, parametrised ids with slashes too.
    run = _run(suite, "none", False, "-x", str(suite / "test_mod.py") + "::test_d[1.9.1/conv]")
    assert run.returncode == 0, run.stdout
    assert _ran(run.stdout) == ["test_d[1.9.1/conv]"], run.stdout


@pytest.mark.parametrize("brk", ["sticky", "crash"])
def test_gpu_tests_script_goes_on_after_a_broken_context(suite: pathlib.Path, brk: str) -> None:
    log = suite / "tests.log"
    env = _env(
        suite,
        brk,
        PYTHON=sys.executable,
        MXSERVE_GPU_PYTEST_ROOT=str(suite),
        MXSERVE_GPU_PYTEST_CONFIG=str(suite / "pytest.ini"),
    )
    run = subprocess.run(
        ["bash", str(GPU_TESTS), "200", str(log), str(suite / "test_mod.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    summary = run.stdout
    assert "round 1 broke the CUDA context in test_mod.py::test_b" in summary, summary
    assert "round 2: pytest exit 0" in summary and "round 3" not in summary, summary
    if brk == "sticky":
        # The diagnosis ran test_b alone, under MXSERVE_DEBUG_SYNC=1, and quotes its error.
        assert "cudaErrorIllegalAddress" in summary and "debug sync 1" in summary, summary
    ran = _ran(log.read_text())
    assert ran.count("test_a") == 1 and ran.count("test_c") == 1, ran
    assert ran.count("test_d[1.9.1/conv]") == 1, ran
