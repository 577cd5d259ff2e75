# SPDX-License-Identifier: Apache-2.0
"""`mxserve models`: lists the repository with each model's load status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mxserve
from server._serving import make_repo


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    site = str(Path(mxserve.__file__).resolve().parent.parent)
    return subprocess.run(
        [sys.executable, "-m", "mxserve", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": site, "PATH": ""},
        timeout=120,
    )


def test_models_lists_states_and_reasons(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "m", {"good": {"max_batch_size": 2}, "bad": {"max_batch_size": -1}})
    r = _run("models", "--model-store", str(repo), "--json", cwd=tmp_path)
    assert r.returncode == 1, r.stderr  # one model failed
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    assert rows["good"]["state"] == "READY" and rows["good"]["version"] == "1"
    assert rows["bad"]["state"] == "UNAVAILABLE" and "max_batch_size" in rows["bad"]["reason"]
    r = _run(
        "models",
        "--model-store",
        str(repo),
        "--model",
        f"extra={repo / 'good' / '1' / 'model'}",
        cwd=tmp_path,
    )
    assert "extra" in r.stdout and "READY" in r.stdout
