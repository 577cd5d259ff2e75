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
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .config import ModelConfig
from .image_input import (
    Arrays,
    DecodeTarget,
    TopK,
    check_labels,
    decode_body,
    image_format,
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
        self.signature = DecodeTarget.of(name, config)
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


def codec_for(mv: Any) -> MmsCodec:
    """The codec of a loaded model version (``mv``: an ``instances.ModelVersion``), built at
    load by the lifecycle; a version made without it gets one without labels."""
    codec = mv.mms_codec
    if codec is None:
        codec = mv.mms_codec = MmsCodec(mv.name, mv.config, mv.output_names, {})
    return codec  # type: ignore[no-any-return]
