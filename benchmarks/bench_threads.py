# SPDX-License-Identifier: Apache-2.0
"""Throughput of one Predictor called from 1 and from 2 Python threads (intra-op threads = 1).

python benchmarks/bench_threads.py [--model resnet18_v1] [--seconds 5]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from oracle.models import exported_model  # noqa: E402


def throughput(p, x, threads: int, seconds: float) -> float:  # type: ignore[no-untyped-def]
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def work(i: int) -> None:
        while time.perf_counter() < stop:
            p(data=x)
            counts[i] += 1

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="resnet18_v1")
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    import numpy as np

    import mxserve

    d = exported_model("1.9.1", args.model)
    p = mxserve.Predictor.load(
        d / "model", 0, input_shapes={"data": (1, 3, 224, 224)}, num_threads=1
    )
    x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 224, 224)).astype(np.float32)
    for _ in range(3):
        p(data=x)
    one = throughput(p, x, 1, args.seconds)
    two = throughput(p, x, 2, args.seconds)
    print(f"model {args.model}: 1 thread {one:.1f}/s, 2 threads {two:.1f}/s, ratio {two / one:.2f}")


if __name__ == "__main__":
    main()
