# SPDX-License-Identifier: Apache-2.0
"""MMS-route benchmark: `mxserve serve` beside Multi Model Server 1.1.11, driven by wrk.

    python benchmarks/bench_mms.py [--seconds 10] [--rounds 3] [--models mlp,resnet18_v1]

Both servers serve the same networks exported by MXNet 1.9.1 (the MLP 784-256-10 of
bench_serving.py and gluon's resnet18_v1 at 224x224) with the same batching (up to --max-batch
requests, --delay-ms to form a batch) and the same number of worker processes (--workers; each
MMS worker is a Python process running MXNet with CORES // workers threads, each mxserve worker
one model instance of CORES // workers threads). Every request is the same raw float32 body of
one sample, POSTed with wrk (one thread, --concurrency connections) to

- ``mms``: MMS's ``POST /predictions/<m>`` (handler benchmarks/mms_raw_handler.py, archived
  with ``model-archiver --runtime python``),
- ``mxserve-mms``: mxserve's ``POST /predictions/<m>``,
- ``mxserve-v2``: mxserve's ``POST /v2/models/<m>/infer`` as raw binary
  (``Inference-Header-Content-Length: 0``), the binary fast path,

one after another in alternating order for --rounds rounds, both servers running throughout.
It prints requests per second of each, the medians, the ratios mxserve-mms / mms and
mxserve-mms / mxserve-v2, and whether they meet issue 10's targets (>= 1.3x MMS on the MLP,
>= 1.1x on resnet18_v1, >= 0.9x the v2 route). MMS 1.1.11 and MXNet 1.9.1 run in their own
cached environment (as the test oracles, under $MXSERVE_ORACLE_CACHE); Java 11+ and wrk
(Debian: apt-get install wrk) must be installed.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from oracle.envs import CACHE, oracle_python, run_in_oracle  # noqa: E402
from oracle.models import exported_model  # noqa: E402

CORES = len(os.sched_getaffinity(0))
#: The MMS environment: MXNet 1.9.1 plus these (one cached environment, like the oracles).
MMS_EXTRAS = ("multi-model-server==1.1.11", "model-archiver==1.0.3")
TARGETS = ("mms", "mxserve-mms", "mxserve-v2")


def mlp_model() -> pathlib.Path:
    out = CACHE / "bench" / "mlp_784_256_10"
    if not (out / "io.npz").exists():
        run_in_oracle("1.9.1", HERE / "mx_export_mlp.py", str(out))
    return out


def model_specs(names: list[str]) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {}
    for name in names:
        if name == "mlp":
            specs[name] = {"path": mlp_model(), "sample": [784]}
        elif name == "resnet18_v1":
            specs[name] = {"path": exported_model("1.9.1", name), "sample": [3, 224, 224]}
        else:
            raise SystemExit(f"unknown model {name!r} (mlp, resnet18_v1)")
    return specs


def free_port() -> int:
    """A free loopback port below 32768 (MMS 1.1.11 rejects addresses with larger ones)."""
    rng = np.random.default_rng()
    for _ in range(200):
        port = int(rng.integers(20000, 32000))
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000..32000")


#: MMS's log configuration here: warnings and errors to stdout only (no access log, no metrics
#: log files), so that logging costs MMS no more than mxserve's --no-access-log costs mxserve.
MMS_LOG4J = """<?xml version="1.0" encoding="UTF-8"?>
<Configuration>
  <Appenders>
    <Console name="STDOUT" target="SYSTEM_OUT">
      <PatternLayout pattern="%d{ISO8601} [%-5p] %t %c - %m%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="warn"><AppenderRef ref="STDOUT"/></Root>
  </Loggers>
