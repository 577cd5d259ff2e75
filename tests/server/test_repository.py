# SPDX-License-Identifier: Apache-2.0
"""The repository's parts on their own: layout and scan, the signature check, the graph's inputs
and outputs from the runtime, and the load/unload lifecycle (states, version policy, failures
that leave other models serving, reload without a gap)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from mxserve import _runtime
from mxserve.errors import (
    InvalidArgumentError,
    ModelNotFoundError,
    ModelNotReadyError,
    NotFoundError,
)
from mxserve.server.config import ModelConfig, Settings, TensorConfig
from mxserve.server.layout import discover_versions, is_version, scan_store
from mxserve.server.lifecycle import READY, UNAVAILABLE, ModelRepository
from mxserve.server.signature import GraphIO, Signature
from server._serving import DIGITS, make_repo


def test_discover_versions_numbered_flat_and_prefix(tmp_path: Path) -> None:
    m = tmp_path / "m"
    for v in ("3", "10", "1"):
        shutil.copytree(DIGITS / "1", m / v)
    (m / "notes").mkdir()  # not a version
    (m / "2").mkdir()  # a version dir without a model is skipped
    assert [f.version for f in discover_versions(m, None)] == [1, 3, 10]
    flat = tmp_path / "flat"
    shutil.copytree(DIGITS / "1", flat)
    (only,) = discover_versions(flat, None)
    assert only.version == 1 and only.symbol.name == "model-symbol.json"
    (by_prefix,) = discover_versions(flat / "model", 0)
    assert by_prefix.params is not None and by_prefix.params.name == "model-0000.params"
    with pytest.raises(NotFoundError, match="model-0007.params"):
        discover_versions(flat, 7)
    with pytest.raises(NotFoundError, match="not a model directory"):
        discover_versions(tmp_path / "nothing", None)


def test_is_version_takes_ascii_digits_only() -> None:
    assert is_version("12") and not is_version("") and not is_version("1a")
    assert not is_version("²") and not is_version("١") and not is_version("1" * 19)


def test_scan_store_finds_dirs_archives_and_extra_models(tmp_path: Path) -> None:
    store = make_repo(tmp_path / "store", {"a": None, "b": None})
    (store / ".hidden").mkdir()
    (store / "c.mar").write_bytes(b"")
    (store / "readme.txt").write_text("x")
    s = Settings(model_store=store, models={"extra": DIGITS})
    assert sorted(scan_store(s)) == ["a", "b", "c", "extra"]


def test_graph_io_comes_from_the_runtime() -> None:
    symbol = (DIGITS / "1" / "model-symbol.json").read_bytes()
    model = _runtime.load_model(symbol, (DIGITS / "1" / "model-0000.params").read_bytes())
    io = GraphIO.of(model)
    graph = json.loads(symbol)  # the expected names, read independently of the runtime
    nodes = graph["nodes"]
    variables = [nodes[i]["name"] for i in graph["arg_nodes"]]
    params = set(model.param_names)
    assert [t.name for t in io.inputs] == [n for n in variables if n not in params]
    assert io.outputs == [f"{nodes[h[0]]['name']}_output" for h in graph["heads"]]


def signature(max_batch_size: int = 4) -> Signature:
    cfg = ModelConfig(
        name="m",
        max_batch_size=max_batch_size,
        input=[
            TensorConfig(name="x", dims=[3]),
            TensorConfig(name="y", data_type="TYPE_INT32", dims=[-1, 2]),
        ],
    )
    return Signature("m", cfg, set())


def spec(dtype: str, *shape: int) -> tuple[np.dtype, tuple[int, ...]]:
    return np.dtype(dtype), shape


def test_signature_returns_batch_and_key() -> None:
    batch, key = signature().check_specs({"x": spec("float32", 2, 3), "y": spec("int32", 2, 5, 2)})
    assert batch == 2
    assert key == (("x", (3,), "<f4"), ("y", (5, 2), "<i4"))
    _, other = signature().check_specs({"x": spec("float32", 1, 3), "y": spec("int32", 1, 6, 2)})
    assert other != key  # a different variable dim never shares a batch


@pytest.mark.parametrize(
    "specs, text",
    [
        ({"x": spec("float32", 1, 3)}, "missing input 'y'"),
        (
            {"x": spec("float32", 1, 3), "y": spec("int32", 1, 1, 2), "z": spec("float32", 1)},
            "unexpected inference input 'z'",
        ),
        ({"x": spec("float64", 1, 3), "y": spec("int32", 1, 1, 2)}, "data-type is 'FP64'"),
        ({"x": spec("float32", 1, 4), "y": spec("int32", 1, 1, 2)}, "Expected [-1, 3], got [1, 4]"),
        ({"x": spec("float32", 3), "y": spec("int32", 1, 1, 2)}, "unexpected shape for input 'x'"),
        ({"x": spec("float32", 2, 3), "y": spec("int32", 3, 1, 2)}, "different batch sizes [2, 3]"),
        ({"x": spec("float32", 5, 3), "y": spec("int32", 5, 1, 2)}, "batch-size must be <= 4"),
    ],
)
def test_signature_rejects(specs: dict, text: str) -> None:
    with pytest.raises(InvalidArgumentError) as e:
        signature().check_specs(specs)
    assert text in str(e.value)


def test_signature_without_batching_checks_full_shapes() -> None:
    s = signature(max_batch_size=0)
    batch, _ = s.check_specs({"x": spec("float32", 3), "y": spec("int32", 7, 2)})
    assert batch == 1
    with pytest.raises(InvalidArgumentError, match="Expected \\[3\\]"):
        s.check_specs({"x": spec("float32", 1, 3), "y": spec("int32", 7, 2)})


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_lifecycle_states_policy_and_failures(tmp_path: Path) -> None:
    store = make_repo(
        tmp_path / "store",
        {"good": {"max_batch_size": 4}, "all": {"version_policy": {"all": {}}}, "bad": None},
    )
    shutil.copytree(DIGITS / "1", store / "all" / "2")
    (store / "bad" / "1" / "model-symbol.json").write_text("{not json")
    repo = ModelRepository(Settings(model_store=store))
    repo.scan()

    async def scenario() -> None:
        await repo.load_at_start()
        assert repo.models["good"].state == READY
        assert sorted(repo.models["all"].versions) == [1, 2]
        bad = repo.models["bad"]
        assert bad.state == UNAVAILABLE and bad.reason
        assert str(tmp_path) not in bad.reason  # no server path reaches a client
        assert repo.get("all").version == 2 and repo.get("all", "1").version == 1
        with pytest.raises(ModelNotFoundError, match="unknown model: 'nope'"):
            repo.get("nope")
        with pytest.raises(ModelNotFoundError, match="version 3 is not found"):
            repo.get("all", "3")
        with pytest.raises(ModelNotReadyError, match="no available versions"):
            repo.get("bad")
        assert not repo.ready()  # strict readiness: 'bad' was to be loaded
        rows = {(r["name"], r["version"]): r["state"] for r in repo.index()}
        assert rows == {
            ("all", "1"): READY,
            ("all", "2"): READY,
            ("bad", ""): UNAVAILABLE,
            ("good", "1"): READY,
        }
        # A reload that fails keeps the loaded version serving.
        before = repo.get("good")
        (store / "good" / "config.json").write_text('{"max_batch_size": -1}')
        entry = await repo.load("good")
        assert entry.state == READY and "max_batch_size" in entry.reason
        assert repo.get("good") is before
        # A reload that succeeds swaps in a new version object.
        (store / "good" / "config.json").write_text('{"max_batch_size": 2}')
        await repo.load("good")
        assert repo.get("good") is not before and repo.get("good").config.max_batch_size == 2
        await repo.unload("good")
        assert repo.models["good"].state == UNAVAILABLE and repo.models["good"].reason == "unloaded"
        with pytest.raises(ModelNotReadyError):
            repo.get("good")
        await repo.close()

    run(scenario())
