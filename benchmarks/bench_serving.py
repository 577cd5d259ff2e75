# SPDX-License-Identifier: Apache-2.0
"""Serving benchmark: `mxserve serve` on loopback, driven by wrk, next to the raw in-process
Predictor.

    python benchmarks/bench_serving.py [--seconds 5] [--concurrency 1,8,32]
        [--models resnet18_v1,mlp]

For two models exported by MXNet 1.9.1 -- resnet18_v1 (compute-bound) and a tiny MLP 784-256-10
(per-request overhead is everything) -- it measures throughput and p50/p90/p99 latency at each
concurrency with and without dynamic batching, the server's CPU time per request and the load
generator's own CPU use, and the raw Predictor's throughput at the same batch sizes in the same
run. Every request goes to 127.0.0.1. Every loop is bounded in time (wrk -d, --seconds) and in
count (--max-requests for the Python fallback generator and the raw loops).

wrk (Debian: apt-get install wrk) is the load generator: one thread, a Lua script
(benchmarks/wrk_body.lua) that POSTs a prepared binary KServe v2 request. Without wrk a Python
generator is used (it costs far more CPU; the table says which generator ran).

gRPC (``--grpc-concurrency``, default 32; 0 = skip): on the same server, right after its HTTP
runs, the MLP with batching is driven over KServe v2 gRPC, one connection per request in flight,
and then a bare grpcio server running the same MLP in numpy (``grpc_bench.serve_numpy``, as many
processes as the server has workers) is driven the same way: the ceiling of a Python gRPC
server. It prints the ratios gRPC/HTTP, mxserve/ceiling and ceiling/HTTP, each side's CPU per
request and the generator's CPU use, and whether gRPC reached the HTTP figure of the same run
(issue 10's target). The gRPC generator is h2load (C, as wrk; Debian: apt-get
install nghttp2-client) when installed, else Python grpc.aio processes (``--grpc-procs``),
which cost far more CPU per request.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(REPO / "tests"))

from oracle.envs import CACHE, run_in_oracle  # noqa: E402
from oracle.models import exported_model  # noqa: E402

CORES = len(os.sched_getaffinity(0))


def mlp_model() -> pathlib.Path:
    out = CACHE / "bench" / "mlp_784_256_10"
    if not (out / "io.npz").exists():
        run_in_oracle("1.9.1", HERE / "mx_export_mlp.py", str(out))
    return out


def models(names: list[str]) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {}
    if "resnet18_v1" in names:
        specs["resnet18_v1"] = {
            "path": exported_model("1.9.1", "resnet18_v1"),
            "sample": (3, 224, 224),
            "max_batch": 8,
            "delay_us": 5000,
            # compute-bound: one process, CORES instances sharing one copy of the weights
            "workers": 1,
        }
    if "mlp" in names:
        # per-request overhead bound: one event loop per core
        specs["mlp"] = {
            "path": mlp_model(),
            "sample": (784,),
            "max_batch": 32,
            "delay_us": 500,
            "workers": CORES,
        }
    return specs


# -- raw predictor ---------------------------------------------------------------------------------


def raw_throughput(
    path: pathlib.Path,
    sample: tuple[int, ...],
    batch: int,
    callers: int,
    threads: int,
    seconds: float,
    max_calls: int,
) -> float:
    """Samples/s of one Predictor called from `callers` Python threads, `threads` intra-op each."""
    import mxserve

    p = mxserve.Predictor.load(
        path / "model", input_shapes={"data": (batch, *sample)}, num_threads=threads
    )
    x = np.random.default_rng(0).uniform(0, 1, (batch, *sample)).astype(np.float32)
    for _ in range(3):
        p(data=x)
    counts = [0] * callers
    stop = time.perf_counter() + seconds

    def work(i: int) -> None:
        while time.perf_counter() < stop and counts[i] < max_calls:
            p(data=x)
            counts[i] += 1

    ts = [threading.Thread(target=work, args=(i,)) for i in range(callers)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) * batch / (time.perf_counter() - t0)


# -- server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_repo(
    root: pathlib.Path, specs: dict[str, dict[str, Any]], workers: int
) -> list[tuple[str, str, bool]]:
    """Two entries per model: `<m>-nobatch` (each request runs alone on one of the instances)
    and `<m>-batch` (dynamic batching up to max_batch). Every worker process has CORES // workers
    instances of one thread, so that all of them together use CORES threads."""
    entries = []
    for name, spec in specs.items():
        dims = list(spec["sample"])
        base = {
            "max_batch_size": spec["max_batch"],
            "input": [{"name": "data", "data_type": "TYPE_FP32", "dims": dims}],
            "instance_group": [{"count": max(1, CORES // workers), "kind": "KIND_CPU"}],
            "parameters": {"num_threads": 1},
        }
        for batching in (False, True):
            entry = f"{name}-{'batch' if batching else 'nobatch'}"
            cfg = dict(base, name=entry)
            if batching:
                cfg["dynamic_batching"] = {
                    "max_queue_delay_microseconds": spec["delay_us"],
                    "preferred_batch_size": [spec["max_batch"]],
                    "default_queue_policy": {"max_queue_size": 4096},
                }
            d = root / entry
            (d / "1").mkdir(parents=True)
            for f in ("model-symbol.json", "model-0000.params"):
                shutil.copy(spec["path"] / f, d / "1" / f)
            (d / "config.json").write_text(json.dumps(cfg))
            entries.append((name, entry, batching))
    return entries


def start_server(
    repo: pathlib.Path, port: int, log: pathlib.Path, workers: int, grpc_port: int = 0
) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "mxserve",
        "serve",
        "--model-store",
        str(repo),
        "--host",
        "127.0.0.1",
        "--http-port",
        str(port),
        "--metrics-port",
        "0",
        "--grpc-port",
        str(grpc_port),
        "--no-access-log",
        "--log-format",
        "text",
        "--workers",
        str(workers),
    ]
    import mxserve  # the server imports the same mxserve as this script

    site = str(pathlib.Path(mxserve.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([site, os.environ.get("PYTHONPATH", "")]))
    with open(log, "wb") as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=log.parent)
    import urllib.request

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not become ready")


def proc_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its live child processes (the workers)."""
    total = 0
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = text.rsplit(")", 1)[1].split()
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def request_body(sample: tuple[int, ...]) -> tuple[bytes, int, np.ndarray]:
    x = np.random.default_rng(1).uniform(0, 1, (1, *sample)).astype(np.float32)
    raw = x.astype("<f4").tobytes()
    # ask for every output, binary: no "outputs" list, binary_data_output instead
    head = json.dumps(
        {
            "inputs": [
                {
                    "name": "data",
                    "shape": list(x.shape),
                    "datatype": "FP32",
                    "parameters": {"binary_data_size": len(raw)},
                }
            ],
            "parameters": {"binary_data_output": True},
        }
    ).encode()
    return head + raw, len(head), x


