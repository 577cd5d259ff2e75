# SPDX-License-Identifier: Apache-2.0
"""The 34 gluon.model_zoo.vision networks as symbol JSONs (exported here by MXNet 1.9.1 through
tests/oracle/mx_zoo_symbols.py, small enough to carry to a GPU machine) with weights made from a
seeded generator and written with mxserve.nd.save, so that no weights travel.

The weights are scaled like He initialisation and the BatchNorm statistics are random but
well-conditioned, so activations stay O(1) through the deepest networks and a float32 comparison
at rtol 1e-3 / atol 1e-4 is meaningful.
"""

from __future__ import annotations

import json
import os
import pathlib

import numpy as np

import mxserve

#: Where the symbol JSONs and parameter shapes are: $MXSERVE_GPU_ZOO or .gpu-carry/zoo.
ZOO_DIR = pathlib.Path(
    os.environ.get(
        "MXSERVE_GPU_ZOO", pathlib.Path(__file__).resolve().parents[2] / ".gpu-carry" / "zoo"
    )
)
#: Real MXNet exports with MXNet's outputs: $MXSERVE_GPU_REAL or .gpu-carry/real.
REAL_DIR = pathlib.Path(
    os.environ.get(
        "MXSERVE_GPU_REAL", pathlib.Path(__file__).resolve().parents[2] / ".gpu-carry" / "real"
    )
)


def input_size(name: str) -> int:
    return 299 if name.startswith("inception") else 224


def available() -> list[str]:
    """Names with a symbol JSON in ZOO_DIR."""
    if not ZOO_DIR.is_dir():
        return []
    return sorted(p.name[: -len("-symbol.json")] for p in ZOO_DIR.glob("*-symbol.json"))


def save_seeded_params(shapes: dict, path: pathlib.Path, seed: int = 0) -> None:
    """Writes seeded weights for `shapes` ({"arg": {name: shape}, "aux": {...}}) to `path`."""
    rng = np.random.default_rng(seed)
    arrays: dict[str, np.ndarray] = {}
    for pname, shape in shapes["arg"].items():
        if pname.endswith("weight"):
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            v = rng.normal(0.0, np.sqrt(2.0 / max(fan_in, 1)), shape)
        elif pname.endswith("gamma"):
            v = rng.uniform(0.5, 1.0, shape)
        else:
            v = rng.uniform(-0.1, 0.1, shape)
        arrays[f"arg:{pname}"] = v.astype(np.float32)
    for pname, shape in shapes["aux"].items():
        lo, hi = (0.8, 1.2) if pname.endswith("running_var") else (-0.1, 0.1)
        arrays[f"aux:{pname}"] = rng.uniform(lo, hi, shape).astype(np.float32)
    mxserve.nd.save(path, arrays)


def make_params(name: str, out: pathlib.Path, seed: int = 0) -> pathlib.Path:
    """Writes `out`/NAME-0000.params with seeded weights for the shapes of NAME-shapes.json;
    returns the prefix `out`/NAME."""
    shapes = json.loads((ZOO_DIR / f"{name}-shapes.json").read_text())
    (out / f"{name}-symbol.json").write_text((ZOO_DIR / f"{name}-symbol.json").read_text())
    save_seeded_params(shapes, out / f"{name}-0000.params", seed)
    return out / name


def make_input(name: str, batch: int, seed: int = 7) -> np.ndarray:
    s = input_size(name)
    return np.random.default_rng(seed).uniform(-1, 1, (batch, 3, s, s)).astype(np.float32)
