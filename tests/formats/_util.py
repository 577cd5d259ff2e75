# SPDX-License-Identifier: Apache-2.0
"""Helpers for the format tests: parameter files written by real MXNet (cached), an independent
writer of the 0x112 list format for headers MXNet no longer writes, and tiny symbol graphs."""

from __future__ import annotations

import hashlib
import json
import pathlib
import shutil
import struct
from collections.abc import Sequence

import numpy as np
from oracle.envs import CACHE, run_in_oracle

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data"

V1_MAGIC = 0xF993FAC8
V2_MAGIC = 0xF993FAC9
V3_MAGIC = 0xF993FACA
TYPE_FLAGS = {
    "float32": 0,
    "float64": 1,
    "float16": 2,
    "uint8": 3,
    "int32": 4,
    "int8": 5,
    "int64": 6,
    "bool": 7,
    "int16": 8,
    "uint16": 9,
    "uint32": 10,
    "uint64": 11,
}


def oracle_files(version: str) -> pathlib.Path:
    """Runs mx_files.py under MXNet `version` once per script content; returns its folder."""
    script = HERE / "mx_files.py"
    digest = hashlib.sha256((version + script.read_text()).encode()).hexdigest()[:20]
    out = CACHE / "formats" / f"{version}-{digest}"
    if not (out / "reject.json").exists():
        tmp = out.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        run_in_oracle(version, script, str(tmp))
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    return out


def expected_arrays(path: pathlib.Path) -> dict[str, np.ndarray]:
    with np.load(str(path) + ".expected.npz") as f:
        return {k: f[k] for k in f.files}


def rejected(folder: pathlib.Path) -> dict[str, list[str]]:
    return dict(json.loads((folder / "reject.json").read_text()))


# ---- an independent writer of the 0x112 list format (MXNet's ndarray.cc, read not copied) ----


def shape_bytes(dims: Sequence[int]) -> bytes:
    """A TShape as MXNet >= 0.9 saves it: int32 ndim, int64 dims."""
    return struct.pack("<i", len(dims)) + b"".join(struct.pack("<q", d) for d in dims)


def array_v2(a: np.ndarray, magic: int = V2_MAGIC, dev: tuple[int, int] = (1, 0)) -> bytes:
    return (
        struct.pack("<Ii", magic, 0)
        + shape_bytes(a.shape)
        + struct.pack("<ii", *dev)
        + struct.pack("<i", TYPE_FLAGS[a.dtype.name])
        + np.ascontiguousarray(a).tobytes()
    )


def array_v1(a: np.ndarray) -> bytes:
    return (
        struct.pack("<I", V1_MAGIC)
        + shape_bytes(a.shape)
        + struct.pack("<iii", 2, 1, TYPE_FLAGS[a.dtype.name])
        + np.ascontiguousarray(a).tobytes()
    )


def array_legacy(a: np.ndarray) -> bytes:
    """MXNet before 0.9: no magic; uint32 ndim and uint32 dims."""
    return (
        struct.pack("<I", a.ndim)
        + b"".join(struct.pack("<I", d) for d in a.shape)
        + struct.pack("<iii", 1, 0, TYPE_FLAGS[a.dtype.name])
        + np.ascontiguousarray(a).tobytes()
    )


def none_v2() -> bytes:
    """A "none" array as MXNet 1.x wrote it: magic, undefined storage type, ndim 0, nothing else."""
    return struct.pack("<Iii", V2_MAGIC, -1, 0)


def list_file(records: Sequence[bytes], names: Sequence[str] | None) -> bytes:
    out = struct.pack("<QQQ", 0x112, 0, len(records)) + b"".join(records)
    names = list(names or [])
    out += struct.pack("<Q", len(names))
    for n in names:
        b = n.encode()
        out += struct.pack("<Q", len(b)) + b
    return out


# ---- tiny graphs of registered ops ----


def fc_relu_symbol(num_hidden: int = 4) -> str:
    """data -> FullyConnected(fc1) -> Activation(relu): needs fc1_weight (H, K) and fc1_bias (H,)."""
    return json.dumps(
        {
            "nodes": [
                {"op": "null", "name": "data", "inputs": []},
                {"op": "null", "name": "fc1_weight", "inputs": []},
                {"op": "null", "name": "fc1_bias", "inputs": []},
                {
                    "op": "FullyConnected",
                    "name": "fc1",
                    "attrs": {"num_hidden": str(num_hidden)},
                    "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]],
                },
                {
                    "op": "Activation",
                    "name": "relu1",
                    "attrs": {"act_type": "relu"},
                    "inputs": [[3, 0, 0]],
                },
            ],
            "arg_nodes": [0, 1, 2],
            "node_row_ptr": [0, 1, 2, 3, 4, 5],
            "heads": [[4, 0, 0]],
            "attrs": {"mxnet_version": ["int", 10901]},
        }
    )


def fc_params(k: int = 3, h: int = 4, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "arg:fc1_weight": rng.standard_normal((h, k)).astype("float32"),
        "arg:fc1_bias": rng.standard_normal((h,)).astype("float32"),
    }


def fc_relu_reference(x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
    """The independent formula for fc_relu_symbol."""
    y = x.reshape(x.shape[0], -1) @ params["arg:fc1_weight"].T + params["arg:fc1_bias"]
    return np.maximum(y, 0)