def progress(label: str, seconds: float, stop: threading.Event) -> None:
    t0 = time.monotonic()
    width = 30
    while not stop.wait(0.5):
        done = min(1.0, (time.monotonic() - t0) / seconds)
        bar = "#" * int(done * width) + "." * (width - int(done * width))
        print(
            f"\r  {label} [{bar}] {time.monotonic() - t0:4.1f}/{seconds:.0f} s", end="", flush=True
        )
    print(f"\r  {label} [{'#' * width}] done{' ' * 12}", flush=True)


def run_wrk(
    url: str, body_file: pathlib.Path, header_len: int, conc: int, seconds: float, label: str
) -> dict[str, Any]:
    cmd = [
        "wrk",
        "-t1",
        f"-c{conc}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "wrk_body.lua"),
        url,
        "--",
        str(body_file),
        "application/octet-stream",
        str(header_len),
    ]
    stop = threading.Event()
    bar = threading.Thread(target=progress, args=(label, seconds, stop))
    bar.start()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=seconds + 60)
    finally:
        stop.set()
        bar.join()
    line = next((ln for ln in out.decode().splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed:\n{out.decode()}")
    r = json.loads(line[len("WRK_JSON ") :])
    r["errors"] = sum(
        r[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return r


def run_python(
    url: str, body: bytes, header_len: int, conc: int, seconds: float, max_requests: int, label: str
) -> dict[str, Any]:
    """Fallback generator: `conc` threads with keep-alive connections; bounded in time and count."""
    import http.client
    from urllib.parse import urlparse

    u = urlparse(url)
    lat: list[float] = []
    errors = [0]
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        headers = {
            "Content-Type": "application/octet-stream",
            "Inference-Header-Content-Length": str(header_len),
        }
        while time.monotonic() < stop_at:
            with lock:
                if len(lat) >= max_requests:
                    return
            t0 = time.perf_counter()
            conn.request("POST", u.path, body, headers)
            r = conn.getresponse()
            r.read()
            with lock:
                lat.append(time.perf_counter() - t0)
                errors[0] += r.status != 200

    stop = threading.Event()
    bar = threading.Thread(target=progress, args=(label, seconds, stop))
    bar.start()
    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(conc)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - t0
    stop.set()
    bar.join()
    q = np.percentile(np.array(lat) * 1e6, [50, 90, 99]) if lat else [0, 0, 0]
    return {
        "requests": len(lat),
        "duration_us": int(elapsed * 1e6),
        "p50_us": int(q[0]),
        "p90_us": int(q[1]),
        "p99_us": int(q[2]),
        "errors": errors[0],
    }


def check_answer(
    url: str, body: bytes, header_len: int, x: np.ndarray, spec: dict[str, Any]
) -> None:
    """One request, compared with the in-process Predictor (the server must answer correctly)."""
    import http.client

    import mxserve

    conn = http.client.HTTPConnection("127.0.0.1", int(url.split(":")[2].split("/")[0]), timeout=60)
    conn.request(
        "POST",
        "/" + url.split("/", 3)[3],
        body,
        {"Inference-Header-Content-Length": str(header_len)},
    )
    r = conn.getresponse()
    data = r.read()
    assert r.status == 200, data
    n = int(r.getheader("Inference-Header-Content-Length"))
    head = json.loads(data[:n])
    got = np.frombuffer(data[n:], "<f4").reshape(head["outputs"][0]["shape"])
    p = mxserve.Predictor.load(
        spec["path"] / "model", input_shapes={"data": x.shape}, num_threads=1
    )
    np.testing.assert_allclose(got, p(data=x)[0], rtol=1e-4, atol=1e-4)


def drive(
    args: argparse.Namespace,
    gen: str,
    server: subprocess.Popen[bytes],
    port: int,
    root: pathlib.Path,
    name: str,
    spec: dict[str, Any],
    entry: str,
    batching: bool,
    concs: list[int],
    results: dict[str, Any],
    counter: list[int],
    total: int,
) -> None:
    """Drives one repository entry at every concurrency and appends a row per run."""
    body, header_len, x = request_body(spec["sample"])
    body_file = root / f"{entry}.bin"
    body_file.write_bytes(body)
    url = f"http://127.0.0.1:{port}/v2/models/{entry}/infer"
    check_answer(url, body, header_len, x, spec)
    for conc in concs:
        counter[0] += 1
        label = f"[{counter[0]}/{total}] {entry:<22} c={conc:<3}"
        gen_args = (
            (url, body_file, header_len, conc) if gen == "wrk" else (url, body, header_len, conc)
        )
        if gen == "wrk":
            run_wrk(*gen_args, args.warmup, label + " warm-up")  # type: ignore[arg-type]
        else:
            run_python(*gen_args, args.warmup, args.max_requests, label + " warm-up")  # type: ignore[arg-type]
        cpu0 = proc_cpu_seconds(server.pid)
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self0 = resource.getrusage(resource.RUSAGE_SELF)
        if gen == "wrk":
            r = run_wrk(*gen_args, args.seconds, label)  # type: ignore[arg-type]
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            gen_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        else:
            r = run_python(*gen_args, args.seconds, args.max_requests, label)  # type: ignore[arg-type]
            self1 = resource.getrusage(resource.RUSAGE_SELF)
            gen_cpu = (self1.ru_utime - self0.ru_utime) + (self1.ru_stime - self0.ru_stime)
        server_cpu = proc_cpu_seconds(server.pid) - cpu0
        secs = r["duration_us"] / 1e6
        row = {
            "model": name,
            "batching": batching,
            "concurrency": conc,
            "rps": r["requests"] / secs,
            "p50_ms": r["p50_us"] / 1000,
            "p90_ms": r["p90_us"] / 1000,
            "p99_ms": r["p99_us"] / 1000,
            "errors": r["errors"],
            "requests": r["requests"],
            "server_cpu_ms_per_req": 1000 * server_cpu / max(r["requests"], 1),
            "generator_cpu_pct": 100 * gen_cpu / secs,
        }
        results["runs"].append(row)
        print(
            f"      {row['rps']:9.1f} req/s  p50 {row['p50_ms']:7.2f}  p90 {row['p90_ms']:7.2f}  "
            f"p99 {row['p99_ms']:7.2f} ms  errors {row['errors']}  server CPU "
            f"{row['server_cpu_ms_per_req']:.3f} ms/req  "
            f"generator CPU {row['generator_cpu_pct']:.0f}%",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="duration of each measured run (wrk counts the requests completed in it; the first "
        "batches of a run fill the pipeline, so short runs under-read compute-bound models)",
    )
    ap.add_argument(
        "--warmup", type=float, default=2.0, help="duration of the warm-up run before each config"
    )
    ap.add_argument("--concurrency", default="1,8,32")
    ap.add_argument("--models", default="resnet18_v1,mlp")
    ap.add_argument(
        "--max-requests", type=int, default=200_000, help="cap per run (Python generator, raw)"
    )
    ap.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="server worker processes (mxserve serve --workers) for every model; each gets "
        "CORES // workers instances of one thread (default: per model, 1 for resnet18_v1, "
        "one per core for the MLP)",
    )
    ap.add_argument(
        "--grpc-concurrency",
        type=int,
        default=32,
        help="requests in flight for the gRPC MLP runs (0 = no gRPC runs)",
    )
    ap.add_argument(
        "--grpc-procs", type=int, default=2, help="processes of the Python gRPC load generator"
    )
    ap.add_argument("--grpc-generator", choices=["auto", "h2load", "python"], default="auto")
    ap.add_argument("--json", type=pathlib.Path, default=CACHE / "bench" / "serving.json")
    args = ap.parse_args()
    concs = [int(c) for c in args.concurrency.split(",")]
    gen = args.generator
    if gen == "auto":
        gen = "wrk" if shutil.which("wrk") else "python"
    print(
        f"cores: {CORES}; server workers: {args.workers or 'per model'}; generator: {gen}; "
        f"{args.seconds:.0f} s per run; loopback only",
        flush=True,
    )

    specs = models(args.models.split(","))
    results: dict[str, Any] = {
        "cores": CORES,
        "workers": {},
        "generator": gen,
        "seconds": args.seconds,
        "raw": {},
        "runs": [],
        "grpc": [],
    }
    results["loadavg_start"] = os.getloadavg()
    print("raw in-process Predictor (samples/s):", flush=True)
    for name, spec in specs.items():
        for batch in (1, spec["max_batch"]):
            for callers, threads in ((1, CORES), (CORES, 1)):
                v = raw_throughput(
                    spec["path"],
                    spec["sample"],
                    batch,
                    callers,
                    threads,
                    min(args.seconds, 5),
                    args.max_requests,
                )
                results["raw"][f"{name}/b{batch}/{callers}x{threads}"] = v
                print(
                    f"  {name} batch {batch:>2}, {callers} caller(s) x {threads} thread(s): "
                    f"{v:10.1f}",
                    flush=True,
                )

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="mxserve-bench-"))
    total = 2 * len(specs) * len(concs)
    counter = [0]
    for name, spec in specs.items():
        workers = args.workers or spec["workers"]
        results["workers"][name] = workers
        root = tmp / name
        entries = make_repo(root / "repo", {name: spec}, workers)
        port = free_port()
        grpc_port = free_port() if name == "mlp" and args.grpc_concurrency else 0
        server = start_server(root / "repo", port, root / "server.log", workers, grpc_port)
        try:
            for _, entry, batching in entries:
                drive(
                    args,
                    gen,
                    server,
                    port,
                    root,
                    name,
                    spec,
                    entry,
                    batching,
                    concs,
                    results,
                    counter,
                    total,
                )
            if grpc_port:
                grpc_runs(args, server, port, grpc_port, root, name, spec, workers, results)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
    results["loadavg_end"] = os.getloadavg()
    report(results, specs)
    report_grpc(results)
    print(
        f"load average at start {results['loadavg_start']}, at end {results['loadavg_end']} "
        f"(other processes on the machine skew every figure)"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"\nraw results: {args.json}")
    shutil.rmtree(tmp, ignore_errors=True)


def grpc_runs(
    args: argparse.Namespace,
    server: subprocess.Popen[bytes],
    http_port: int,
    grpc_port: int,
    root: pathlib.Path,
    name: str,
    spec: dict[str, Any],
    workers: int,
    results: dict[str, Any],
) -> None:
    """The MLP with batching over gRPC on ``server``, then the bare numpy grpcio ceiling."""
    import grpc_bench

    import mxserve

    conc = args.grpc_concurrency
    _, _, x = request_body(spec["sample"])
    expected = mxserve.Predictor.load(
        spec["path"] / "model", input_shapes={"data": x.shape}, num_threads=1
    )(data=x)[0]
    entry = f"{name}-batch"
    address = f"127.0.0.1:{grpc_port}"
    grpc_bench.check_answer(address, entry, x, expected)
    body = grpc_bench.infer_request(entry, x)
    gen = args.grpc_generator
    if gen == "auto":
        gen = "h2load" if grpc_bench.have_h2load() else "python"

    def warm_grpc(target: str) -> None:
        """h2load's warm-up, run apart so that the measured run's CPU figures leave it out
        (the Python generator warms up inside its run)."""
        if gen == "h2load" and args.warmup > 0:
            grpc_bench.load_h2load(target, body, conc, args.warmup, 0, root)

    def drive_grpc(target: str) -> dict[str, Any]:
        """One load run; ``generator_cpu_pct``: the generator's CPU use over the run (h2load,
        or the Python generator's processes), to show that the client is not what is measured."""
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        if gen == "h2load":
            r = grpc_bench.load_h2load(target, body, conc, args.seconds, 0, root)
        else:
            r = grpc_bench.load(
                target, body, conc, args.seconds, args.warmup, args.grpc_procs, args.max_requests
            )
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        r["generator_cpu_pct"] = 100 * used / max(time.monotonic() - t0, 1e-9)
        return r

    print(f"      gRPC {entry} c={conc} (generator: {gen})", flush=True)
    warm_grpc(address)
    served0 = _success_count(http_port, entry)
    cpu0 = proc_cpu_seconds(server.pid)
    r = drive_grpc(address)
    server_cpu = proc_cpu_seconds(server.pid) - cpu0
    served = _success_count(http_port, entry) - served0
    if served < r["requests"]:  # h2load cannot see gRPC errors; the server's count can
        r["errors"] += r["requests"] - served
    rows = [_grpc_row("mxserve", name, conc, r, server_cpu, gen)]
    ceiling_port = free_port()
    procs = grpc_bench.serve_numpy(spec["path"], ceiling_port, workers)
    try:
        grpc_bench.wait_ready(f"127.0.0.1:{ceiling_port}")
        grpc_bench.check_answer(f"127.0.0.1:{ceiling_port}", entry, x, expected)
        print(f"      bare grpcio + numpy ceiling c={conc} ({workers} processes)", flush=True)
        warm_grpc(f"127.0.0.1:{ceiling_port}")
        cpu0 = sum(proc_cpu_seconds(p.pid) for p in procs)
        r = drive_grpc(f"127.0.0.1:{ceiling_port}")
        ceiling_cpu = sum(proc_cpu_seconds(p.pid) for p in procs) - cpu0
        rows.append(_grpc_row("grpcio+numpy", name, conc, r, ceiling_cpu, gen))
    finally:
        for p in procs:
            p.terminate()
            p.join(10)
    for row in rows:
        lat = (
            f"mean {row['mean_ms']:7.2f} ms"
            if row["p50_ms"] is None
            else f"p50 {row['p50_ms']:7.2f}  p99 {row['p99_ms']:7.2f} ms"
        )
        print(
            f"      {row['server']:<13} {row['rps']:9.1f} req/s  {lat}  errors {row['errors']}  "
            f"server CPU {row['server_cpu_ms_per_req']:.3f} ms/req  generator CPU "
            f"{row['generator_cpu_pct']:.0f}%",
            flush=True,
        )
    results["grpc"] += rows


def _success_count(http_port: int, entry: str) -> int:
    """The server's count of successful requests of ``entry`` (summed over its workers)."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/v2/models/{entry}/stats") as r:
        stats = json.load(r)["model_stats"][0]
    return int(stats["inference_stats"]["success"]["count"])


def _grpc_row(
    server: str,
    name: str,
    conc: int,
    r: dict[str, Any],
    server_cpu: float,
    generator: str,
) -> dict[str, Any]:
    if "rps" in r:  # h2load: rate and mean latency only
        rps, p50, p90, p99 = r["rps"], None, None, None
    else:
        rps = r["requests"] / (r["duration_us"] / 1e6)
        p50, p90, p99 = (r[k] / 1000 for k in ("p50_us", "p90_us", "p99_us"))
    return {
        "server": server,
        "generator": generator,
        "model": name,
        "batching": server == "mxserve",
        "concurrency": conc,
        "rps": rps,
        "p50_ms": p50,
        "p90_ms": p90,
        "p99_ms": p99,
        "mean_ms": r.get("mean_ms"),
        "errors": r["errors"],
        "requests": r["requests"],
        "server_cpu_ms_per_req": 1000 * server_cpu / max(r["requests"], 1),
        "generator_cpu_pct": r["generator_cpu_pct"],
    }


def report_grpc(results: dict[str, Any]) -> None:
    rows = {r["server"]: r for r in results["grpc"]}
    if "mxserve" not in rows:
        return
    g = rows["mxserve"]
    http = [
        r
        for r in results["runs"]
        if r["model"] == g["model"] and r["batching"] and r["concurrency"] == g["concurrency"]
    ]
    line = f"{g['model']} gRPC, batching on, c={g['concurrency']}: {g['rps']:.1f} req/s"
    if http:
        line += f"; HTTP v2 binary in the same run {http[0]['rps']:.1f} req/s"
        line += f" (gRPC/HTTP {g['rps'] / max(http[0]['rps'], 1e-9):.2f}x)"
    if "grpcio+numpy" in rows:
        c = rows["grpcio+numpy"]
        line += (
            f"; bare grpcio + numpy ceiling {c['rps']:.1f} req/s "
            f"(mxserve/ceiling {g['rps'] / max(c['rps'], 1e-9):.2f}x"
        )
        if http:
            line += f", ceiling/HTTP {c['rps'] / max(http[0]['rps'], 1e-9):.2f}x"
        line += ")"
    print(line)
    if http:
        ok = g["rps"] >= http[0]["rps"]
        print(
            f"target (issue 10): gRPC >= HTTP at c={g['concurrency']} with batching: "
            f"{'met' if ok else 'NOT met'} ({g['rps'] / max(http[0]['rps'], 1e-9):.2f}x)"
        )


def report(results: dict[str, Any], specs: dict[str, dict[str, Any]]) -> None:
    print(
        "\n| model | batching | concurrency | req/s | p50 ms | p90 ms | p99 ms | "
        "server CPU ms/req | generator CPU | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results["runs"]:
        print(
            f"| {r['model']} | {'on' if r['batching'] else 'off'} | {r['concurrency']} | "
            f"{r['rps']:.1f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{r['server_cpu_ms_per_req']:.3f} | "
            f"{r['generator_cpu_pct']:.0f}% | {r['errors']} |"
        )
    print()
    for name, spec in specs.items():
        prefix = f"{name}/b{spec['max_batch']}/"
        at_max = max(v for k, v in results["raw"].items() if k.startswith(prefix))
        best_key, best_raw = max(
            ((k, v) for k, v in results["raw"].items() if k.startswith(f"{name}/")),
            key=lambda kv: kv[1],
        )
        top = [r for r in results["runs"] if r["model"] == name and r["batching"]]
        if not top:
            continue
        best = max(top, key=lambda r: r["concurrency"])
        print(
            f"{name}: batching on, concurrency {best['concurrency']}: {best['rps']:.1f} req/s, "
            f"p99 {best['p99_ms']:.2f} ms; {best['rps'] / at_max:.2f}x the raw Predictor at batch "
            f"{spec['max_batch']} ({at_max:.1f}/s), "
            f"{best['rps'] / best_raw:.2f}x its best raw figure "
            f"({best_key}: {best_raw:.1f}/s)"
        )


if __name__ == "__main__":
    main()
