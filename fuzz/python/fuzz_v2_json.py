# SPDX-License-Identifier: Apache-2.0
"""atheris target: a KServe v2 JSON request body through the server's decoder (plan_request, then
every input read as an array), as POST /v2/models/NAME/infer runs it."""

from __future__ import annotations

import atheris
from _target import expect_clean, main

with atheris.instrument_imports(include=["mxserve"]):
    from mxserve.server.protocol.plan import plan_request


def accept_any(specs: dict) -> tuple[int, tuple]:
    """The model check: the batch is the first dimension of the first input."""
    first = next(iter(specs.values()), None)
    batch = first[1][0] if first is not None and first[1] else 1
    return batch, tuple(sorted((k, str(d), s[1:]) for k, (d, s) in specs.items()))


def decode(body: bytes, binary: bytes | memoryview) -> None:
    plan = plan_request(body, "m", ["out"], accept_any, {})
    for a in plan.read(binary).values():
        a.sum()


def test_one_input(data: bytes) -> None:
    expect_clean(lambda: decode(data, b""))


if __name__ == "__main__":
    main(test_one_input)
