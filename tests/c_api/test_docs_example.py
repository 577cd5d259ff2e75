# SPDX-License-Identifier: Apache-2.0
"""The complete example of docs/c_api.md compiles as shown and runs."""

from __future__ import annotations

import pathlib
import re

import numpy as np

from c_api import _capi

DOC = _capi.REPO / "docs" / "c_api.md"


def test_docs_example_compiles_and_runs(tmp_path: pathlib.Path) -> None:
    blocks = re.findall(r"```c\n(.*?)```", DOC.read_text(), re.S)
    program = next(b for b in blocks if "int main(" in b)
    (tmp_path / "predict.c").write_text(program)
    exe = tmp_path / "predict"
    _capi.build([tmp_path / "predict.c"], exe, flags=["-O2"])
    (prob,) = _capi.write_classifier(tmp_path, 1)
    proc = _capi.run(
        [
            str(exe),
            str(tmp_path / "model-symbol.json"),
            str(tmp_path / "model-0000.params"),
            "1",
            "3",
            "8",
            "6",
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "output shape: 1 5"
    assert re.match(r"largest: element \d+ = ", proc.stdout.splitlines()[1])
    proc = _capi.run(
        [
            str(exe),
            str(tmp_path / "model-symbol.json"),
            str(tmp_path / "model-0000.params"),
            "1",
            "3",
            "8",
        ]
    )
    assert proc.returncode == 1 and "MXPredCreate failed: MXPredCreate:" in proc.stderr
    assert np.isfinite(prob).all()
