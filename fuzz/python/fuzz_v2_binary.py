# SPDX-License-Identifier: Apache-2.0
"""atheris target: a v2 request with binary tensors (two bytes little-endian header length, then
the body) through split_body, plan_request and the binary reader."""

from __future__ import annotations

import atheris
from _target import expect_clean, main

with atheris.instrument_imports(include=["mxserve"]):
    from mxserve.server.protocol.binary import split_body
from fuzz_v2_json import decode


def test_one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    header_length = str(int.from_bytes(data[:2], "little"))

    def run() -> None:
        header, binary = split_body(data[2:], header_length)
        decode(header, binary)

    expect_clean(run)


if __name__ == "__main__":
    main(test_one_input)
