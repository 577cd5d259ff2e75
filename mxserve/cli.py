# SPDX-License-Identifier: Apache-2.0
"""The `mxserve` command line: `mxserve predict`, `mxserve ops`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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
    from . import _runtime

    if args.markdown:
        from ._opsdoc import render_markdown

        sys.stdout.write(render_markdown())
    else:
        for name in _runtime.supported_operators():
            print(name)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="mxserve", description="Run exported Apache MXNet models.")
    sub = ap.add_subparsers(dest="command", required=True)
    pr = sub.add_parser("predict", help="load PREFIX-symbol.json / PREFIX-EPOCH.params and run it once")
    pr.add_argument("prefix")
    pr.add_argument("--epoch", type=int, default=0)
    pr.add_argument("--shape", type=_parse_shape, action="append", default=[], help="NAME=D1,D2,...")
    pr.add_argument("--input", help=".npy array, or .npz with x (and optional labels y)")
    pr.add_argument("--random", action="store_true", help="feed uniform random input (the default without --input)")
    pr.add_argument("--threads", type=int, default=0)
    pr.add_argument("--show", type=int, default=10, help="samples to print")
    pr.set_defaults(func=_cmd_predict)
    op = sub.add_parser("ops", help="list the supported MXNet operators")
    op.add_argument("--markdown", action="store_true", help="print docs/ops.md")
    op.set_defaults(func=_cmd_ops)
    args = ap.parse_args(argv)
    from .errors import MXServeError

    try:
        return int(args.func(args))
    except MXServeError as e:
        print(f"mxserve: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
