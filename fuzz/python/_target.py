# SPDX-License-Identifier: Apache-2.0
"""What every atheris target shares: the contract that bad input raises an MXServeError naming
the problem (an InternalError, or any other exception, is a finding), and the entry point."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import atheris

os.environ.setdefault("OMP_NUM_THREADS", "1")

with atheris.instrument_imports(include=["mxserve"]):
    from mxserve.errors import InternalError, MXServeError


def expect_clean(fn: Callable[[], object]) -> None:
    """Runs `fn`; an MXServeError other than InternalError is a clean rejection."""
    try:
        fn()
    except InternalError:
        raise
    except MXServeError as e:
        if not str(e):
            raise AssertionError(f"{type(e).__name__} without a message") from e


def main(test_one_input: Callable[[bytes], None]) -> None:
    """libFuzzer's command line: corpus folders, -runs=N, -max_total_time=S, ..."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