</Configuration>
"""


def output_name(path: pathlib.Path, sample: list[int]) -> str:
    import mxserve

    p = mxserve.Predictor.load(path / "model", input_shapes={"data": (1, *sample)}, num_threads=1)
    return str(p.output_names[0])


# -- mxserve ---------------------------------------------------------------------------------------


def mxserve_repo(root: pathlib.Path, specs: dict[str, dict[str, Any]], args: Any) -> None:
    threads = max(1, CORES // args.workers)
    for name, spec in specs.items():
        d = root / name
        (d / "1").mkdir(parents=True)
        for f in ("model-symbol.json", "model-0000.params"):
            shutil.copy(spec["path"] / f, d / "1" / f)
        cfg = {
            "name": name,
            "max_batch_size": args.max_batch,
            "input": [{"name": "data", "data_type": "TYPE_FP32", "dims": spec["sample"]}],
            "dynamic_batching": {
                "max_queue_delay_microseconds": int(args.delay_ms * 1000),
                "preferred_batch_size": [args.max_batch],
                "default_queue_policy": {"max_queue_size": 4096},
            },
            "instance_group": [{"count": 1, "kind": "KIND_CPU"}],
            "parameters": {"num_threads": threads},
        }
        (d / "config.json").write_text(json.dumps(cfg))


def start_mxserve(
    repo: pathlib.Path, port: int, log: pathlib.Path, workers: int
) -> subprocess.Popen[bytes]:
    import mxserve

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
        "0",
        "--no-access-log",
        "--log-format",
        "text",
        "--workers",
        str(workers),
    ]
    site = str(pathlib.Path(mxserve.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([site, os.environ.get("PYTHONPATH", "")]))
    with open(log, "wb") as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=log.parent)
    wait_until(proc, f"http://127.0.0.1:{port}/v2/health/ready", log, 180)
    return proc


# -- MMS -------------------------------------------------------------------------------------------


def mms_archives(
    store: pathlib.Path, specs: dict[str, dict[str, Any]], outputs: dict[str, str]
) -> None:
    """One .mar per model: its symbol and params (prefix = model name), the handler and the
    sample shape, archived by MMS's own model-archiver."""
    archiver = oracle_python("1.9.1", MMS_EXTRAS).parent / "model-archiver"
    for name, spec in specs.items():
        src = store.parent / f"src-{name}"
        src.mkdir()
        shutil.copy(spec["path"] / "model-symbol.json", src / f"{name}-symbol.json")
        shutil.copy(spec["path"] / "model-0000.params", src / f"{name}-0000.params")
        shutil.copy(HERE / "mms_raw_handler.py", src / "mms_raw_handler.py")
        meta = {"sample": spec["sample"], "output": outputs[name]}
        (src / "sample_shape.json").write_text(json.dumps(meta))
        subprocess.run(
            [
                str(archiver),
                "--model-name",
                name,
                "--model-path",
                str(src),
                "--handler",
                "mms_raw_handler:handle",
                "--runtime",
                "python",
                "--export-path",
                str(store),
                "--force",
            ],
            check=True,
            capture_output=True,
        )


