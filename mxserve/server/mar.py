# SPDX-License-Identifier: Apache-2.0
"""MXNet Model Server archives (``.mar``): the network they carry, never their Python handler.

An MMS 1.x archive is a zip file: ``MAR-INF/MANIFEST.json`` names the model
(``model.modelName``), ``<modelName>-symbol.json`` and ``<modelName>-NNNN.params`` hold the
network, and an optional ``signature.json`` lists the inputs (``inputs[].data_name`` and
``data_shape``, where 0 means any size; ``input_type`` ``image/*`` for MMS's vision handler).
mxserve serves the network: the archive's handler and its Python files are never run. What MMS's
vision service does with an image input is done the same way: an archive whose signature says
``image/...`` gets the default ``image_preprocess`` (resize to the input's height and width, RGB,
NCHW, pixel values 0-255), and its ``synset.txt`` labels the output for the top-5 answer of the
MMS routes (``image_input.py``). The two network files are copied out of the archive into a
private directory that the repository removes once the model is loaded (every load and reload
gets a fresh one);
nothing else is extracted, and member names are never used as paths. Extraction is bounded: a
member may be at most MAX_MEMBER_BYTES, all of them together MAX_TOTAL_BYTES, and a member
larger than 1 MiB may not inflate more than MAX_RATIO times (a zip bomb). Extraction
directories left by processes that no longer run are removed when the first archive is read.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidArgumentError, NotFoundError
from .config import MODEL_NAME, PARAMS_FILE, TensorConfig

MANIFEST = "MAR-INF/MANIFEST.json"
#: Largest member read from an archive.
MAX_MEMBER_BYTES = 4 << 30
#: Largest total of the members read from one archive.
MAX_TOTAL_BYTES = 6 << 30
#: Largest JSON member (manifest, signature).
MAX_JSON_BYTES = 1 << 20
#: Largest inflation (uncompressed / compressed size) of a member over 1 MiB. Weights compress
#: by less than 2x and symbol JSON by about 10x; zip bombs inflate 1000x and more.
MAX_RATIO = 100
#: Largest label file (``synset.txt``) read from an archive.
MAX_LABELS_BYTES = 4 << 20
#: Prefix of the per-process extraction root (followed by the process id).
ROOT_PREFIX = "mxserve-mar-"

_extract_root: Path | None = None


#: Bit 0 of a zip member's general-purpose flags: the member is encrypted.
ZIP_ENCRYPTED = 0x1


@dataclass
class MarModel:
    """What mxserve takes from an archive: the network files and the declared inputs."""

    name: str  # the manifest's modelName (the files' prefix)
    directory: Path  # the extraction directory holding symbol and params (the caller removes it)
    symbol: Path
    params: Path
    inputs: list[TensorConfig] | None  # from signature.json, when the archive has one
    image_input: bool = False  # signature.json gives an image/* input_type
    labels: list[str] | None = None  # synset.txt, one label per line


def read_mar(path: Path, epoch: int | None = None) -> MarModel:
    """Opens an archive and copies its symbol and params (``epoch``, else the highest) out."""
    try:
        with zipfile.ZipFile(path) as z:
            if any(not i.filename for i in z.infolist()):
                raise InvalidArgumentError(f"{path.name}: the archive has a member without a name")
            encrypted = [i.filename for i in z.infolist() if i.flag_bits & ZIP_ENCRYPTED]
            if encrypted:
                raise InvalidArgumentError(
                    f"{path.name}: the archive has encrypted members ({encrypted[0]!r})"
                )
            members = {i.filename: i for i in z.infolist() if not i.is_dir()}
            manifest = _json_member(z, members, MANIFEST, path)
            model = manifest.get("model") if isinstance(manifest, dict) else None
            name = model.get("modelName") if isinstance(model, dict) else None
            if not isinstance(name, str) or not MODEL_NAME.match(name):
                raise InvalidArgumentError(
                    f"{path.name}: {MANIFEST} has no valid model.modelName (got {name!r})"
                )
            symbol_name = f"{name}-symbol.json"
            if symbol_name not in members:
                raise NotFoundError(f"{path.name}: the archive has no {symbol_name}")
            epochs = {
                int(m["epoch"]): n
                for n in members
                if (m := PARAMS_FILE.match(n)) and m["prefix"] == name
            }
            if not epochs:
                raise NotFoundError(f"{path.name}: the archive has no {name}-NNNN.params")
            if epoch is not None and epoch not in epochs:
                raise NotFoundError(f"{path.name}: the archive has no {name}-{epoch:04d}.params")
            params_name = epochs[max(epochs) if epoch is None else epoch]
            inputs = None
            image_input = False
            if "signature.json" in members:
                sig = _json_member(z, members, "signature.json", path)
                inputs = _signature_inputs(sig, path)
                image_input = _has_image_input(sig)
            labels = None
            if "synset.txt" in members:
                labels = _labels_member(z, members["synset.txt"], path)
            chosen = [members[symbol_name], members[params_name]]
            total = sum(i.file_size for i in chosen)
            if total > MAX_TOTAL_BYTES:
                raise InvalidArgumentError(
                    f"{path.name}: the network files inflate to {total} bytes, more than "
                    f"{MAX_TOTAL_BYTES}"
                )
            for info in chosen:
                _check_size(info, path, MAX_MEMBER_BYTES)
            out = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=_root()))
            symbol = out / symbol_name
            params = out / params_name
            try:
                _copy_member(z, members[symbol_name], symbol, path)
                _copy_member(z, members[params_name], params, path)
            except BaseException:
                shutil.rmtree(out, ignore_errors=True)
                raise
    except zipfile.BadZipFile as e:
        raise InvalidArgumentError(f"{path.name} is not a valid .mar (zip) archive: {e}") from None
    except UnicodeDecodeError:
        # zipfile decodes a name flagged as UTF-8 while it reads the directory
        raise InvalidArgumentError(
            f"{path.name}: the archive has a member name flagged UTF-8 that is not valid UTF-8"
        ) from None
    except (OSError, EOFError, zlib.error, NotImplementedError) as e:
        raise InvalidArgumentError(f"{path.name}: cannot read the archive: {e}") from None
    return MarModel(name, out, symbol, params, inputs, image_input, labels)


def _root() -> Path:
    global _extract_root
    if _extract_root is None:
        remove_stale_roots()
        _extract_root = Path(tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-"))
        atexit.register(shutil.rmtree, _extract_root, True)
    return _extract_root


def remove_stale_roots(tmp: Path | None = None) -> list[Path]:
    """Removes the extraction roots of processes that no longer run (a crash or SIGKILL skips
    the atexit cleanup); returns what it removed."""
    removed = []
    for d in Path(tmp or tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*"):
        pid = d.name[len(ROOT_PREFIX) :].split("-", 1)[0]
        if not d.is_dir() or not pid.isascii() or not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _check_size(info: zipfile.ZipInfo, path: Path, limit: int) -> None:
    if info.file_size > limit:
        raise InvalidArgumentError(
            f"{path.name}: member {info.filename!r} is {info.file_size} bytes, more than {limit}"
        )
    if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise InvalidArgumentError(
            f"{path.name}: member {info.filename!r} inflates {info.file_size} bytes from "
            f"{info.compress_size}, more than {MAX_RATIO} times (a zip bomb?)"
        )


def _json_member(
    z: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str, path: Path
) -> object:
    info = members.get(name)
    if info is None:
        raise InvalidArgumentError(f"{path.name}: the archive has no {name}")
    _check_size(info, path, MAX_JSON_BYTES)
    try:
        return json.loads(z.read(info))
    except (ValueError, RecursionError) as e:
        raise InvalidArgumentError(f"{path.name}: {name} is not valid JSON: {e}") from None


def _copy_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, path: Path) -> None:
    """Copies one member, never more than its declared size (zipfile stops there, and checks
    the CRC of what it read)."""
    left = info.file_size
    with z.open(info) as src, open(dest, "wb") as dst:
        while left > 0:
            chunk = src.read(min(left, 1 << 20))
            if not chunk:
                raise InvalidArgumentError(f"{path.name}: member {info.filename!r} is truncated")
            dst.write(chunk)
            left -= len(chunk)


def _signature_inputs(sig: object, path: Path) -> list[TensorConfig]:
    entries = sig.get("inputs") if isinstance(sig, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InvalidArgumentError(f"{path.name}: signature.json has no 'inputs' list")
    inputs = []
    for e in entries:
        name = e.get("data_name") if isinstance(e, dict) else None
        shape = e.get("data_shape") if isinstance(e, dict) else None
        if not isinstance(name, str) or not isinstance(shape, list):
            raise InvalidArgumentError(
                f"{path.name}: signature.json inputs need 'data_name' and 'data_shape', got {e!r}"
            )
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise InvalidArgumentError(
                f"{path.name}: signature.json data_shape of '{name}' must be non-negative integers"
            )
        inputs.append(TensorConfig(name=name, dims=[d if d > 0 else -1 for d in shape]))
    return inputs


def _has_image_input(sig: object) -> bool:
    entries = sig.get("inputs") if isinstance(sig, dict) else None
    return any(
        isinstance(e, dict) and str(e.get("input_type", "")).startswith("image/")
        for e in entries or []
    )


def _labels_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> list[str] | None:
    _check_size(info, path, MAX_LABELS_BYTES)
    try:
        text = z.read(info).decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidArgumentError(f"{path.name}: synset.txt is not UTF-8 text: {e}") from None
    labels = [line.strip() for line in text.splitlines()]
    while labels and not labels[-1]:
        labels.pop()
    return labels or None
