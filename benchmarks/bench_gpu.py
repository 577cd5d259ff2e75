# SPDX-License-Identifier: Apache-2.0
"""GPU throughput and latency: mxserve on cuda:0 against PyTorch on the same GPU, in one run.

For resnet50_v1 and mobilenetv2_1.0 at batch 1, 8 and 64, in float32 and float16, it times
  - mxserve: Predictor(device="cuda:0", dtype=...) from the model's symbol JSON (exported by
    MXNet; see tests/gpu/zoo.py) with seeded weights,
  - PyTorch eager: torchvision's resnet50 / mobilenet_v2, channels_last,
    torch.backends.cudnn.benchmark = True, .half() for float16,
  - PyTorch with CUDA graphs: the same module captured once per batch size and replayed.
Every measured call takes a host float32 array and returns a host array (both peers pay the
copies). Prints one line per case with the median latency, throughput and the ratios
mxserve / peer; --json writes the same rows to a file, rewritten after each case. A measurement
that fails is recorded in its row's "errors" and the others go on. mxserve runs
in the layout the CUDA backend picks (NCHW for float32, channels-last for float16);
--layouts both also times it in the other one (MXSERVE_LAYOUT), after the peers. float32 is
exact float32 math on both sides (PyTorch's cuDNN TF32 default turned off); --tf32 lets both
use TF32 tensor cores (MXSERVE_CUDA_TF32=1 and PyTorch's allow_tf32 flags).

Usage: python benchmarks/bench_gpu.py [--iters 50] [--warmup 10] [--json OUT]
       [--models resnet50_v1,mobilenetv2_1.0] [--batches 1,8,64] [--dtypes float32,float16]
       [--layouts default|both] [--tf32]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

from gpu import zoo  # noqa: E402

import mxserve  # noqa: E402

TORCH_EQUIVALENT = {"resnet50_v1": "resnet50", "mobilenetv2_1.0": "mobilenet_v2"}


def median_seconds(fn: Callable[[], Any], iters: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_mxserve(
    prefix: pathlib.Path, x: np.ndarray, dtype: str, iters: int, warmup: int, layout: str = ""
) -> float:
    """Times the predictor bound with MXSERVE_LAYOUT=layout (unset: the backend's choice)."""
    saved = os.environ.pop("MXSERVE_LAYOUT", None)
    if layout:
        os.environ["MXSERVE_LAYOUT"] = layout
    try:
        p = mxserve.Predictor.load(
            prefix, 0, input_shapes={"data": x.shape}, device="cuda:0", dtype=dtype
        )
    finally:
        os.environ.pop("MXSERVE_LAYOUT", None)
        if saved is not None:
            os.environ["MXSERVE_LAYOUT"] = saved
    return median_seconds(lambda: p(data=x), iters, warmup)


def torch_model(name: str, dtype: str) -> Any:
    import torch
    import torchvision

    torch.backends.cudnn.benchmark = True
    tf32 = os.environ.get("MXSERVE_CUDA_TF32") == "1"
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    m = getattr(torchvision.models, TORCH_EQUIVALENT[name])(weights=None).eval().cuda()
    m = m.to(memory_format=torch.channels_last)
    return m.half() if dtype == "float16" else m


def bench_torch_eager(name: str, x: np.ndarray, dtype: str, iters: int, warmup: int) -> float:
    import torch

    m = torch_model(name, dtype)
    host = torch.from_numpy(x).pin_memory()
    tdtype = torch.float16 if dtype == "float16" else torch.float32

    def run() -> None:
        with torch.inference_mode():
            d = (
                host.cuda(non_blocking=True)
                .to(tdtype)
                .contiguous(memory_format=torch.channels_last)
            )
            m(d).float().cpu()

    return median_seconds(run, iters, warmup)


def bench_torch_graph(name: str, x: np.ndarray, dtype: str, iters: int, warmup: int) -> float:
    import torch

    m = torch_model(name, dtype)
    tdtype = torch.float16 if dtype == "float16" else torch.float32
    host = torch.from_numpy(x).pin_memory()
    static_in = torch.empty(x.shape, device="cuda", dtype=tdtype).contiguous(
        memory_format=torch.channels_last
    )
    with torch.inference_mode():
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                m(static_in)
        torch.cuda.current_stream().wait_stream(s)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            static_out = m(static_in)

    def run() -> None:
        static_in.copy_(host.cuda(non_blocking=True))
        graph.replay()
        static_out.float().cpu()

    return median_seconds(run, iters, warmup)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--models", default="resnet50_v1,mobilenetv2_1.0")
    ap.add_argument("--batches", default="1,8,64")
    ap.add_argument("--dtypes", default="float32,float16")
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--no-torch", action="store_true", help="time mxserve only")
    ap.add_argument(
        "--tf32", action="store_true", help="float32 on TF32 tensor cores, on both sides"
    )
    ap.add_argument(
        "--layouts",
        choices=("default", "both"),
        default="default",
        help="both: also time mxserve in the layout the backend does not pick",
    )
    ap.add_argument("--json", type=pathlib.Path, help="write the rows to this file")
    args = ap.parse_args()
    if args.tf32:
        os.environ["MXSERVE_CUDA_TF32"] = "1"
    else:
        os.environ.pop("MXSERVE_CUDA_TF32", None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            prefix = zoo.make_params(name, pathlib.Path(tmp))
            for dtype in args.dtypes.split(","):
                for b in (int(v) for v in args.batches.split(",")):
                    x = zoo.make_input(name, b)
                    row: dict[str, Any] = {
                        "model": name,
                        "dtype": dtype,
                        "batch": b,
                        "tf32": args.tf32,
                    }
                    run_case(row, args, prefix, x)
                    rows.append(row)
                    if args.json:
                        args.json.write_text(json.dumps(rows, indent=1))


def measure(row: dict[str, Any], key: str, fn: Callable[[], float]) -> None:
    """row[key] = fn(), or the error under row["errors"][key]: one failing measurement must not
    end the comparison."""
    try:
        row[key] = fn()
    except Exception as e:
        row.setdefault("errors", {})[key] = f"{type(e).__name__}: {e}"


def run_case(row: dict[str, Any], args: argparse.Namespace, prefix: pathlib.Path, x: Any) -> None:
    """Times one (model, dtype, batch) case into `row` and prints its line."""
    name, dtype, b = row["model"], row["dtype"], row["batch"]
    it, wu = args.iters, args.warmup
    measure(row, "mxserve_s", lambda: bench_mxserve(prefix, x, dtype, it, wu))
    if not args.no_torch:
        measure(row, "torch_eager_s", lambda: bench_torch_eager(name, x, dtype, it, wu))
        measure(row, "torch_graph_s", lambda: bench_torch_graph(name, x, dtype, it, wu))
    if args.layouts == "both":
        other = "rowmajor" if dtype != "float32" else "channels_last"
        row["other_layout"] = other
        measure(
            row,
            "mxserve_other_layout_s",
            lambda: bench_mxserve(prefix, x, dtype, it, wu, layout=other),
        )
    line = f"{name:16s} {dtype:8s} b{b:<3d}"
    if "mxserve_s" in row:
        line += f" mxserve {row['mxserve_s'] * 1e3:8.2f} ms ({b / row['mxserve_s']:8.1f}/s)"
    for peer in ("torch_eager", "torch_graph"):
        if f"{peer}_s" not in row:
            continue
        line += f"  {peer} {row[f'{peer}_s'] * 1e3:8.2f} ms"
        if "mxserve_s" in row:
            ratio = row[f"{peer}_s"] / row["mxserve_s"]
            row[f"speedup_vs_{peer}"] = ratio
            line += f" (mxserve {ratio:5.2f}x)"
    if "mxserve_other_layout_s" in row:
        line += f"  mxserve {row['other_layout']} {row['mxserve_other_layout_s'] * 1e3:8.2f} ms"
    for key, error in row.get("errors", {}).items():
        line += f"  [{key} failed: {error}]"
    print(line, flush=True)


if __name__ == "__main__":
    main()
