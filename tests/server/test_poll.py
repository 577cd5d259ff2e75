# SPDX-License-Identifier: Apache-2.0
"""``--model-control-mode poll``: models that appear are loaded, changed ones reloaded, removed
ones unloaded, while the server keeps answering."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server._serving import DIGITS, Server, make_repo


def wait_for(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def infer_ok(s: Server, model: str) -> bool:
    body = {"inputs": [{"name": "data", "shape": [1, 64], "datatype": "FP32", "data": [0.5] * 64}]}
    status, _ = s.json("POST", f"/v2/models/{model}/infer", body)
    return status == 200


def config(s: Server, model: str) -> Any:
    status, cfg = s.json("GET", f"/v2/models/{model}/config")
    return cfg if status == 200 else None


def test_poll_follows_the_model_store(tmp_path: Path, serve: Callable[..., Server]) -> None:
    store = make_repo(tmp_path / "store", {"a": {"max_batch_size": 4}, "gone": None})
    s = serve(store, "--model-control-mode", "poll", "--repository-poll-secs", "0.2")
    assert infer_ok(s, "a") and infer_ok(s, "gone")
    assert s.json("POST", "/v2/repository/models/a/unload")[0] == 400  # no explicit control

    # a new model appears (copied in under a hidden name, then renamed into place)
    shutil.copytree(DIGITS / "1", store / ".b" / "1")
    (store / ".b").rename(store / "b")
    wait_for(lambda: infer_ok(s, "b"))

    # a config changes: the model is reloaded with it
    (store / "a" / "config.json").write_text(json.dumps({"name": "a", "max_batch_size": 2}))
    wait_for(lambda: (config(s, "a") or {}).get("max_batch_size") == 2)
    assert infer_ok(s, "a")

    # a broken change keeps the old version serving
    (store / "a" / "config.json").write_text("{not json")
    time.sleep(1.0)
    assert infer_ok(s, "a") and config(s, "a")["max_batch_size"] == 2

    # a removed model is unloaded and forgotten
    shutil.rmtree(store / "gone")
    wait_for(lambda: s.json("GET", "/v2/models/gone")[0] == 404)
    names = {r["name"] for r in s.json("POST", "/v2/repository/index", {})[1]}
    assert names == {"a", "b"}
    assert "changed: reloading" in s.log() and "left the repository" in s.log()
