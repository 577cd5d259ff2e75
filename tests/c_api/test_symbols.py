# SPDX-License-Identifier: Apache-2.0
"""ABI checks of libmxnet_predict.so: the exported symbols are exactly expected_symbols.txt
(MXNet 1.9.1's c_predict_api.h plus the MXNDArray accessors), the header declares them all, and
every int-returning export is wrapped in API_BEGIN()/API_END()."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

import pytest

from mxserve import predict_api

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parents[1] / "predict_api"

# MXNet 1.9.1's include/mxnet/c_predict_api.h, in its order.
MXNET_191_FUNCTIONS = [
    "MXGetLastError",
    "MXPredCreate",
    "MXPredCreateEx",
    "MXPredCreatePartialOut",
    "MXPredCreateMultiThread",
    "MXPredReshape",
    "MXPredGetOutputShape",
    "MXPredGetOutputType",
    "MXPredSetInput",
    "MXPredForward",
    "MXPredPartialForward",
    "MXPredGetOutput",
    "MXPredFree",
    "MXNDListCreate",
    "MXNDListGet",
    "MXPredSetMonitorCallback",
    "MXNDListFree",
]


def expected() -> list[str]:
    return (HERE / "expected_symbols.txt").read_text().split()


@pytest.mark.skipif(shutil.which("nm") is None, reason="nm (binutils) is not installed")
def test_exported_symbols_are_exactly_the_expected_ones() -> None:
    out = subprocess.run(
        ["nm", "-D", "--defined-only", str(predict_api.library_path())],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    exported = sorted(line.split()[-1] for line in out.splitlines() if line.strip())
    assert exported == expected()


def _declared(header: pathlib.Path) -> list[str]:
    return re.findall(r"MXNET_DLL\s+(?:const\s+)?\w+\*?\s+(MX\w+)\(", header.read_text())


def test_header_declares_mxnet_191_functions_in_order() -> None:
    assert _declared(predict_api.include_dir() / "mxnet" / "c_predict_api.h") == MXNET_191_FUNCTIONS


def test_headers_declare_every_export() -> None:
    inc = predict_api.include_dir() / "mxnet"
    declared = _declared(inc / "c_predict_api.h") + _declared(inc / "c_ndarray_api.h")
    assert sorted(declared) == expected()


def test_every_int_export_uses_api_begin() -> None:
    bodies = {}
    for src in sorted(SRC.glob("*.cc")):
        text = src.read_text()
        for m in re.finditer(r"^int (MX\w+)\([^)]*\)\s*\{", text, re.M):
            # The body runs to the first closing brace at column 0.
            end = text.index("\n}", m.end())
            bodies[m.group(1)] = text[m.end() : end]
    int_exports = [s for s in expected() if s != "MXGetLastError"]
    assert sorted(bodies) == int_exports
    for name, body in bodies.items():
        lines = [ln.strip() for ln in body.strip().splitlines()]
        assert lines[0] == "API_BEGIN();", f"{name} does not start with API_BEGIN()"
        assert lines[-1] == "API_END();", f"{name} does not end with API_END()"
