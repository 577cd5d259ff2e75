# SPDX-License-Identifier: Apache-2.0
"""Oracle cases: run a list of small symbols in real MXNet once, cache the results by content
hash under ~/.cache/mxserve/oracle/, and compare mxserve's Predictor against them."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import json
import os
import pathlib
import shutil
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from .envs import CACHE, publish, run_in_oracle

HERE = pathlib.Path(__file__).resolve().parent


@dataclasses.dataclass(frozen=True)
class Case:
    """One symbol to run in MXNet and mxserve.

    `code` is Python run in the oracle with `mx` and one symbol variable per input in scope; it
    must set `out`. Tolerances follow numpy.testing.assert_allclose.
    """

    name: str
    code: str
    inputs: dict[str, tuple[int, ...]]
    dtypes: dict[str, str] = dataclasses.field(default_factory=dict)
    rtol: float = 1e-5
    atol: float = 1e-5
    low: float = -1.0
    high: float = 1.0
    seed: int = 0
    params: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)

    def spec(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        for k in ("rtol", "atol"):
            d.pop(k)
        return d


def case(
    name: str,
    code: str,
    rtol: float = 1e-5,
    atol: float = 1e-5,
    *,
    dtype: str | None = None,
    low: float = -1.0,
    high: float = 1.0,
    **inputs: Any,
) -> Case:
    """Shorthand: case("relu", "out = mx.sym.Activation(data, act_type='relu')", data=(2, 3)).

    `dtype`, if given, is the dtype of every input; inputs are drawn uniformly from [low, high).
    """
    return Case(
        name=name,
        code=code,
        inputs={k: tuple(v) for k, v in inputs.items()},
        dtypes={k: dtype for k in inputs} if dtype else {},
        rtol=rtol,
        atol=atol,
        low=low,
        high=high,
    )


def run_cases(cases: Sequence[Case], version: str = "1.9.1") -> pathlib.Path:
    """Runs `cases` in MXNet `version` (once per content hash) and returns the result folder."""
    specs = [c.spec() for c in cases]
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError("case names must be unique")
    script = HERE / "mx_ops.py"
    digest = hashlib.sha256(
        (json.dumps(specs, sort_keys=True) + version + script.read_text()).encode()
    ).hexdigest()[:20]
    out = CACHE / "ops" / f"{version}-{digest}"
    if not (out / "errors.json").exists():
        tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        (tmp / "spec.json").write_text(json.dumps(specs))
        run_in_oracle(version, script, str(tmp / "spec.json"), str(tmp))
        publish(tmp, out, "errors.json")
    return out


def check_case(c: Case, results: pathlib.Path) -> None:
    """Runs case `c` through mxserve and compares every output with MXNet's."""
    import mxserve

    errors = json.loads((results / "errors.json").read_text())
    if c.name in errors:
        pytest.fail(f"MXNet itself rejected case {c.name}: {errors[c.name]}")
    d = results / c.name
    with np.load(d / "inputs.npz") as f:
        inputs = {k: f[k] for k in f.files}
    with np.load(d / "outputs.npz") as f:
        expected = [f[k] for k in sorted(f.files, key=lambda s: int(s.split("_")[1]))]
    p = mxserve.Predictor(
        d / "symbol.json",
        d / "model.params",
        input_shapes={k: v.shape for k, v in inputs.items()},
        dtypes={k: v.dtype for k, v in inputs.items()},
    )
    outs = p(**inputs)
    assert len(outs) == len(expected), f"{len(outs)} outputs, MXNet gave {len(expected)}"
    for i, (got, want) in enumerate(zip(outs, expected)):
        assert got.shape == want.shape, f"output {i}: shape {got.shape}, MXNet {want.shape}"
        np.testing.assert_allclose(
            got, want, rtol=c.rtol, atol=c.atol, err_msg=f"{c.name} output {i}"
        )


# Every case list handed to oracle_test, with its MXNet version: tests/test_structure.py reads
# the operators of their exported symbols to check that every registered operator is covered.
REGISTERED: list[tuple[tuple[Case, ...], str]] = []


@functools.cache
def all_results() -> tuple[tuple[Case, pathlib.Path, str], ...]:
    """(case, result folder, MXNet version) of every oracle case of tests/ops: each test module
    that calls oracle_test is run once more to register its case lists; MXNet runs for a list
    not cached yet."""
    for path in sorted((HERE.parent / "ops").glob("test_*.py")):
        if "oracle_test(" not in path.read_text():
            continue
        spec = importlib.util.spec_from_file_location(f"_oracle_scan_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    seen: set[tuple[str, ...]] = set()
    found: list[tuple[Case, pathlib.Path, str]] = []
    for case_list, version in REGISTERED:
        key = (version, *(c.name for c in case_list))
        if key in seen:
            continue
        seen.add(key)
        folder = run_cases(case_list, version)
        found.extend((c, folder, version) for c in case_list)
    return tuple(found)


def oracle_test(cases: Sequence[Case], version: str = "1.9.1") -> Callable[[Case], None]:
    """Builds a test function parametrized over `cases`; MXNet runs once for the whole list."""
    state: dict[str, pathlib.Path] = {}
    REGISTERED.append((tuple(cases), version))

    @pytest.mark.parametrize("c", list(cases), ids=[c.name for c in cases])
    def test(c: Case) -> None:
        if "dir" not in state:
            state["dir"] = run_cases(cases, version)
        check_case(c, state["dir"])

    return test
