# SPDX-License-Identifier: Apache-2.0
"""GluonCV / GluonNLP networks of tests/models packed for a GPU machine without MXNet
(benchmarks/gpu/prepare.sh): the small ones whole, with MXNet's outputs (REAL), the large ones
as symbol, parameter shapes and MXNet's recorded inputs (SEEDED), their weights made there from a
seeded generator (tests/gpu/zoo.py's scheme) and mxserve's CPU path as the reference.

Layout of the packed folder: <name>/model-symbol.json, meta.json, and either model-0000.params
+ io.npz (REAL) or shapes.json + inputs.npz (SEEDED).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys

import numpy as np

#: (family, recipe) with weights and MXNet's outputs carried.
REAL = (("nlp", "bert_small"), ("seg_blocks", "blocks_net"))
#: (family, recipe) carried without weights.
SEEDED = (
    ("segmentation", "fcn_resnet50_voc"),
    ("segmentation", "psp_resnet50_voc"),
    ("segmentation", "deeplab_resnet50_voc"),
    ("segmentation", "resnest14"),
    ("segmentation", "se_resnext50_32x4d"),
    ("segmentation", "simple_pose_resnet18_v1b"),
    ("nlp", "distilbert_6_768_12"),
)

#: The packed folder: $MXSERVE_GPU_FAMILIES or .gpu-carry/families.
DIR = pathlib.Path(
    os.environ.get(
        "MXSERVE_GPU_FAMILIES",
        pathlib.Path(__file__).resolve().parents[2] / ".gpu-carry" / "families",
    )
)


def pack(dest: pathlib.Path) -> list[str]:
    """Fills `dest` from the oracle cache (exporting with MXNet what is not cached yet)."""
    from oracle.gluon import gluon_model

    import mxserve

    names = []
    for (family, name), real in [*((m, True) for m in REAL), *((m, False) for m in SEEDED)]:
        src = gluon_model(family, name)
        out = dest / name
        out.mkdir(parents=True, exist_ok=True)
        carried = ("model-symbol.json", "meta.json")
        for f in (*carried, "model-0000.params", "io.npz") if real else carried:
            shutil.copyfile(src / f, out / f)
        if not real:
            shapes: dict[str, dict[str, list[int]]] = {"arg": {}, "aux": {}}
            for key, value in mxserve.nd.load(src / "model-0000.params").items():
                kind, pname = key.split(":", 1)
                shapes[kind][pname] = list(value.shape)
            (out / "shapes.json").write_text(json.dumps(shapes))
            with np.load(src / "io.npz") as f:
                np.savez(out / "inputs.npz", **{k: f[k] for k in f.files if k.startswith("x")})
        names.append(name)
    return names


def available() -> dict[str, bool]:
    """Packed network name -> whether it is REAL."""
    if not DIR.is_dir():
        return {}
    return {p.name: (p / "io.npz").exists() for p in sorted(DIR.iterdir()) if p.is_dir()}


def meta(name: str) -> dict:
    return json.loads((DIR / name / "meta.json").read_text())


def batch(name: str, b: int) -> tuple[dict[str, np.ndarray], list[np.ndarray] | None]:
    """Inputs of batch size `b` by input name, and MXNet's outputs where they were carried."""
    m = meta(name)
    real = (DIR / name / "io.npz").exists()
    with np.load(DIR / name / ("io.npz" if real else "inputs.npz")) as f:
        inputs = {n: f[f"x{b}_{i}"] for i, n in enumerate(m["inputs"])}
        outputs = [f[f"y{b}_{k}"] for k in range(m["num_outputs"])] if real else None
    return inputs, outputs


def prefix(name: str, tmp: pathlib.Path) -> pathlib.Path:
    """Prefix of a loadable model: the carried one, or one with seeded weights written to `tmp`."""
    if (DIR / name / "model-0000.params").exists():
        return DIR / name / "model"
    from gpu import zoo

    shutil.copyfile(DIR / name / "model-symbol.json", tmp / "model-symbol.json")
    shapes = json.loads((DIR / name / "shapes.json").read_text())
    zoo.save_seeded_params(shapes, tmp / "model-0000.params")
    return tmp / "model"


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
    target = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DIR
    print(f"packed {', '.join(pack(target))} into {target}")
