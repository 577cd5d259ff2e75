# SPDX-License-Identifier: Apache-2.0
"""mxserve vs MXNet 1.9.1 on one model, side by side in one run.

Times mxserve's Predictor, MXNet's C predict API (libmxnet.so via ctypes, NaiveEngine) and
MXNet's Gluon hybridized path, alternating in rounds after warm-up, and prints medians and the
ratios. Every peer uses the same number of threads.

    python benchmarks/bench_runtime.py [--model resnet50_v1] [--batch 1] [--threads 2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from oracle.envs import oracle_python  # noqa: E402
from oracle.models import exported_model  # noqa: E402


class MXNetWorker:
    def __init__(self, prefix: pathlib.Path, shape: tuple[int, ...], threads: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env.update(OMP_NUM_THREADS=str(threads), MXNET_ENGINE_TYPE="NaiveEngine")
        self.proc = subprocess.Popen(
            [str(oracle_python("1.9.1")), str(REPO / "benchmarks" / "mx_worker.py"), str(prefix), json.dumps(shape)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )

    def time(self, path: str, n: int) -> list[float]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"path": path, "n": n}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"MXNet worker exited while timing {path}")
        return list(json.loads(line)["times_ms"])

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="resnet50_v1")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=10, help="timed calls per peer per round")
    args = ap.parse_args()

    import numpy as np

    import mxserve

    d = exported_model("1.9.1", args.model)
    size = 299 if args.model.startswith("inception") else 224
    shape = (args.batch, 3, size, size)
    t0 = time.perf_counter()
    p = mxserve.Predictor.load(d / "model", 0, input_shapes={"data": shape}, num_threads=args.threads)
    load_ms = (time.perf_counter() - t0) * 1e3
    x = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    for _ in range(3):
        p(data=x)
    worker = MXNetWorker(d / "model", shape, args.threads)
    times: dict[str, list[float]] = {"mxserve": [], "mxnet_capi": [], "mxnet_gluon": []}
    try:
        worker.time("capi", 1)
        worker.time("gluon", 1)
        for r in range(args.rounds):
            for _ in range(args.iters):
                t = time.perf_counter()
                p(data=x)
                times["mxserve"].append((time.perf_counter() - t) * 1e3)
            times["mxnet_capi"] += worker.time("capi", args.iters)
            times["mxnet_gluon"] += worker.time("gluon", args.iters)
            print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
    finally:
        worker.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"model {args.model}  batch {args.batch}  threads {args.threads}  (mxserve load {load_ms:.0f} ms)")
    for k, v in med.items():
        print(f"  {k:12s} median {v:8.2f} ms")
    print(f"  ratio mxserve / mxnet_capi  = {med['mxserve'] / med['mxnet_capi']:.3f}")
    print(f"  ratio mxserve / mxnet_gluon = {med['mxserve'] / med['mxnet_gluon']:.3f}")


if __name__ == "__main__":
    main()
