# SPDX-License-Identifier: Apache-2.0
"""Runs test_c_predict_api.c (every function and error path of the C API, N threads with their
own MXPredCreateMultiThread handles, per-thread last error), one pytest case per C test group."""

from __future__ import annotations

import pathlib

import pytest

from c_api import _capi

GROUPS = [
    "create_errors",
    "predict",
    "create_ex",
    "partial_out",
    "partial_forward",
    "reshape",
    "ndlist",
    "monitor",
    "multithread",
    "one_handle_threads",
    "last_error_per_thread",
]


@pytest.mark.parametrize("group", GROUPS)
def test_c_program(group: str, c_test_program: pathlib.Path, mlp_dir: pathlib.Path) -> None:
    proc = _capi.run([str(c_test_program), str(mlp_dir), group])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ", 0 failed" in proc.stdout


def test_c_program_rejects_unknown_group(
    c_test_program: pathlib.Path, mlp_dir: pathlib.Path
) -> None:
    proc = _capi.run([str(c_test_program), str(mlp_dir), "nope"])
    assert proc.returncode == 2
