# SPDX-License-Identifier: Apache-2.0
"""atheris target: an .npz archive (MXNet 2.0's parameter format) through mxserve.nd.load; the
runtime's own zip and .npy reader, not numpy's."""

from __future__ import annotations

import atheris
from _target import expect_clean, main

with atheris.instrument_imports(include=["mxserve"]):
    import mxserve


def test_one_input(data: bytes) -> None:
    def load() -> None:
        arrays = mxserve.nd.load(data)
        for a in arrays.values():
            a.sum()  # every element readable

    expect_clean(load)


if __name__ == "__main__":
    main(test_one_input)
