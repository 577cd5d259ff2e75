# SPDX-License-Identifier: Apache-2.0
"""Repository layout and scan: which models a store offers and which files each version has.

Layout (Triton's)::

    <repo>/<model>/config.pbtxt | config.json | config.yaml   optional (one of them)
    <repo>/<model>/<version>/<prefix>-symbol.json  one exported MXNet model per numeric version dir
    <repo>/<model>/<version>/<prefix>-NNNN.params

``--model NAME=PATH`` adds a model from PATH: such a model directory, a directory holding the
symbol and params files directly (served as version 1), or a ``prefix`` of ``prefix-symbol.json``.
An MMS archive ``<repo>/<name>.mar`` is a model too.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidArgumentError, NotFoundError
from .config import PARAMS_FILE, Settings

log = logging.getLogger("mxserve.server")


@dataclass
class VersionFiles:
    """The files of one model version."""

    version: int
    symbol: Path
    params: Path | None


def files_in(d: Path, version: int, epoch: int | None, prefix: str | None = None) -> VersionFiles:
    """The symbol and params files of the version in directory ``d`` (the highest epoch unless
    ``epoch`` is given)."""
    if prefix is None:
        symbols = sorted(d.glob("*-symbol.json"))
        if len(symbols) != 1:
            raise InvalidArgumentError(
                f"expected one *-symbol.json in {d}, found {[s.name for s in symbols]}"
            )
        prefix = symbols[0].name[: -len("-symbol.json")]
    symbol = d / f"{prefix}-symbol.json"
    if not symbol.is_file():
        raise NotFoundError(f"no {symbol}")
    params = {
        int(m["epoch"]): p
        for p in d.iterdir()
        if (m := PARAMS_FILE.match(p.name)) and m["prefix"] == prefix
    }
    if epoch is not None:
        if epoch not in params:
            raise NotFoundError(f"no {prefix}-{epoch:04d}.params in {d}")
        return VersionFiles(version, symbol, params[epoch])
    return VersionFiles(version, symbol, params[max(params)] if params else None)


def is_version(text: str) -> bool:
    """A version number as Triton writes them: ASCII digits only (``str.isdigit`` also takes
    other scripts' digits and superscripts, which ``int`` then rejects or reads differently)."""
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()


#: An absolute path in a message (a slash-separated run after whitespace, a quote or the start).
_ABS_PATH = re.compile(r"(?<![\w.~-])/(?:[^\s/'\"():,]+/)+([^\s/'\"():,]*)")


def public_reason(message: str, model_path: Path) -> str:
    """``message`` for clients: paths under the model's directory relative to it, any other
    absolute path reduced to its last component, at most 500 characters."""
    for base in {str(model_path.resolve()), str(model_path.absolute()), str(model_path)}:
        if base and base != "/":
            message = message.replace(base + "/", "").replace(base, model_path.name)
    message = _ABS_PATH.sub(lambda m: m[1] or "/", message)
    return message if len(message) <= 500 else message[:497] + "..."


def discover_versions(path: Path, epoch: int | None) -> list[VersionFiles]:
    """Every version a model path offers (before the version policy is applied)."""
    if path.is_dir():
        numbered = [p for p in path.iterdir() if p.is_dir() and is_version(p.name)]
        if numbered:
            out = []
            for p in sorted(numbered, key=lambda q: int(q.name)):
                if any(p.glob("*-symbol.json")):
                    out.append(files_in(p, int(p.name), epoch))
            if not out:
                raise NotFoundError(f"no version directory of {path} holds a *-symbol.json")
            return out
        return [files_in(path, 1, epoch)]
    prefix_dir, prefix = path.parent, path.name
    if (prefix_dir / f"{prefix}-symbol.json").is_file():
        return [files_in(prefix_dir, 1, epoch, prefix)]
    raise NotFoundError(f"{path} is not a model directory or a symbol/params prefix")


def scan_store(settings: Settings) -> dict[str, Path]:
    """Name -> path of every model the store and the ``--model`` list offer right now."""
    found: dict[str, Path] = {}
    store = settings.model_store
    if store is not None:
        if not store.is_dir():
            log.error("model store %s is not a directory", store)
        else:
            for d in sorted(store.iterdir()):
                if d.name.startswith("."):
                    continue
                if d.is_dir():
                    found[d.name] = d
                elif d.is_file() and d.suffix == ".mar":  # an MMS archive
                    found[d.stem] = d
    for name, path in settings.models.items():
        found[name] = Path(path)
    return found
