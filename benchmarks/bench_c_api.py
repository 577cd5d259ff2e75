# SPDX-License-Identifier: Apache-2.0
"""Per-call overhead of the C predict API: mxserve's libmxnet_predict.so vs MXNet 1.9.1's
libmxnet.so (default threaded engine, and MXNET_ENGINE_TYPE=NaiveEngine, its fastest setting).

Measures MXPredSetInput + MXPredForward + MXPredGetOutput on a tiny model (one FullyConnected
16 -> 16, batch 1) from C (bench_c_api.c, built here with the system compiler and loading each
library with dlopen), so no binding overhead blurs it. The three peers run in alternating
rounds in one invocation, each with the same thread count; prints medians and the ratios.

    python benchmarks/bench_c_api.py [--iters 20000] [--rounds 7] [--repeats 3] [--threads 1]
Goals (issue 3): MXNet threaded / mxserve >= 5, and mxserve <= MXNet NaiveEngine.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from oracle.envs import oracle_python  # noqa: E402

from mxserve import nd, predict_api  # noqa: E402

FEATURES = 16


def write_model(folder: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    nodes = [
        {"op": "null", "name": "data", "inputs": []},
        {"op": "null", "name": "fc_weight", "inputs": []},
        {"op": "null", "name": "fc_bias", "inputs": []},
        {
            "op": "FullyConnected",
            "name": "fc",
            "attrs": {"num_hidden": str(FEATURES)},
            "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]],
        },
    ]
    sym = folder / "fc-symbol.json"
    sym.write_text(
        json.dumps(
            {
                "nodes": nodes,
                "arg_nodes": [0, 1, 2],
                "node_row_ptr": [0, 1, 2, 3, 4],
                "heads": [[3, 0, 0]],
                "attrs": {"mxnet_version": ["int", 10901]},
            }
        )
    )
    rng = np.random.RandomState(0)
    params = folder / "fc-0000.params"
    nd.save(
        params,
        {
            "arg:fc_weight": rng.uniform(-1, 1, (FEATURES, FEATURES)).astype(np.float32),
            "arg:fc_bias": rng.uniform(-1, 1, (FEATURES,)).astype(np.float32),
        },
    )
    return sym, params


def libmxnet_path() -> str:
    code = (
        "import importlib.util, os; s = importlib.util.find_spec('mxnet'); "
        "print(os.path.join(list(s.submodule_search_locations)[0], 'libmxnet.so'))"
    )
    return subprocess.run(
        [str(oracle_python("1.9.1")), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--iters", type=int, default=20000, help="calls per round")
    ap.add_argument("--rounds", type=int, default=7, help="rounds per process (the median is kept)")
    ap.add_argument("--repeats", type=int, default=3, help="alternating processes per peer")
    ap.add_argument("--threads", type=int, default=1, help="OMP / MXSERVE threads for every peer")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        exe = folder / "bench_c_api"
        cc = os.environ.get("CC") or shutil.which("cc") or "cc"
        subprocess.run(
            [
                cc,
                "-std=c99",
                "-O2",
                "-Wall",
                "-Werror",
                str(REPO / "benchmarks" / "bench_c_api.c"),
                "-o",
                str(exe),
                "-ldl",
            ],
            check=True,
        )
        sym, params = write_model(folder)
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "VIRTUAL_ENV", "MXNET_"))
        }
        base.update(OMP_NUM_THREADS=str(args.threads), MXSERVE_NUM_THREADS=str(args.threads))
        peers = {
            "mxserve": (str(predict_api.library_path()), {}),
            "mxnet (threaded engine)": (libmxnet_path(), {}),
            "mxnet (NaiveEngine)": (libmxnet_path(), {"MXNET_ENGINE_TYPE": "NaiveEngine"}),
        }
        times: dict[str, list[float]] = {name: [] for name in peers}
        for _ in range(args.repeats):
            for name, (lib, extra) in peers.items():
                out = subprocess.run(
                    [
                        str(exe),
                        lib,
                        str(sym),
                        str(params),
                        "1",
                        str(FEATURES),
                        str(args.iters),
                        str(args.rounds),
                    ],
                    capture_output=True,
                    text=True,
                    env={**base, **extra},
                )
                if out.returncode != 0:
                    sys.exit(f"{name} failed:\n{out.stderr}")
                m = re.search(r"median_us=([0-9.]+)", out.stdout)
                assert m is not None, out.stdout
                times[name].append(float(m.group(1)))

    med = {name: statistics.median(v) for name, v in times.items()}
    print(
        f"SetInput+Forward+GetOutput, FullyConnected {FEATURES}->{FEATURES}, batch 1, "
        f"{args.threads} thread(s), {args.iters} calls x {args.rounds} rounds "
        f"x {args.repeats} processes"
    )
    for name, t in med.items():
        runs = ", ".join(f"{x:.2f}" for x in times[name])
        print(f"  {name:26s} {t:8.2f} us/call   (runs: {runs})")
    ours = med["mxserve"]
    threaded = med["mxnet (threaded engine)"] / ours
    naive = med["mxnet (NaiveEngine)"] / ours
    verdict = {True: "met", False: "NOT met"}
    print(f"  mxnet threaded / mxserve = {threaded:.1f}x   (goal >= 5x: {verdict[threaded >= 5]})")
    print(f"  mxnet naive    / mxserve = {naive:.2f}x   (goal >= 1x: {verdict[naive >= 1]})")


if __name__ == "__main__":
    main()
