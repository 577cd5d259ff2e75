# SPDX-License-Identifier: Apache-2.0
"""The `mxserve` command line: `predict`, `ops`, `quantize`, `serve`, `models`,
`kserve-manifest`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _parse_shape(text: str) -> tuple[str, tuple[int, ...]]:
    name, _, dims = text.partition("=")
    if not name or not dims:
        raise argparse.ArgumentTypeError(f"expected NAME=D1,D2,..., got '{text}'")
    try:
        return name, tuple(int(d) for d in dims.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"dimensions must be integers: '{text}'") from None


def _load_input(path: str) -> tuple[np.ndarray, np.ndarray | None]:
    if path.endswith(".npz"):
        with np.load(path) as f:
            x = f["x"] if "x" in f.files else f[f.files[0]]
            y = f["y"] if "y" in f.files else None
        return x, y
    return np.load(path), None


def _cmd_predict(args: argparse.Namespace) -> int:
    from . import Predictor

    labels = None
    if args.input:
        x, labels = _load_input(args.input)
        x = x.astype(np.float32)
        name = args.shape[0][0] if args.shape else "data"
        shapes = {name: x.shape}
        feeds = {name: x}
    else:
        if not args.shape:
            print("mxserve predict: give --input FILE or --shape NAME=DIMS", file=sys.stderr)
            return 2
        shapes = dict(args.shape)
        rng = np.random.default_rng(0)
        feeds = {k: rng.uniform(0, 1, v).astype(np.float32) for k, v in shapes.items()}
    p = Predictor.load(args.prefix, args.epoch, input_shapes=shapes, num_threads=args.threads)
    outs = p(**feeds)
    for name, out in zip(p.output_names, outs):
        print(f"{name}: shape {out.shape}")
        if out.ndim == 2:
            top = out.argmax(axis=1)
            for i, cls in enumerate(top[: args.show]):
                truth = f" (label {int(labels[i])})" if labels is not None else ""
                print(f"  sample {i}: class {int(cls)}{truth}")
            if labels is not None:
                print(f"  accuracy {float((top == labels).mean()):.4f} on {len(labels)} samples")
    return 0


def _cmd_ops(args: argparse.Namespace) -> int:
    from ._opsdoc import render_markdown, render_text

    sys.stdout.write(render_markdown() if args.markdown else render_text())
    return 0


def _cmd_quantize(args: argparse.Namespace) -> int:
    from .quantization import quantize

    out = args.out or f"{args.prefix}_int8"
    quantize(
        args.prefix,
        args.calib,
        mode=args.mode,
        quantized_dtype=args.quantized_dtype,
        out=out,
        epoch=args.epoch,
        batch_size=args.batch_size,
        num_calib_examples=args.num_calib_examples,
        exclude_layers=args.exclude_layer,
        progress=not args.quiet,
        num_threads=args.threads,
    )
    print(f"wrote {out}-symbol.json and {out}-0000.params")
    return 0


def _parse_model(text: str) -> tuple[str, str]:
    name, _, path = text.partition("=")
    if not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got '{text}'")
    return name, path


def _port_or_off(text: str) -> int:
    if text.strip().lower() == "off":
        return 0
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number or 'off', got '{text}'") from None


def _settings(args: argparse.Namespace) -> object:
    from .server.config import Settings

    overrides = {
        "model_store": args.model_store,
        "models": dict(args.model) if args.model else None,
        "host": getattr(args, "host", None),
        "http_port": getattr(args, "http_port", None),
        "metrics_port": getattr(args, "metrics_port", None),
        "grpc_port": getattr(args, "grpc_port", None),
        "exit_timeout_secs": getattr(args, "exit_timeout_secs", None),
        "max_request_bytes": getattr(args, "max_request_bytes", None),
        "max_buffered_bytes": getattr(args, "max_buffered_bytes", None),
        "model_control_mode": getattr(args, "model_control_mode", None),
        "repository_poll_secs": getattr(args, "repository_poll_secs", None),
        "load_models": getattr(args, "load_model", None) or None,
        "enable_model_api": getattr(args, "enable_model_api", None) or None,
        "num_threads": getattr(args, "threads", None),
        "workers": getattr(args, "workers", None),
        "access_log": False if getattr(args, "no_access_log", False) else None,
        "log_format": getattr(args, "log_format", None),
        "overload_status": getattr(args, "overload_status", None),
    }
    return Settings.from_env(**overrides)


def _cmd_serve(args: argparse.Namespace) -> int:
    if args.ray:
        from .ray import serve_blocking

        s = _settings(args)
        return serve_blocking(
            None if args.model and args.model_store is None else s.model_store,  # type: ignore[attr-defined]
            s.models,  # type: ignore[attr-defined]
            s.host,  # type: ignore[attr-defined]
            s.http_port,  # type: ignore[attr-defined]
            s.num_threads,  # type: ignore[attr-defined]
            args.ray_replicas,
        )
    from .server.main import serve

    return serve(_settings(args))  # type: ignore[arg-type]


def _cmd_models(args: argparse.Namespace) -> int:
    import asyncio

    from .server.lifecycle import ModelRepository

    async def scan() -> list[dict[str, str]]:
        repo = ModelRepository(_settings(args))  # type: ignore[arg-type]
        repo.scan()
        await repo.load_at_start()
        rows = repo.index()
        await repo.close()
        return rows

    rows = asyncio.run(scan())
    if args.json:
        import json

        print(json.dumps(rows, indent=2))
        return 0 if all(r["state"] == "READY" for r in rows) else 1
    width = max([len(r["name"]) for r in rows] + [5])
    print(f"{'MODEL':<{width}}  VERSION  STATE        REASON")
    for r in rows:
        print(f"{r['name']:<{width}}  {r['version'] or '-':<7}  {r['state']:<11}  {r['reason']}")
    return 0 if all(r["state"] == "READY" for r in rows) else 1


def _cmd_kserve_manifest(args: argparse.Namespace) -> int:
    from .kserve_manifest import render

    sys.stdout.write(render(args))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from ._version import __version__

    ap = argparse.ArgumentParser(prog="mxserve", description="Run exported Apache MXNet models.")
    ap.add_argument("--version", action="version", version=f"mxserve {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    pr = sub.add_parser(
        "predict", help="load PREFIX-symbol.json / PREFIX-EPOCH.params and run it once"
    )
    pr.add_argument("prefix")
    pr.add_argument("--epoch", type=int, default=0)
    pr.add_argument(
        "--shape", type=_parse_shape, action="append", default=[], help="NAME=D1,D2,..."
    )
    pr.add_argument("--input", help=".npy array, or .npz with x (and optional labels y)")
    pr.add_argument(
        "--random",
        action="store_true",
        help="feed uniform random input (the default without --input)",
    )
    pr.add_argument("--threads", type=int, default=0)
    pr.add_argument("--show", type=int, default=10, help="samples to print")
    pr.set_defaults(func=_cmd_predict)
    op = sub.add_parser("ops", help="list the supported MXNet operators")
    op.add_argument("--markdown", action="store_true", help="print docs/ops.md")
    op.set_defaults(func=_cmd_ops)
    qz = sub.add_parser(
        "quantize",
        help="calibrate PREFIX and write MXNet 1.9.1's int8 graph of it (PREFIX_int8)",
    )
    qz.add_argument("prefix")
    qz.add_argument("--calib", required=True, help=".npz with one array per input (N, ...)")
    qz.add_argument("--mode", choices=["naive", "entropy"], default="naive")
    qz.add_argument("--quantized-dtype", choices=["auto", "int8", "uint8"], default="auto")
    qz.add_argument("--out", help="output prefix (default PREFIX_int8)")
    qz.add_argument("--epoch", type=int, default=0)
    qz.add_argument("--batch-size", type=int, default=32, help="calibration batch (default 32)")
    qz.add_argument("--num-calib-examples", type=int, default=None)
    qz.add_argument(
        "--exclude-layer", action="append", default=[], help="node name to keep in float32"
    )
    qz.add_argument("--threads", type=int, default=0)
    qz.add_argument("--quiet", action="store_true", help="no progress bar")
    qz.set_defaults(func=_cmd_quantize)
    sv = sub.add_parser(
        "serve", help="serve a model repository over HTTP and gRPC (KServe v2 / Triton, MMS)"
    )
    sm = sub.add_parser("models", help="list the model repository with each model's load status")
    for p in (sv, sm):
        p.add_argument(
            "--model-store", type=Path, default=None, help="model repository (default model_store)"
        )
        p.add_argument(
            "--model",
            type=_parse_model,
            action="append",
            default=[],
            metavar="NAME=PATH",
            help="serve one more model from PATH (model dir, version dir or symbol prefix)",
        )
        p.add_argument(
            "--threads", type=int, default=None, help="intra-op threads per model instance"
        )
    sv.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    sv.add_argument(
        "--http-port", type=int, default=None, help="KServe v2 / MMS port (default 8000)"
    )
    sv.add_argument(
        "--metrics-port", type=int, default=None, help="Prometheus port (default 8002; 0 = off)"
    )
    sv.add_argument(
        "--grpc-port",
        type=_port_or_off,
        default=None,
        help="KServe v2 / Triton gRPC port (default 8001; 0 or 'off' = no gRPC)",
    )
    sv.add_argument(
        "--exit-timeout-secs", type=float, default=None, help="drain limit on SIGTERM (default 30)"
    )
    sv.add_argument(
        "--max-request-bytes", type=int, default=None, help="request body limit (default 64 MiB)"
    )
    sv.add_argument(
        "--max-buffered-bytes",
        type=int,
        default=None,
        help="total of request bodies buffered at once per process; above it 503 (default 1 GiB)",
    )
    sv.add_argument(
        "--model-control-mode",
        choices=["none", "explicit", "poll"],
        default=None,
        help="none: load the repository once; explicit: load/unload through the API; "
        "poll: follow the model store's files",
    )
    sv.add_argument(
        "--repository-poll-secs",
        type=float,
        default=None,
        help="poll mode: seconds between scans of the model store (default 15)",
    )
    sv.add_argument(
        "--load-model", action="append", default=[], help="explicit mode: load at start ('*' = all)"
    )
    sv.add_argument("--enable-model-api", action="store_true", help="allow MMS POST/DELETE /models")
    sv.add_argument(
        "--overload-status",
        type=int,
        choices=[503, 429],
        default=None,
        help="status for queue full / queue timeout (default 503, as Triton)",
    )
    sv.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server processes sharing the ports, metrics summed across them (default 1)",
    )
    sv.add_argument(
        "--ray",
        action="store_true",
        help="serve one model directory through Ray Serve (mxserve.ray; pip install mxserve[ray])",
    )
    sv.add_argument(
        "--ray-replicas",
        type=int,
        default=None,
        help="--ray: a fixed number of replicas (default: autoscaling, 1 to 4)",
    )
    sv.add_argument("--no-access-log", action="store_true")
    sv.add_argument("--log-format", choices=["json", "text"], default=None)
    sv.set_defaults(func=_cmd_serve)
    sm.add_argument("--json", action="store_true")
    sm.set_defaults(func=_cmd_models)
    km = sub.add_parser(
        "kserve-manifest", help="print a KServe InferenceService that runs the mxserve container"
    )
    from .kserve_manifest import add_arguments

    add_arguments(km)
    km.set_defaults(func=_cmd_kserve_manifest)
    args = ap.parse_args(argv)
    from .errors import MXServeError

    try:
        return int(args.func(args))
    except MXServeError as e:
        print(f"mxserve: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
