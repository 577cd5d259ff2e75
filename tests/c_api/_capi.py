# SPDX-License-Identifier: Apache-2.0
"""Helpers for the C API tests: building C/C++ programs with the plain system compiler against
the installed header and library, and writing a small MLP model whose outputs numpy computes."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess

import numpy as np

from mxserve import nd, predict_api

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]


def compiler(lang: str = "c") -> str:
    """The system C or C++ compiler (CC/CXX, else cc/c++)."""
    name = os.environ.get("CC" if lang == "c" else "CXX") or ("cc" if lang == "c" else "c++")
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"no {lang} compiler found ({name})")
    return path


def build(
    sources: list[pathlib.Path], out: pathlib.Path, *, lang: str = "c", flags: list[str] = ()
) -> None:
    """Compiles and links `sources` against libmxnet_predict with the system compiler."""
    lib = predict_api.library_path().parent
    std = ["-std=c99"] if lang == "c" else ["-std=c++11"]
    cmd = [
        compiler(lang),
        *std,
        "-Wall",
        "-Wextra",
        "-Werror",
        *flags,
        f"-I{predict_api.include_dir()}",
        *map(str, sources),
        "-o",
        str(out),
        f"-L{lib}",
        f"-Wl,-rpath,{lib}",
        "-lmxnet_predict",
        "-lpthread",
        "-lm",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"compilation failed: {' '.join(cmd)}\n{proc.stderr}")


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    """Runs a built program with no LD_LIBRARY_PATH (the rpaths must be enough)."""
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    env.setdefault("OMP_NUM_THREADS", "2")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, **kw)


def _var(name: str) -> dict[str, object]:
    return {"op": "null", "name": name, "inputs": []}


def mlp_symbol() -> str:
    """data (B, 20) -> fc1 (32) -> relu1 -> fc2 (10) -> SoftmaxOutput, as MXNet 1.9.1 writes it."""
    nodes = [
        _var("data"),
        _var("fc1_weight"),
        _var("fc1_bias"),
        {
            "op": "FullyConnected",
            "name": "fc1",
            "attrs": {"num_hidden": "32"},
            "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]],
        },
        {"op": "Activation", "name": "relu1", "attrs": {"act_type": "relu"}, "inputs": [[3, 0, 0]]},
        _var("fc2_weight"),
        _var("fc2_bias"),
        {
            "op": "FullyConnected",
            "name": "fc2",
            "attrs": {"num_hidden": "10"},
            "inputs": [[4, 0, 0], [5, 0, 0], [6, 0, 0]],
        },
        _var("softmax_label"),
        {"op": "SoftmaxOutput", "name": "softmax", "inputs": [[7, 0, 0], [8, 0, 0]]},
    ]
    return json.dumps(
        {
            "nodes": nodes,
            "arg_nodes": [0, 1, 2, 5, 6, 8],
            "node_row_ptr": list(range(len(nodes) + 1)),
            "heads": [[9, 0, 0]],
            "attrs": {"mxnet_version": ["int", 10901]},
        }
    )


def write_mlp(folder: pathlib.Path) -> dict[str, np.ndarray]:
    """Writes the MLP, its inputs and numpy's expected outputs into `folder` (see
    test_c_predict_api.c for the file list); returns the arrays."""
    rng = np.random.RandomState(11)
    w1 = rng.uniform(-0.5, 0.5, (32, 20)).astype(np.float32)
    b1 = rng.uniform(-0.1, 0.1, (32,)).astype(np.float32)
    w2 = rng.uniform(-0.5, 0.5, (10, 32)).astype(np.float32)
    b2 = rng.uniform(-0.1, 0.1, (10,)).astype(np.float32)
    x = rng.uniform(-1, 1, (4, 20)).astype(np.float32)
    relu = np.maximum(x.astype(np.float64) @ w1.T + b1, 0)
    logits = relu @ w2.T + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    (folder / "mlp-symbol.json").write_text(mlp_symbol())
    nd.save(
        folder / "mlp-0000.params",
        {"arg:fc1_weight": w1, "arg:fc1_bias": b1, "arg:fc2_weight": w2, "arg:fc2_bias": b2},
    )
    x.tofile(folder / "x4.bin")
    y.astype(np.float32).tofile(folder / "y4.bin")
    relu.astype(np.float32).tofile(folder / "relu4.bin")
    nd.save(folder / "named.nd", {"mean": x, "idx": np.array([7, -1, 3], np.int32)})
    nd.save(folder / "unnamed.nd", [np.arange(6, dtype=np.float32).reshape(2, 3)])
    return {"x": x, "y": y.astype(np.float32), "relu": relu.astype(np.float32)}


def write_classifier(folder: pathlib.Path, num_images: int = 1) -> list[np.ndarray]:
    """An image classifier (data (1, 3, 8, 6) -> Flatten -> FullyConnected(5) -> SoftmaxOutput),
    a mean image (3, 8, 6) in mean.nd, and raw RGB images img<i>.rgb; returns numpy's class
    probabilities for each image."""
    rng = np.random.RandomState(5)
    h, w = 8, 6
    weight = rng.uniform(-0.05, 0.05, (5, 3 * h * w)).astype(np.float32)
    bias = rng.uniform(-0.1, 0.1, (5,)).astype(np.float32)
    mean = rng.uniform(100, 140, (3, h, w)).astype(np.float32)
    nodes = [
        _var("data"),
        {"op": "Flatten", "name": "flatten0", "inputs": [[0, 0, 0]]},
        _var("fc_weight"),
        _var("fc_bias"),
        {
            "op": "FullyConnected",
            "name": "fc",
            "attrs": {"num_hidden": "5"},
            "inputs": [[1, 0, 0], [2, 0, 0], [3, 0, 0]],
        },
        _var("softmax_label"),
        {"op": "SoftmaxOutput", "name": "softmax", "inputs": [[4, 0, 0], [5, 0, 0]]},
    ]
    (folder / "model-symbol.json").write_text(
        json.dumps(
            {
                "nodes": nodes,
                "arg_nodes": [0, 2, 3, 5],
                "node_row_ptr": list(range(len(nodes) + 1)),
                "heads": [[6, 0, 0]],
                "attrs": {"mxnet_version": ["int", 10901]},
            }
        )
    )
    nd.save(folder / "model-0000.params", {"arg:fc_weight": weight, "arg:fc_bias": bias})
    nd.save(folder / "mean.nd", {"mean_img": mean})
    probs = []
    for i in range(num_images):
        img = rng.randint(0, 256, (h, w, 3)).astype(np.uint8)
        img.tofile(folder / f"img{i}.rgb")
        x = img.transpose(2, 0, 1).astype(np.float64) - mean
        logits = weight.astype(np.float64) @ x.reshape(-1) + bias
        e = np.exp(logits - logits.max())
        probs.append(e / e.sum())
    return probs
