# SPDX-License-Identifier: Apache-2.0
"""Builds the plain C++ tests of tests/cpp (memory planner, attribute reader, params reader) with
CMake against the runtime core and runs them through ctest."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")
def test_cpp_suite(tmp_path_factory: pytest.TempPathFactory) -> None:
    build = REPO / "build" / "cpp-tests"
    configure = [
        "cmake",
        "-S",
        str(REPO),
        "-B",
        str(build),
        f"-DPython_EXECUTABLE={sys.executable}",
        "-DMXSERVE_BUILD_PYTHON=OFF",
        "-DBUILD_TESTING=ON",
        "-DCMAKE_BUILD_TYPE=Release",
    ]
    if shutil.which("ninja"):
        configure += ["-G", "Ninja"]
    if shutil.which("ccache"):  # rebuilding the whole core for this test is most of its time
        configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    env = dict(os.environ)
    subprocess.run(configure, check=True, capture_output=True, text=True, env=env)
    built = subprocess.run(
        ["cmake", "--build", str(build), "--parallel", "2"], capture_output=True, text=True, env=env
    )
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    ran = subprocess.run(
        ["ctest", "--test-dir", str(build), "--output-on-failure"], capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stdout[-4000:]
    assert "tests passed" in ran.stdout
