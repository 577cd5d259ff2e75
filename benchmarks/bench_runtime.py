# SPDX-License-Identifier: Apache-2.0
"""mxserve vs MXNet 1.9.1 on one model, side by side in one run.

Times mxserve's Predictor, MXNet's C predict API (libmxnet.so via ctypes, NaiveEngine) and
MXNet's Gluon hybridized path, each in its own process, alternating in rounds after warm-up;
prints medians and ratios. Every engine uses the same number of threads.

    python benchmarks/bench_runtime.py [--model resnet50_v1] [--batch 1] [--threads 2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

# The benchmarks share the tests' oracle helpers (MXNet environments, exported models).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

from oracle.models import exported_model  # noqa: E402
from peers import Peer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--model", default="resnet50_v1")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=10, help="timed calls per engine per round")
    args = ap.parse_args()
    d = exported_model("1.9.1", args.model)
    peers = [Peer(p, d, args.batch, args.threads) for p in ("mxserve", "mxnet_capi", "mxnet_gluon")]
    times: dict[str, list[float]] = {p.name: [] for p in peers}
    try:
        for r in range(args.rounds):
            for p in peers:
                times[p.name] += p.time(args.iters)
            print(f"round {r + 1}/{args.rounds}", flush=True)
    finally:
        for p in peers:
            p.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"model {args.model}  batch {args.batch}  threads {args.threads}")
    for k, v in med.items():
        print(f"  {k:12s} median {v:8.2f} ms")
    print(f"  ratio mxserve / mxnet_capi  = {med['mxserve'] / med['mxnet_capi']:.3f}")
    print(f"  ratio mxserve / mxnet_gluon = {med['mxserve'] / med['mxnet_gluon']:.3f}")


if __name__ == "__main__":
    main()
