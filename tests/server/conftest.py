# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the server tests (helpers in ``_serving.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from server._serving import DIGITS, Server, start_server, stop_server


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def _serve(repo: Path | None, *args: str, **kw: Any) -> Server:
        s = start_server(repo, *args, log_dir=tmp_path, **kw)
        started.append(s)
        return s

    yield _serve
    for s in started:
        stop_server(s)


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    with np.load(DIGITS / "test_digits.npz") as f:
        return f["x"].astype(np.float32), f["y"]


@pytest.fixture(scope="module")
def reference() -> Callable[[np.ndarray], np.ndarray]:
    """The digits model run in-process one sample at a time (the unbatched result)."""
    import mxserve

    p = mxserve.Predictor.load(
        DIGITS / "1" / "model", input_shapes={"data": (1, 64)}, num_threads=1
    )

    def run(x: np.ndarray) -> np.ndarray:
        return np.concatenate([p(data=x[i : i + 1])[0] for i in range(len(x))])

    return run
