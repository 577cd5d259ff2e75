# SPDX-License-Identifier: Apache-2.0
"""The model families beyond image classification on CPU: mxserve (float32 and bfloat16) vs
MXNet 1.9.1's C predict API and ONNX Runtime, side by side in one run.

BERT-base (GluonNLP 0.10 bert_12_768_12, encoder with pooler) and DistilBERT
(distilbert_6_768_12), exported by tests/oracle/recipes/nlp.py, sequence length 128, int32 token
ids and types, float32 valid lengths (full); GluonCV's SSD-512 MobileNet-1.0
(ssd_512_mobilenet1.0_voc, tests/oracle/recipes/detection.py), a 512 x 512 float32 image.
Random weights. ONNX files of the NLP models come from MXNet's own exporter (mx.onnx) in the
MXNet 1.9.1 + onnx 1.14.1 environment; a model it cannot export (SSD: its box_nms has no ONNX
export) is benchmarked without ONNX Runtime. One process per engine
(benchmarks/family_worker.py), warmed up, then rounds of timed calls alternating between
engines. Each engine's turn starts with --turn-warmup untimed calls (default 1): the engine that
ran before it leaves threads spinning for a while (ONNX Runtime's pool, MXNet's OpenMP), and a
first call that shares the cores with them measures the neighbour, not the engine. Prints per
model and batch the median ms of each engine and the ratio ours / best peer.

    python benchmarks/bench_families.py [--models bert_12_768_12,distilbert_6_768_12,...]
        [--batches 1,8] [--threads 2] [--rounds 5] [--iters 3] [--turn-warmup 1]
Needs `pip install ".[bench]"` (onnxruntime).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

from oracle.envs import run_in_oracle  # noqa: E402
from oracle.gluon import gluon_model  # noqa: E402
from peers import REPO, Peer  # noqa: E402

# model -> (recipe family, number of inputs (0: one image), sequence length or image side)
MODELS = {
    "bert_12_768_12": ("nlp", 3, 128),
    "distilbert_6_768_12": ("nlp", 2, 128),
    "ssd_512_mobilenet1.0_voc": ("detection", 0, 512),
}
ONNX_EXTRAS = ("onnx==1.14.1",)


def ensure_onnx(d: pathlib.Path, num_inputs: int, seq: int, batch: int) -> bool:
    if not (d / f"model-b{batch}.onnx").exists():
        try:
            run_in_oracle(
                "1.9.1",
                REPO / "benchmarks" / "mx_to_onnx_nlp.py",
                str(d),
                str(seq),
                str(num_inputs),
                str(batch),
                extras=ONNX_EXTRAS,
            )
        except Exception as e:  # noqa: BLE001 - the exporter's failure is reported, not fatal
            print(f"  mx.onnx export failed: {str(e).strip().splitlines()[-1][:200]}", flush=True)
            return False
    return True


def bench(model: str, batch: int, args: argparse.Namespace) -> dict:
    family, n, seq = MODELS[model]
    d = gluon_model(family, model)
    kinds = [("mxserve", "float32"), ("mxserve", "bfloat16"), ("mxnet_capi", "float32")]
    if family == "nlp" and ensure_onnx(d, n, seq, batch):
        kinds.append(("ort", "float32"))
    extra = (str(seq), str(n))
    peers = []
    row: dict = {"model": model, "batch": batch}
    try:
        for k, dt in kinds:
            peers.append(
                Peer(k, d, batch, args.threads, dt, worker="family_worker.py", extra_args=extra)
            )
        times: dict[str, list[float]] = {p.name: [] for p in peers}
        for r in range(args.rounds):
            for p in peers:
                times[p.name] += p.time(args.iters, warmup=args.turn_warmup)
            print(f"  {model} b{batch} round {r + 1}/{args.rounds}", flush=True)
        for p in peers:
            row[p.name] = statistics.median(times[p.name])
    finally:
        for p in peers:
            p.close()
    return row


def fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument(
        "--turn-warmup",
        type=int,
        default=1,
        help="untimed calls at the start of each engine's turn (0: time every call)",
    )
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
        "| model | batch | mxserve fp32 ms | mxserve bf16 ms | MXNet C API ms | ORT ms | "
        "fp32 ours/best peer | bf16 ours/best peer |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in rows:
        peers = [r[k] for k in ("mxnet_capi", "ort") if k in r]
        best = min(peers)
        print(
            f"| {r['model']} | {r['batch']} | {fmt(r['mxserve'])} | {fmt(r['mxserve_bfloat16'])} | "
            f"{fmt(r['mxnet_capi'])} | {fmt(r.get('ort'))} | {r['mxserve'] / best:.2f} | "
            f"{r['mxserve_bfloat16'] / best:.2f} |"
        )


if __name__ == "__main__":
    main()
