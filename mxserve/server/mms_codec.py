# SPDX-License-Identifier: Apache-2.0
"""The MMS routes' per-model codec: request body -> input arrays (``image_input``), outputs ->
response JSON (the outputs by name, or the top-k classes when an output has labels).

One ``MmsCodec`` per loaded model version, built at first use and kept as long as the version.
Raw tensor bodies decode on the event loop (a ``frombuffer``); image and multipart bodies go to
a worker thread, since decoding and resizing a picture takes milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .config import ModelConfig
from .image_input import (
    Arrays,
    Signature,
    TopK,
    check_labels,
    decode_body,
    image_format,
    load_labels,
    media_type,
    top_k_for,
)

#: Media types whose decoding runs in a worker thread.
_THREADED = ("multipart/form-data", "image/jpeg", "image/jpg", "image/pjpeg", "image/png")


class MmsCodec:
    """Decodes bodies for one model version and encodes its answers."""

    def __init__(
        self,
        name: str,
        config: ModelConfig,
        output_names: Sequence[str],
        labels: Mapping[str, list[str]],
    ) -> None:
        self.signature = Signature.of(name, config)
        self.output_names = list(output_names)
        check_labels(config, dict(labels))
        self.top_k: TopK | None = top_k_for(config, dict(labels), self.output_names)

    def decode(self, body: bytes, content_type: str) -> Arrays:
        return decode_body(self.signature, body, content_type)

    async def decode_async(self, body: bytes, content_type: str) -> Arrays:
        """``decode``, in a worker thread for images and multipart bodies."""
        mt = media_type(content_type) if content_type else ""
        if mt in _THREADED or (
            mt in ("", "application/octet-stream") and image_format(body) in ("JPEG", "PNG")
        ):
            return await asyncio.to_thread(decode_body, self.signature, body, content_type)
        return decode_body(self.signature, body, content_type)

    def answer(self, outputs: Mapping[str, np.ndarray]) -> Any:
        """The response object: top-k classes, or ``{output: nested list}``."""
        if self.top_k is not None:
            return self.top_k.render(outputs[self.top_k.output])
        return {name: outputs[name].tolist() for name in self.output_names}

    def encode(self, outputs: Mapping[str, np.ndarray]) -> bytes:
        return json.dumps(self.answer(outputs), separators=(",", ":")).encode()


_codecs: weakref.WeakKeyDictionary[Any, MmsCodec] = weakref.WeakKeyDictionary()


def codec_for(mv: Any, model_dir: Path | None) -> MmsCodec:
    """The codec of a loaded model version (``mv``: a ModelVersion; ``model_dir``: where its
    label files are), built once. Labels given at load (``mv.labels``, e.g. from an archive's
    synset.txt) take precedence over files in ``model_dir``."""
    codec = _codecs.get(mv)
    if codec is None:
        labels = getattr(mv, "labels", None)
        if labels is None:
            labels = load_labels(mv.config, model_dir)
        codec = _codecs[mv] = MmsCodec(mv.name, mv.config, mv.output_names, labels)
    return codec
