# SPDX-License-Identifier: Apache-2.0
"""Isolated oracle environments with real MXNet (1.9.1 and 2.0.0b1), created on first use.

Each version lives in its own virtual environment under ``~/.cache/mxserve/oracle/`` (or
``$MXSERVE_ORACLE_CACHE``), shared by every checkout, with ``numpy<1.24`` as those MXNet wheels
need; the project's own environment never imports MXNet. Scripts run there through :func:`run_in_oracle`.
"""

from __future__ import annotations

import fcntl
import os
import pathlib
import shutil
import subprocess
import sys
import venv

REPO = pathlib.Path(__file__).resolve().parents[2]
# Shared by every checkout of the user (results are keyed by the hash of what produced them);
# MXSERVE_ORACLE_CACHE moves it.
_USER_CACHE = pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache")
CACHE = pathlib.Path(os.environ.get("MXSERVE_ORACLE_CACHE") or _USER_CACHE / "mxserve" / "oracle")
VERSIONS = {"1.9.1": "mx19", "2.0.0b1": "mx20"}

# GluonCV and GluonNLP pin old dependency ranges that conflict with MXNet 1.9.1's, so they go in
# with --no-deps and their run-time imports are listed here.
GLUON = ("gluoncv==0.10.5.post0", "gluonnlp==0.10.0")
GLUON_DEPS = (
    *("tqdm", "requests", "Pillow", "portalocker", "pyyaml", "yacs", "scipy<1.11", "packaging"),
)


def oracle_python(version: str, extras: tuple[str, ...] = ()) -> pathlib.Path:
    """Path of the Python interpreter of the MXNet `version` environment, creating it if needed.

    `extras` (e.g. ``("onnx==1.14.1",)`` for the benchmarks' ONNX export, or :data:`GLUON` for
    the GluonCV / GluonNLP model exports) get an environment of their own, so the test oracle
    stays exactly MXNet and numpy.
    """
    name = VERSIONS[version] + ("-" + "-".join(e.split("=")[0] for e in extras) if extras else "")
    env_dir = CACHE / name
    python = env_dir / "bin" / "python"
    ready = env_dir / ".ready"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
            subprocess.run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    f"mxnet=={version}",
                    "numpy<1.24",
                    *(() if extras == GLUON else extras),
                ],
                check=True,
            )
            if extras == GLUON:
                pip = [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ]
                subprocess.run([*pip, "--no-deps", *GLUON], check=True)
                subprocess.run([*pip, "numpy<1.24", *GLUON_DEPS], check=True)
            ready.write_text(version)
    return python


def publish(tmp: pathlib.Path, out: pathlib.Path, marker: str) -> None:
    """Moves a finished result folder `tmp` to `out`, unless another process already published a
    complete one there (it has `marker`): results are never replaced while others read them."""
    if (out / marker).exists():
        shutil.rmtree(tmp, ignore_errors=True)
        return
    shutil.rmtree(out, ignore_errors=True)
    try:
        tmp.rename(out)
    except OSError:  # another process published in between
        shutil.rmtree(tmp, ignore_errors=True)


def run_in_oracle(
    version: str,
    script: pathlib.Path,
    *args: str,
    timeout: float = 1800,
    extras: tuple[str, ...] = (),
) -> None:
    """Runs `script` with `args` in the MXNet `version` environment (with `extras`); raises on
    failure."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.setdefault("OMP_NUM_THREADS", "2")
    proc = subprocess.run(
        [str(oracle_python(version, extras)), str(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:])
        raise RuntimeError(
            f"oracle script {script.name} failed under mxnet {version}:\n{proc.stderr[-4000:]}"
        )
