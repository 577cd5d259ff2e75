# SPDX-License-Identifier: Apache-2.0
"""The manylinux wheel of .ci/build_wheel (marker ``deploy``: building it takes minutes):
auditwheel finds no external library but libdnnl.so.3 from the onednn-cpu-gomp dependency;
``pip install dist/*.whl`` in a fresh venv, then the README's serve command answers the README's
request; the process holds one libgomp; the C API links and runs from the installed wheel.

    pip install ".[test,deploy]" && pytest -m deploy tests/deploy/test_wheel.py -s
"""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.deploy

REPO = pathlib.Path(__file__).resolve().parents[2]
README = REPO / "README.md"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def wheel() -> pathlib.Path:
    """dist/mxserve-*.whl, built by .ci/build_wheel when dist/ has none."""
    found = sorted((REPO / "dist").glob("mxserve-*-manylinux_*.whl"))
    if not found:
        subprocess.run([str(REPO / ".ci" / "build_wheel")], check=True, cwd=REPO)
        found = sorted((REPO / "dist").glob("mxserve-*-manylinux_*.whl"))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def venv(wheel: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A fresh venv with the wheel installed (dependencies from the index)."""
    root = tmp_path_factory.mktemp("wheel-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    start = time.monotonic()
    subprocess.run(
        [str(root / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
    )
    print(f"\nwheel: pip install took {time.monotonic() - start:.1f} s")
    return root


def _auditwheel() -> str:
    for candidate in (
        pathlib.Path(sys.executable).parent / "auditwheel",
        REPO / "build" / "wheel-tools" / "bin" / "auditwheel",
    ):
        if candidate.exists():
            return str(candidate)
    pytest.fail("auditwheel is not installed (pip install '.[deploy]')")


def test_auditwheel_sees_only_libdnnl_outside_the_policy(wheel: pathlib.Path) -> None:
    proc = subprocess.run(
        [_auditwheel(), "show", "--json", str(wheel)], capture_output=True, text=True, check=True
    )
    report = json.loads(proc.stdout)
    # libdnnl.so.3 comes from the onednn-cpu-gomp wheel (a dependency): the one library the
    # wheel does not carry, and the one that keeps `show` from the manylinux tag on its own.
    assert set(report["external_libs"]) == {"libdnnl.so.3"}
    tag = re.search(r"-(manylinux_\d+_\d+_x86_64)\.whl$", wheel.name)
    assert tag is not None, wheel.name
    assert report["sym_tag"] == tag.group(1)
    assert report["policy_upgrades"][tag.group(1)]["libs_to_eliminate"] == ["libdnnl.so.3"]
    names = zipfile.ZipFile(wheel).namelist()
    assert "mxserve.libs/libgomp.so.1" in names
    assert not [n for n in names if "libdnnl" in n], "libdnnl is bundled"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def _readme_serve_command() -> list[str]:
    text = README.read_text()
    m = re.search(r"\.venv/bin/pip install \. && \.venv/bin/(mxserve serve [^\n`]*)", text)
    assert m is not None, "the README's serve command moved"
    return m.group(1).split()


def _readme_request() -> tuple[str, bytes]:
    m = re.search(
        r"curl -s (\S+) -H 'Content-Type: application/json' -d '([^']*)'", README.read_text()
    )
    assert m is not None, "the README's curl request moved"
    return m.group(1), m.group(2).encode()


@pytest.fixture(scope="module")
def server(venv: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """The README's serve command, run from the installed wheel, in a copy of model_store/."""
    cwd = tmp_path_factory.mktemp("serve")
    subprocess.run(["cp", "-r", str(REPO / "model_store"), str(cwd)], check=True)
    port, metrics = _free_port(), _free_port()
    cmd = _readme_serve_command()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH")}
    env.update(MXSERVE_HTTP_PORT=str(port), MXSERVE_METRICS_PORT=str(metrics))
    log = open(cwd / "server.log", "wb")
    proc = subprocess.Popen(
        [str(venv / "bin" / cmd[0]), *cmd[1:]], cwd=cwd, env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, (cwd / "server.log").read_text()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/v2/health/ready")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    else:
        proc.kill()
        pytest.fail("server did not become ready:\n" + (cwd / "server.log").read_text())
    yield proc, port
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    log.close()


def test_readme_serve_command_answers_the_readme_request(server: tuple) -> None:
    proc, port = server
    url, body = _readme_request()
    path = "/" + url.split("/", 3)[3]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        status, data = r.status, r.read()
    finally:
        conn.close()
    assert status == 200, data
    scores = json.loads(data)["outputs"][0]["data"]
    assert max(range(10), key=lambda i: scores[i]) == 7  # the README says: a handwritten 7


def test_server_process_has_one_libgomp(server: tuple, venv: pathlib.Path) -> None:
    proc, _ = server
    maps = pathlib.Path(f"/proc/{proc.pid}/maps").read_text()
    gomps = {line.split()[-1] for line in maps.splitlines() if "libgomp" in line}
    assert len(gomps) == 1, gomps
    assert gomps.pop().endswith("/mxserve.libs/libgomp.so.1")
    dnnl = {line.split()[-1] for line in maps.splitlines() if "libdnnl" in line}
    assert len(dnnl) == 1 and str(venv) in dnnl.pop()


def test_c_api_links_and_runs_from_the_wheel(venv: pathlib.Path, tmp_path: pathlib.Path) -> None:
    src = tmp_path / "main.c"
    src.write_text(
        "#include <mxnet/c_predict_api.h>\n#include <stdio.h>\n"
        "int main(void) { PredictorHandle h = 0;\n"
        '  int rc = MXPredCreate("{", NULL, 0, 1, 0, 0, NULL, NULL, NULL, &h);\n'
        '  printf("%d %s\\n", rc, MXGetLastError()); return 0; }\n'
    )
    flags = subprocess.run(
        [str(venv / "bin" / "mxserve-config"), "--cflags", "--libs"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.split()
    exe = tmp_path / "main"
    subprocess.run(["cc", str(src), *flags, "-o", str(exe)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    ldd = subprocess.run(["ldd", str(exe)], capture_output=True, text=True, env=env).stdout
    assert "not found" not in ldd, ldd
    assert re.search(r"libgomp\.so\.1 => \S*/mxserve\.libs/libgomp\.so\.1", ldd), ldd
    out = subprocess.run([str(exe)], capture_output=True, text=True, env=env, check=True).stdout
    assert out.startswith("-1 ") and len(out.strip()) > 3, out  # a parse error, with a message
