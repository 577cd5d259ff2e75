# SPDX-License-Identifier: Apache-2.0
"""The CPU performance suite: mxserve vs ONNX Runtime vs MXNet 1.9.1's C predict API, side by
side in one run.

For each model (MXNet 1.9.1 gluon model zoo, random weights) and batch size: exports it with real
MXNet, converts it to ONNX with MXNet's exporter (onnx 1.14.1, initializers removed from the graph
inputs), starts one process per engine (mxserve fp32, mxserve bf16, ORT, MXNet C API with
NaiveEngine), warms each up, then alternates rounds of timed calls. Prints the median latency per
batch, the ratios ours/ORT and ours/MXNet, each engine's peak RSS and load time, the bf16 speed-up
over our fp32 and the max relative error of bf16 logits against fp32.

    python benchmarks/bench_models.py [--models resnet50_v1,...] [--batches 1,8] [--threads 2]
        [--rounds 5] [--iters 5] [--no-bf16]
Needs `pip install ".[bench]"` (onnxruntime). The ONNX export environment is created on first use
under ~/.cache/mxserve/oracle/.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile

import numpy as np

# The benchmarks share the tests' oracle helpers (MXNet environments, exported models).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

from oracle.envs import run_in_oracle  # noqa: E402
from oracle.models import exported_model  # noqa: E402
from peers import REPO, Peer  # noqa: E402

MODELS = [
    "resnet50_v1",
    "resnet18_v1",
    "mobilenet1.0",
    "mobilenetv2_1.0",
    "densenet121",
    "inceptionv3",
    "vgg16",
]
ONNX_EXTRAS = ("onnx==1.14.1",)


def ensure_onnx(model_dir, model: str, batches: list[int]) -> None:
    missing = [b for b in batches if not (model_dir / f"model-b{b}.onnx").exists()]
    if missing:
        size = 299 if model.startswith("inception") else 224
        run_in_oracle(
            "1.9.1",
            REPO / "benchmarks" / "mx_to_onnx.py",
            str(model_dir),
            str(size),
            *map(str, missing),
            extras=ONNX_EXTRAS,
        )


def bench(model: str, batch: int, args: argparse.Namespace) -> dict:
    d = exported_model("1.9.1", model)
    ensure_onnx(d, model, [batch])
    kinds = [("mxserve", "float32"), ("ort", "float32"), ("mxnet_capi", "float32")]
    if args.bf16:
        kinds.append(("mxserve", "bfloat16"))
    peers = [Peer(k, d, batch, args.threads, dt) for k, dt in kinds]
    times: dict[str, list[float]] = {p.name: [] for p in peers}
    row: dict = {"model": model, "batch": batch}
    try:
        for r in range(args.rounds):
            for p in peers:
                times[p.name] += p.time(args.iters)
            print(f"  {model} b{batch} round {r + 1}/{args.rounds}", flush=True)
        for p in peers:
            row[p.name] = statistics.median(times[p.name])
            stats = p.ask(cmd="stats")
            row[p.name + "_rss"] = stats["peak_rss_mb"]
            row[p.name + "_load"] = stats["load_ms"]
        if args.bf16:
            with tempfile.TemporaryDirectory() as tmp:
                peers[0].ask(cmd="output", path=f"{tmp}/f.npy")
                peers[-1].ask(cmd="output", path=f"{tmp}/b.npy")
                f, b = np.load(f"{tmp}/f.npy"), np.load(f"{tmp}/b.npy")
            row["bf16_rel_err"] = float(np.abs(b - f).max() / np.abs(f).max())
    finally:
        for p in peers:
            p.close()
    return row


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--no-bf16", dest="bf16", action="store_false")
    args = ap.parse_args()
    rows = []
    for model in args.models.split(","):
        for batch in map(int, args.batches.split(",")):
            try:
                rows.append(bench(model, batch, args))
            except Exception as e:  # one failing engine must not hide the other results
                print(f"  {model} b{batch} failed: {e}", flush=True)
    print()
    header = (
        "| model | batch | mxserve ms | ORT ms | MXNet C API ms | ours/ORT | ours/MXNet | "
        "RSS MB ours/ORT/MXNet | load ms ours/ORT/MXNet |"
    )
    if args.bf16:
        header += " bf16 ms | bf16 speed-up | bf16 max rel err |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in rows:
        ours, ort, mx = r["mxserve"], r["ort"], r["mxnet_capi"]
        line = (
            f"| {r['model']} | {r['batch']} | {ours:.2f} | {ort:.2f} | {mx:.2f} | "
            f"{ours / ort:.3f} | {ours / mx:.3f} | "
            f"{r['mxserve_rss']:.0f}/{r['ort_rss']:.0f}/{r['mxnet_capi_rss']:.0f} | "
            f"{r['mxserve_load']:.0f}/{r['ort_load']:.0f}/{r['mxnet_capi_load']:.0f} |"
        )
        if args.bf16:
            bf = r["mxserve_bfloat16"]
            line += f" {bf:.2f} | {ours / bf:.2f}x | {r['bf16_rel_err']:.2e} |"
        print(line)


if __name__ == "__main__":
    main()
