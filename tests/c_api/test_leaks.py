# SPDX-License-Identifier: Apache-2.0
"""No leak over create / forward / free cycles of the C API, checked by valgrind: 20 cycles
by default, 1,000 in the slow suite."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from c_api import _capi


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
@pytest.mark.parametrize("cycles", [20, pytest.param(1000, marks=pytest.mark.slow)])
def test_no_leak_over_cycles(cycles: int, tmp_path: pathlib.Path, mlp_dir: pathlib.Path) -> None:
    exe = tmp_path / "leak_check"
    _capi.build([_capi.HERE / "leak_check.c"], exe, flags=["-g"])
    proc = _capi.run(
        [
            "valgrind",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--error-exitcode=9",
            str(exe),
            str(mlp_dir),
            str(cycles),
        ]
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    assert f"{cycles} cycles" in proc.stdout
    assert "definitely lost: 0 bytes" in proc.stderr or "All heap blocks were freed" in proc.stderr
