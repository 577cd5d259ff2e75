# SPDX-License-Identifier: Apache-2.0
"""The oracle cases of tests/ops (one small symbol each, with MXNet's inputs and outputs), packed
here into one archive that travels to a GPU machine without MXNet (benchmarks/gpu/prepare.sh),
and read there by tests/gpu/test_ops.py.

The archive holds `manifest.json` first (one entry per case: id, folder, tolerances and the
operators of its symbol), then each case's symbol.json, model.params, inputs.npz and
outputs.npz. Cases MXNet itself rejected are left out.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import sys
import tarfile
from typing import Any

#: The archive: $MXSERVE_GPU_OPS or .gpu-carry/ops.tar.xz.
ARCHIVE = pathlib.Path(
    os.environ.get(
        "MXSERVE_GPU_OPS",
        pathlib.Path(__file__).resolve().parents[2] / ".gpu-carry" / "ops.tar.xz",
    )
)
FILES = ("symbol.json", "model.params", "inputs.npz", "outputs.npz")


def pack(dest: pathlib.Path) -> int:
    """Writes the archive of every current oracle case to `dest`; returns the case count."""
    from oracle import cases

    manifest: list[dict[str, Any]] = []
    members: list[tuple[str, pathlib.Path]] = []
    rejected: dict[pathlib.Path, dict[str, str]] = {}
    for c, folder, version in cases.all_results():
        if folder not in rejected:
            rejected[folder] = json.loads((folder / "errors.json").read_text())
        d = folder / c.name
        if c.name in rejected[folder] or not all((d / f).exists() for f in FILES):
            continue
        rel = f"{folder.name}/{c.name}"
        nodes = json.loads((d / "symbol.json").read_text())["nodes"]
        manifest.append(
            {
                "id": f"{version}/{c.name}",
                "dir": rel,
                "rtol": c.rtol,
                "atol": c.atol,
                "ops": sorted({n["op"] for n in nodes if n["op"] != "null"}),
            }
        )
        members.extend((f"{rel}/{f}", d / f) for f in FILES)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(dest, "w:xz") as tar:
        blob = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
        for name, path in members:
            tar.add(path, arcname=name)
    return len(manifest)


def manifest() -> list[dict[str, Any]]:
    """The archive's case entries; empty when there is no archive."""
    if not ARCHIVE.is_file():
        return []
    with tarfile.open(ARCHIVE, "r:xz") as tar:
        member = tar.next()
        if member is None or member.name != "manifest.json":
            raise ValueError(f"{ARCHIVE} does not start with manifest.json")
        f = tar.extractfile(member)
        assert f is not None
        return list(json.loads(f.read()))


def extract(dest: pathlib.Path) -> pathlib.Path:
    """Unpacks the archive into `dest`; returns it."""
    with tarfile.open(ARCHIVE, "r:xz") as tar:
        tar.extractall(dest, filter="data")
    return dest


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ARCHIVE
    print(f"{pack(out)} oracle cases in {out} ({out.stat().st_size / 2**20:.1f} MiB)")
