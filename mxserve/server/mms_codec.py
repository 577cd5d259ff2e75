# SPDX-License-Identifier: Apache-2.0
"""The MMS routes' per-model codec: request body -> input arrays (``image_input``), outputs ->
response JSON (the outputs by name, or the top-k classes when an output has labels).

One ``MmsCodec`` per loaded model version, built at first use and kept as long as the version.
Raw tensor bodies decode on the event loop (a ``frombuffer``); image and multipart bodies go to
a worker thread, since decoding and resizing a picture takes milliseconds.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import orjson

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

#: First bytes of the formats found by their magic (JPEG, PNG, .npy, GIF, BMP, TIFF, WebP) and of
#: JSON: a raw body starting with one goes through the general decoder, which tells them apart.
_MAGIC_STARTS = frozenset(bytes([b]) for b in b"\xff\x89\x93GBIMR[{ \t\r\n")
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
        # The hot case, raw bytes of whole samples of a single fixed-shape input, read without
        # the general decoder: (name, little-endian dtype, sample bytes, sample dims).
        self._raw: tuple[str, np.dtype[Any], int, list[int]] | None = None
        if len(config.input) == 1 and config.max_batch_size > 0:
            t = config.input[0]
            if t.dims and all(d > 0 for d in t.dims):
                le = t.dtype.newbyteorder("<")
                if le == t.dtype:  # a little-endian host
                    self._raw = (t.name, le, math.prod(t.dims) * le.itemsize, list(t.dims))

    def decode(self, body: bytes, content_type: str) -> Arrays:
        return decode_body(self.signature, body, content_type)

    async def decode_async(self, body: bytes, content_type: str) -> Arrays:
        """``decode``, in a worker thread for images and multipart bodies."""
        raw = self._raw
        if (
            raw is not None
            and content_type in ("application/octet-stream", "")
            and body[:1] not in _MAGIC_STARTS
            and body
            and len(body) % raw[2] == 0
        ):
            a = np.frombuffer(body, dtype=raw[1])
            return {raw[0]: a.reshape([len(body) // raw[2], *raw[3]])}
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
        """``answer`` as JSON. orjson writes the arrays directly (float32 values in their
        shortest form that reads back as the same float32; NaN and infinities as null), some 30
        times faster than ``json.dumps`` of ``tolist()``; an array it does not take as it is
        (not C-contiguous) goes through ``tolist()``."""
        if self.top_k is not None:
            obj: Any = self.top_k.render(outputs[self.top_k.output])
        else:
            obj = {name: outputs[name] for name in self.output_names}
        return orjson.dumps(obj, default=_plain, option=orjson.OPT_SERIALIZE_NUMPY)


def _plain(obj: Any) -> Any:
    if isinstance(obj, np.ndarray | np.generic):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def codec_for(mv: Any) -> MmsCodec:
    """The codec of a loaded model version (``mv``: an ``instances.ModelVersion``), built at
    load by the lifecycle; a version made without it gets one without labels."""
    codec = mv.mms_codec
    if codec is None:
        codec = mv.mms_codec = MmsCodec(mv.name, mv.config, mv.output_names, {})
    return codec  # type: ignore[no-any-return]
