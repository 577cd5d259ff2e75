# SPDX-License-Identifier: Apache-2.0
"""Two builds of mxserve side by side: the one installed for this interpreter and a baseline
installed for another (`--baseline-python`, e.g. the venv of an older checkout), alternating
rounds in one run, with ONNX Runtime as a fixed reference. It answers "did this change make the
CPU path slower?" without comparing figures taken at different times.

    python benchmarks/bench_builds.py --baseline-python ../old/.venv/bin/python
        [--models resnet50_v1,mobilenetv2_1.0] [--batches 1,8] [--threads 1] [--rounds 5]
        [--iters 5] [--dtype float32]

Prints per model and batch the median ms of both builds and ORT, new/baseline and each build's
ratio to ORT. Needs ``pip install ".[bench]"`` for the ONNX export and onnxruntime.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_models import ensure_onnx  # noqa: E402
from oracle.models import exported_model  # noqa: E402
from peers import Peer  # noqa: E402

MODELS = ["resnet50_v1", "resnet18_v1", "mobilenet1.0", "mobilenetv2_1.0", "inceptionv3"]


def bench(model: str, batch: int, args: argparse.Namespace) -> dict[str, float]:
    d = exported_model("1.9.1", model)
    ensure_onnx(d, model, [batch])
    peers = [
        Peer("mxserve", d, batch, args.threads, args.dtype, label="new"),
        Peer(
            "mxserve",
            d,
            batch,
            args.threads,
            args.dtype,
            python=args.baseline_python,
            label="baseline",
        ),
        Peer("ort", d, batch, args.threads, label="ort"),
    ]
    times: dict[str, list[float]] = {p.name: [] for p in peers}
    try:
        for r in range(args.rounds):
            # the order rotates each round so that no build always runs first
            for p in peers[r % 3 :] + peers[: r % 3]:
                times[p.name] += p.time(args.iters)
            print(f"  {model} b{batch} round {r + 1}/{args.rounds}", flush=True)
    finally:
        for p in peers:
            p.close()
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--baseline-python", required=True)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--dtype", default="float32")
    args = ap.parse_args()
    rows = []
    for model in args.models.split(","):
        for batch in map(int, args.batches.split(",")):
            rows.append((model, batch, bench(model, batch, args)))
    print()
    print(
        "| model | batch | new ms | baseline ms | ORT ms | new/baseline | new/ORT | baseline/ORT |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for model, batch, t in rows:
        new, base, ort = t["new"], t["baseline"], t["ort"]
        print(
            f"| {model} | {batch} | {new:.2f} | {base:.2f} | {ort:.2f} | {new / base:.3f} | "
            f"{new / ort:.3f} | {base / ort:.3f} |"
        )


if __name__ == "__main__":
    main()