def start_mms(
    root: pathlib.Path,
    store: pathlib.Path,
    port: int,
    mgmt_port: int,
    specs: dict[str, dict[str, Any]],
    args: Any,
) -> subprocess.Popen[bytes]:
    server = oracle_python("1.9.1", MMS_EXTRAS).parent / "multi-model-server"
    conf = root / "config.properties"
    conf.write_text(
        f"inference_address=http://127.0.0.1:{port}\n"
        f"management_address=http://127.0.0.1:{mgmt_port}\n"
        f"model_store={store}\n"
        "default_workers_per_model=0\n"
        "job_queue_size=4096\n"
    )
    log_config = root / "log4j2.xml"
    log_config.write_text(MMS_LOG4J)
    tmp = root / "mms-tmp"
    tmp.mkdir()
    threads = str(max(1, CORES // args.workers))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(TMPDIR=str(tmp), TEMP=str(tmp), OMP_NUM_THREADS=threads)
    log = root / "mms.log"
    with open(log, "wb") as f:
        proc = subprocess.Popen(
            [
                str(server),
                "--start",
                "--foreground",
                "--mms-config",
                str(conf),
                "--log-config",
                str(log_config),
            ],
            stdout=f,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=root,
            start_new_session=True,
        )
    wait_until(proc, f"http://127.0.0.1:{port}/ping", log, 180)
    for name in specs:
        q = (
            f"url={name}.mar&model_name={name}&batch_size={args.max_batch}"
            f"&max_batch_delay={int(args.delay_ms)}&initial_workers={args.workers}"
            "&synchronous=true&response_timeout=120"
        )
        req = urllib.request.Request(f"http://127.0.0.1:{mgmt_port}/models?{q}", method="POST")
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                r.read()
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"MMS did not register {name}: {e.read()!r}\n{log.read_text()}")
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (PermissionError, ProcessLookupError):
        proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (PermissionError, ProcessLookupError):
            proc.kill()
        proc.wait(10)


def wait_until(proc: subprocess.Popen[bytes], url: str, log: pathlib.Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 in {timeout:.0f} s:\n{log.read_text()[-4000:]}")


# -- load ------------------------------------------------------------------------------------------


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, int]:
    """(status, body, Inference-Header-Content-Length or -1)."""
    req = urllib.request.Request(url, body, headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            n = int(r.headers.get("Inference-Header-Content-Length") or -1)
            return r.status, r.read(), n
    except urllib.error.HTTPError as e:
        return e.code, e.read(), -1


def check_answers(urls: dict[str, str], body: bytes, out_name: str, x: np.ndarray) -> None:
    """Every target answers the sample with the same scores (mxserve vs MXNet in MMS)."""
    got = {}
    for target, url in urls.items():
        if target == "mxserve-v2":
            status, data, head = post(
                url,
                body,
                {
                    "Content-Type": "application/octet-stream",
                    "Inference-Header-Content-Length": "0",
                },
            )
            got[target] = np.frombuffer(data[head:], "<f4") if status == 200 else None
        else:
            status, data, _ = post(url, body, {"Content-Type": "application/octet-stream"})
            got[target] = np.asarray(json.loads(data)[out_name]).ravel() if status == 200 else None
        if status != 200:
            raise RuntimeError(f"{target} answered {status}: {data[:500]!r}")
    ref = got["mms"]
    for target, y in got.items():
        assert y is not None and ref is not None and y.shape == ref.shape, f"{target}: {y}"
        np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4, err_msg=f"{target} vs MMS")


def run_wrk(
    url: str, body_file: pathlib.Path, v2: bool, conc: int, seconds: float
) -> dict[str, Any]:
    cmd = [
        "wrk",
        "-t1",
        f"-c{conc}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(HERE / "wrk_body.lua"),
        url,
        "--",
        str(body_file),
        "application/octet-stream",
    ]
    if v2:
        cmd.append("0")  # Inference-Header-Content-Length: 0, the raw binary request
    out = subprocess.run(cmd, capture_output=True, timeout=seconds + 120)
    m = re.search(rb"WRK_JSON (\{.*\})", out.stdout)
    if out.returncode != 0 or m is None:
        raise RuntimeError(f"wrk failed:\n{out.stdout.decode()}\n{out.stderr.decode()}")
    r: dict[str, Any] = json.loads(m[1])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = sum(
        r[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return r


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "n/a (no request completed)"


#: Issue 10's targets for the MMS route: at least this many times MMS 1.1.11's rate.
MMS_TARGETS = {"mlp": 1.3, "resnet18_v1": 1.1}
#: ... and at least this fraction of mxserve's own v2 binary route (within 10%).
V2_TARGET = 0.9


def target_line(name: str, med: dict[str, float]) -> str:
    """Whether the medians meet issue 10's targets for ``name``."""
    parts = []
    want = MMS_TARGETS.get(name)
    if want is not None and med["mms"] > 0:
        got = med["mxserve-mms"] / med["mms"]
        parts.append(
            f"mxserve-mms / mms {got:.2f}x >= {want}x: {'met' if got >= want else 'NOT met'}"
        )
    if med["mxserve-v2"] > 0:
        got = med["mxserve-mms"] / med["mxserve-v2"]
        parts.append(
            f"mxserve-mms / mxserve-v2 {got:.2f}x >= {V2_TARGET}x: "
            f"{'met' if got >= V2_TARGET else 'NOT met'}"
        )
    return f"{name} target (issue 10): " + ("; ".join(parts) or "n/a (no request completed)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--models", default="mlp,resnet18_v1")
    ap.add_argument("--seconds", type=float, default=10, help="length of each measured wrk run")
    ap.add_argument("--warmup", type=float, default=3, help="wrk warm-up per target and model")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds over the targets")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2, help="worker processes of each server")
    ap.add_argument("--max-batch", type=int, default=8)
    ap.add_argument("--delay-ms", type=float, default=5, help="batching delay of both servers")
    ap.add_argument("--json", type=pathlib.Path, help="write the results here as JSON")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SystemExit("MMS needs Java 11+ (Debian: apt-get install openjdk-17-jre-headless)")
    specs = model_specs(args.models.split(","))
    oracle_python("1.9.1", MMS_EXTRAS)
    print(
        f"cores: {CORES}; workers per server: {args.workers}; batch {args.max_batch}, delay "
        f"{args.delay_ms} ms; wrk c={args.concurrency}, {args.seconds:.0f} s x {args.rounds} "
        "rounds",
        flush=True,
    )
    results: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}, "models": {}}
    root = pathlib.Path(tempfile.mkdtemp(prefix="bench-mms-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        outputs = {n: output_name(s["path"], s["sample"]) for n, s in specs.items()}
        store = root / "mms-store"
        store.mkdir()
        mms_archives(store, specs, outputs)
        mxserve_repo(root / "repo", specs, args)
        mms_port, mgmt_port, mx_port = free_port(), free_port(), free_port()
        procs.append(start_mms(root, store, mms_port, mgmt_port, specs, args))
        procs.append(start_mxserve(root / "repo", mx_port, root / "mxserve.log", args.workers))
        for name, spec in specs.items():
            x = np.random.default_rng(1).uniform(0, 1, (1, *spec["sample"])).astype(np.float32)
            body = x.astype("<f4").tobytes()
            body_file = root / f"{name}.bin"
            body_file.write_bytes(body)
            urls = {
                "mms": f"http://127.0.0.1:{mms_port}/predictions/{name}",
                "mxserve-mms": f"http://127.0.0.1:{mx_port}/predictions/{name}",
                "mxserve-v2": f"http://127.0.0.1:{mx_port}/v2/models/{name}/infer",
            }
            check_answers(urls, body, outputs[name], x)
            for target, url in urls.items():
                run_wrk(url, body_file, target == "mxserve-v2", args.concurrency, args.warmup)
            runs: dict[str, list[float]] = {t: [] for t in TARGETS}
            for r in range(args.rounds):
                order = TARGETS[r % 3 :] + TARGETS[: r % 3]
                for target in order:
                    res = run_wrk(
                        urls[target],
                        body_file,
                        target == "mxserve-v2",
                        args.concurrency,
                        args.seconds,
                    )
                    if res["errors"]:
                        print(f"  {target}: {res['errors']} errors", flush=True)
                    runs[target].append(res["rps"])
                    print(
                        f"{name} round {r + 1} {target:12s} {res['rps']:9.0f} req/s  p50 "
                        f"{res['p50_us'] / 1000:.2f} ms  p99 {res['p99_us'] / 1000:.2f} ms",
                        flush=True,
                    )
            med = {t: statistics.median(v) for t, v in runs.items()}
            results["models"][name] = {"runs": runs, "median": med}
            print(
                f"{name}: median req/s  mms {med['mms']:.0f}  mxserve-mms "
                f"{med['mxserve-mms']:.0f}  mxserve-v2 {med['mxserve-v2']:.0f};  mxserve-mms / "
                f"mms {ratio(med['mxserve-mms'], med['mms'])},  mxserve-mms / mxserve-v2 "
                f"{ratio(med['mxserve-mms'], med['mxserve-v2'])}",
                flush=True,
            )
            print(target_line(name, med), flush=True)
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
