# SPDX-License-Identifier: Apache-2.0
"""NLP models on CPU: mxserve (float32 and bfloat16) vs MXNet 1.9.1's C predict API and ONNX
Runtime, side by side in one run.

BERT-base (GluonNLP 0.10 bert_12_768_12, encoder with pooler) and DistilBERT
(distilbert_6_768_12), random weights, exported by tests/oracle/recipes/nlp.py, sequence length
128; int32 token ids and types, float32 valid lengths (full). ONNX files come from MXNet's own
exporter (mx.onnx) in the MXNet 1.9.1 + onnx 1.14.1 environment; a model it cannot export is
benchmarked without ONNX Runtime. One process per engine (benchmarks/nlp_worker.py), warmed up,
then rounds of timed calls alternating between engines. Prints per model and batch the median
ms of each engine and the ratio ours / best peer.

    python benchmarks/bench_nlp.py [--models bert_12_768_12,distilbert_6_768_12]
        [--batches 1,8] [--threads 2] [--rounds 5] [--iters 3]
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

MODELS = {"bert_12_768_12": 3, "distilbert_6_768_12": 2}  # model -> number of inputs
SEQ = 128
ONNX_EXTRAS = ("onnx==1.14.1",)


def ensure_onnx(d: pathlib.Path, num_inputs: int, batch: int) -> bool:
    if not (d / f"model-b{batch}.onnx").exists():
        try:
            run_in_oracle(
                "1.9.1",
                REPO / "benchmarks" / "mx_to_onnx_nlp.py",
                str(d),
                str(SEQ),
                str(num_inputs),
                str(batch),
                extras=ONNX_EXTRAS,
            )
        except Exception as e:  # noqa: BLE001 - the exporter's failure is reported, not fatal
            print(f"  mx.onnx export failed: {str(e).strip().splitlines()[-1][:200]}", flush=True)
            return False
    return True


def bench(model: str, batch: int, args: argparse.Namespace) -> dict:
    d = gluon_model("nlp", model)
    n = MODELS[model]
    kinds = [("mxserve", "float32"), ("mxserve", "bfloat16"), ("mxnet_capi", "float32")]
    if ensure_onnx(d, n, batch):
        kinds.append(("ort", "float32"))
    extra = (str(SEQ), str(n))
    peers = []
    row: dict = {"model": model, "batch": batch}
    try:
        for k, dt in kinds:
            peers.append(
                Peer(k, d, batch, args.threads, dt, worker="nlp_worker.py", extra_args=extra)
            )
        times: dict[str, list[float]] = {p.name: [] for p in peers}
        for r in range(args.rounds):
            for p in peers:
                times[p.name] += p.time(args.iters)
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
