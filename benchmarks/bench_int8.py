# SPDX-License-Identifier: Apache-2.0
"""int8 side by side: mxserve float32, bfloat16 and int8 (its own calibration, mxserve.quantize),
ONNX Runtime int8 (``quantize_static``, QDQ, of MXNet's ONNX export) and MXNet 1.9.1's own int8
(``quantize_net``) through its C predict API, plus mxserve running MXNet's int8 graph.

Every engine runs in its own process (peer_worker.py) and they alternate rounds in one run.
All three quantizers calibrate on the same inputs; the error of each int8 against mxserve's
float32 is the relative L2 of the logits and the top-1 agreement on `--eval` inputs that are not
in the calibration set. Models are the oracle's fixed-seed exports (tests/oracle/models.py).
The last column, "same graph", times mxserve and MXNet on the very graph MXNet quantized.

    python benchmarks/bench_int8.py [--models resnet50_v1 ...] [--batches 1 8] [--mode naive]
        [--calib 32] [--eval 256] [--iters 20] [--rounds 5] [--threads 0]

Needs ``pip install ".[bench]"`` (onnxruntime). Targets (issue 13): ours int8 <= 0.9x MXNet int8
and <= 0.8x ONNX Runtime int8 at batch 1 and 8; int8 error no worse than MXNet's.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_models import ensure_onnx  # noqa: E402
from oracle.envs import CACHE, GLUON, run_in_oracle  # noqa: E402
from oracle.models import exported_model  # noqa: E402
from peers import Peer  # noqa: E402

import mxserve  # noqa: E402

MODELS = ["resnet50_v1", "resnet18_v1", "mobilenet1.0", "mobilenetv2_1.0", "inceptionv3"]


def _size(model: str) -> int:
    return 299 if model.startswith("inception") else 224


def prepare(model: str, args: argparse.Namespace) -> dict[str, pathlib.Path]:
    """Exports, quantizes (ours, MXNet's, ONNX Runtime's) and writes the calibration and
    evaluation sets; returns the model folders by engine."""
    fp32 = exported_model("1.9.1", model)
    work = CACHE / "bench_int8" / f"{model}-{args.mode}-c{args.calib}"
    work.mkdir(parents=True, exist_ok=True)
    s = _size(model)
    calib = np.random.RandomState(1).uniform(-1, 1, (args.calib, 3, s, s)).astype(np.float32)
    test = np.random.RandomState(2).uniform(-1, 1, (args.eval, 3, s, s)).astype(np.float32)
    np.savez(work / "calib.npz", data=calib)
    np.savez(work / "eval.npz", data=test)
    ours = work / model / "ours"
    mxserve.quantize(
        fp32 / "model", {"data": calib}, mode=args.mode, batch_size=8, out=ours / "model"
    )
    mx = work / model / "mxnet"
    run_in_oracle(
        "1.9.1",
        REPO / "benchmarks" / "mx_quantize_int8.py",
        str(fp32),
        str(work / "calib.npz"),
        args.mode,
        "8",
        str(mx),
        str(work / "eval.npz"),
        extras=GLUON,
    )
    ensure_onnx(fp32, model, sorted(set(args.batches) | {1}))
    ort = work / model / "ort"
    ort.mkdir(parents=True, exist_ok=True)
    link = ort / "model-symbol.json"  # peer_worker reads the input shape from the symbol
    if not link.exists():
        link.symlink_to(fp32 / "model-symbol.json")
    for b in args.batches:
        ort_quantize(fp32 / f"model-b{b}.onnx", ort / f"model-b{b}.onnx", calib, b)
    return {"fp32": fp32, "ours": ours, "mxnet": mx, "ort": ort, "work": work}


def ort_quantize(src: pathlib.Path, dst: pathlib.Path, calib: np.ndarray, batch: int) -> None:
    """ONNX Runtime's static QDQ int8 (its defaults: MinMax calibration, per-tensor)."""
    if dst.exists():
        return
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, quantize_static

    name = onnx.load(str(src)).graph.input[0].name

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            usable = len(calib) // batch * batch
            self.batches = iter(calib[i : i + batch] for i in range(0, usable, batch))

        def get_next(self) -> dict[str, np.ndarray] | None:
            x = next(self.batches, None)
            return None if x is None else {name: x}

    quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ)


def logits_errors(ref: np.ndarray, out: np.ndarray) -> tuple[float, float]:
    """(relative L2, top-1 agreement) of `out` against `ref`."""
    rel = float(np.linalg.norm(out - ref) / np.linalg.norm(ref))
    return rel, float((out.argmax(1) == ref.argmax(1)).mean())


