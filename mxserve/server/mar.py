# SPDX-License-Identifier: Apache-2.0
"""MXNet Model Server archives (``.mar``): the network they carry, never their Python handler.

An MMS 1.x archive is a zip file: ``MAR-INF/MANIFEST.json`` names the model
(``model.modelName``), ``<modelName>-symbol.json`` and ``<modelName>-NNNN.params`` hold the
network, and an optional ``signature.json`` lists the inputs (``inputs[].data_name`` and
``data_shape``, where 0 means any size). mxserve serves the network: the archive's handler, its
Python files and everything else in it (``synset.txt``...) are ignored, and clients get the
network's outputs. The two network files are copied out of the archive into a private directory
that lives as long as the process; nothing else is extracted, and member names are never used
as paths.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidArgumentError, NotFoundError
from .config import MODEL_NAME, PARAMS_FILE, TensorConfig

MANIFEST = "MAR-INF/MANIFEST.json"
#: Largest member read from an archive (a guard against zip bombs).
MAX_MEMBER_BYTES = 8 << 30

_extract_root: Path | None = None


@dataclass
class MarModel:
    """What mxserve takes from an archive: the network files and the declared inputs."""

    name: str  # the manifest's modelName (the files' prefix)
    symbol: Path
    params: Path
    inputs: list[TensorConfig] | None  # from signature.json, when the archive has one


def read_mar(path: Path, epoch: int | None = None) -> MarModel:
    """Opens an archive and copies its symbol and params (``epoch``, else the highest) out."""
    try:
        with zipfile.ZipFile(path) as z:
            members = {i.filename: i for i in z.infolist() if not i.is_dir()}
            manifest = _json_member(z, members, MANIFEST, path)
            model = manifest.get("model") if isinstance(manifest, dict) else None
            name = model.get("modelName") if isinstance(model, dict) else None
            if not isinstance(name, str) or not MODEL_NAME.match(name):
                raise InvalidArgumentError(
                    f"{path}: {MANIFEST} has no valid model.modelName (got {name!r})"
                )
            symbol_name = f"{name}-symbol.json"
            if symbol_name not in members:
                raise NotFoundError(f"{path}: the archive has no {symbol_name}")
            epochs = {
                int(m["epoch"]): n
                for n in members
                if (m := PARAMS_FILE.match(n)) and m["prefix"] == name
            }
            if not epochs:
                raise NotFoundError(f"{path}: the archive has no {name}-NNNN.params")
            if epoch is not None and epoch not in epochs:
                raise NotFoundError(f"{path}: the archive has no {name}-{epoch:04d}.params")
            params_name = epochs[max(epochs) if epoch is None else epoch]
            inputs = None
            if "signature.json" in members:
                inputs = _signature_inputs(_json_member(z, members, "signature.json", path), path)
            out = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=_root()))
            symbol = out / symbol_name
            params = out / params_name
            _copy_member(z, members[symbol_name], symbol, path)
            _copy_member(z, members[params_name], params, path)
    except zipfile.BadZipFile as e:
        raise InvalidArgumentError(f"{path} is not a valid .mar (zip) archive: {e}") from None
    return MarModel(name, symbol, params, inputs)


def _root() -> Path:
    global _extract_root
    if _extract_root is None:
        _extract_root = Path(tempfile.mkdtemp(prefix="mxserve-mar-"))
        atexit.register(shutil.rmtree, _extract_root, True)
    return _extract_root


def _check_size(info: zipfile.ZipInfo, path: Path) -> None:
    if info.file_size > MAX_MEMBER_BYTES:
        raise InvalidArgumentError(
            f"{path}: member {info.filename} is {info.file_size} bytes, more than "
            f"{MAX_MEMBER_BYTES}"
        )


def _json_member(
    z: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str, path: Path
) -> object:
    info = members.get(name)
    if info is None:
        raise InvalidArgumentError(f"{path}: the archive has no {name}")
    _check_size(info, path)
    try:
        return json.loads(z.read(info))
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidArgumentError(f"{path}: {name} is not valid JSON: {e}") from None


def _copy_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, path: Path) -> None:
    _check_size(info, path)
    with z.open(info) as src, open(dest, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def _signature_inputs(sig: object, path: Path) -> list[TensorConfig]:
    entries = sig.get("inputs") if isinstance(sig, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InvalidArgumentError(f"{path}: signature.json has no 'inputs' list")
    inputs = []
    for e in entries:
        name = e.get("data_name") if isinstance(e, dict) else None
        shape = e.get("data_shape") if isinstance(e, dict) else None
        if not isinstance(name, str) or not isinstance(shape, list):
            raise InvalidArgumentError(
                f"{path}: signature.json inputs need 'data_name' and 'data_shape', got {e!r}"
            )
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise InvalidArgumentError(
                f"{path}: signature.json data_shape of '{name}' must be non-negative integers"
            )
        inputs.append(TensorConfig(name=name, dims=[d if d > 0 else -1 for d in shape]))
    return inputs
