# SPDX-License-Identifier: Apache-2.0
"""atheris target: a .mar archive through read_mar (manifest, signature, bounded extraction), then
the extracted network loaded as the server loads it; the extraction is removed after each
input, as the server removes it after each load."""

from __future__ import annotations

import os
import pathlib
import shutil
import tempfile

import atheris
from _target import expect_clean, main

with atheris.instrument_imports(include=["mxserve"]):
    import mxserve
    from mxserve.server.mar import read_mar

WORK = pathlib.Path(tempfile.mkdtemp(prefix="mxserve-fuzz-mar-"))


def test_one_input(data: bytes) -> None:
    path = WORK / "model.mar"
    path.write_bytes(data)

    def run() -> None:
        mar = read_mar(path)
        try:
            shapes = {t.name: [max(d, 1) for d in t.dims] for t in mar.inputs or []}
            mxserve.Predictor(mar.symbol, mar.params, input_shapes=shapes or {"data": (1, 64)})
        finally:
            shutil.rmtree(mar.directory, ignore_errors=True)

    expect_clean(run)
    os.unlink(path)


if __name__ == "__main__":
    main(test_one_input)
