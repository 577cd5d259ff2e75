# SPDX-License-Identifier: Apache-2.0
"""Starting and driving peer_worker.py processes (one per engine) from a benchmark script."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from oracle.envs import oracle_python  # noqa: E402


class Peer:
    """One engine in its own process; MXNet peers run in the MXNet 1.9.1 oracle environment."""

    def __init__(
        self,
        peer: str,
        model_dir: pathlib.Path,
        batch: int,
        threads: int,
        dtype: str = "float32",
        worker: str = "peer_worker.py",
        extra_args: tuple[str, ...] = (),
        python: str | None = None,
        label: str | None = None,
    ) -> None:
        """`worker` is the script in benchmarks/ that runs the engine; `extra_args` follow the
        usual PEER MODEL_DIR BATCH THREADS DTYPE on its command line. `python` runs a non-MXNet
        peer under another interpreter (another build of mxserve); `label` names the peer."""
        self.name = label or (peer if dtype == "float32" else f"{peer}_{dtype}")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV",))}
        env.update(OMP_NUM_THREADS=str(threads), MXSERVE_NUM_THREADS=str(threads))
        if peer.startswith("mxnet"):
            python = str(oracle_python("1.9.1"))
            env = {k: v for k, v in env.items() if not k.startswith("PYTHON")}
            env["MXNET_ENGINE_TYPE"] = "NaiveEngine"
        else:
            python = python or sys.executable
        self.proc = subprocess.Popen(
            [
                python,
                str(REPO / "benchmarks" / worker),
                peer,
                str(model_dir),
                str(batch),
                str(threads),
                dtype,
                *extra_args,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def ask(self, **cmd: object) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} worker exited")
        return dict(json.loads(line))

    def time(self, n: int, warmup: int = 0) -> list[float]:
        """`n` timed calls, after `warmup` untimed ones."""
        return list(self.ask(cmd="time", n=n, warmup=warmup)["times_ms"])

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except BrokenPipeError:  # the worker already exited (and said why on stderr)
            pass
        self.proc.wait(timeout=120)