def accuracy(d: dict[str, pathlib.Path], model: str) -> dict[str, str]:
    x = np.load(d["work"] / "eval.npz")["data"]

    def ours(folder: pathlib.Path) -> np.ndarray:
        p = mxserve.Predictor.load(folder / "model", input_shapes={"data": (8, *x.shape[1:])})
        return np.concatenate([p(data=x[i : i + 8])[0] for i in range(0, len(x), 8)])

    ref = ours(d["fp32"])
    out: dict[str, str] = {}
    results: dict[str, np.ndarray | str] = {"mxnet_int8": np.load(d["mxnet"] / "eval_logits.npy")}
    for label, folder in (("ours_int8", d["ours"]), ("ours_on_mxnet_int8", d["mxnet"])):
        try:
            results[label] = ours(folder)
        except mxserve.MXServeError as e:
            results[label] = f"n/a ({type(e).__name__})"
    import onnxruntime as ort

    s = ort.InferenceSession(str(d["ort"] / "model-b1.onnx"), providers=["CPUExecutionProvider"])
    name = s.get_inputs()[0].name
    results["ort_int8"] = np.concatenate(
        [s.run(None, {name: x[i : i + 1]})[0] for i in range(len(x))]
    )
    for label, r in results.items():
        if isinstance(r, str):
            out[label] = r
        else:
            rel, top1 = logits_errors(ref, r)
            out[label] = f"rel L2 {rel:.4f}, top-1 {top1:.3f}"
    return out


def bench(model: str, batch: int, d: dict[str, pathlib.Path], args: argparse.Namespace) -> dict:
    specs = [
        ("ours_fp32", "mxserve", d["fp32"], "float32"),
        ("ours_bf16", "mxserve", d["fp32"], "bfloat16"),
        ("ours_int8", "mxserve", d["ours"], "float32"),
        ("ours_on_mxnet_int8", "mxserve", d["mxnet"], "float32"),
        ("mxnet_int8", "mxnet_capi", d["mxnet"], "float32"),
        ("ort_int8", "ort", d["ort"], "float32"),
    ]
    peers, times = {}, {}
    for label, kind, folder, dtype in specs:
        try:
            p = Peer(kind, folder, batch, args.threads, dtype)
            p.time(1)
            peers[label] = p
            times[label] = []
        except RuntimeError as e:
            times[label] = f"n/a ({e})"
    order = list(peers.items())
    for r in range(args.rounds):
        # the order rotates each round so that no engine always runs first
        for label, p in order[r % len(order) :] + order[: r % len(order)]:
            times[label].extend(p.time(args.iters))
    for p in peers.values():
        p.close()
    return {k: statistics.median(v) if isinstance(v, list) else v for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=MODELS)
    ap.add_argument("--batches", nargs="+", type=int, default=[1, 8])
    ap.add_argument("--mode", choices=["naive", "entropy"], default="naive")
    ap.add_argument("--calib", type=int, default=32, help="calibration inputs")
    ap.add_argument("--eval", type=int, default=256, help="evaluation inputs (not calibrated on)")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    print(
        "| model | batch | ours fp32 | ours bf16 | ours int8 | MXNet int8 | ORT int8 | ours on "
        "MXNet's int8 | ours/MXNet int8 | ours/ORT int8 | same graph: ours/MXNet |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    errors = {}
    for model in args.models:
        d = prepare(model, args)
        errors[model] = accuracy(d, model)
        for b in args.batches:
            t = bench(model, b, d, args)

            def ms(k: str) -> str:
                return f"{t[k]:.2f} ms" if isinstance(t[k], float) else str(t[k])

            def ratio(a: str, b_: str) -> str:
                ok = isinstance(t[a], float) and isinstance(t[b_], float)
                return f"{t[a] / t[b_]:.2f}" if ok else "n/a"

            print(
                f"| {model} | {b} | {ms('ours_fp32')} | {ms('ours_bf16')} | {ms('ours_int8')} | "
                f"{ms('mxnet_int8')} | {ms('ort_int8')} | {ms('ours_on_mxnet_int8')} | "
                f"{ratio('ours_int8', 'mxnet_int8')} | {ratio('ours_int8', 'ort_int8')} | "
                f"{ratio('ours_on_mxnet_int8', 'mxnet_int8')} |",
                flush=True,
            )
    print(f"\nint8 error against mxserve float32 on {args.eval} inputs not in the calibration set")
    print("| model | ours int8 | MXNet int8 | ORT int8 | ours on MXNet's int8 |")
    print("|---|---|---|---|---|")
    for model, e in errors.items():
        print(
            f"| {model} | {e['ours_int8']} | {e['mxnet_int8']} | {e['ort_int8']} | "
            f"{e['ours_on_mxnet_int8']} |"
        )


if __name__ == "__main__":
    main()
