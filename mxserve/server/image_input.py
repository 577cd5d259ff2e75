# SPDX-License-Identifier: Apache-2.0
"""Request bodies of the MMS routes (``POST /predictions/{m}``, ``/invocations``) as input arrays,
and their top-k answer.

A body is read by its Content-Type, or, without one (``curl -T``) or as
``application/octet-stream``, by its first bytes:

- JPEG or PNG (``image/jpeg``, ``image/png`` or their magic bytes): decoded with Pillow and
  preprocessed as the model's ``image_preprocess`` config says; a model without that config
  answers 400, a corrupt image 400, another image format (GIF, BMP, WebP, TIFF) 415.
- ``multipart/form-data``: each part named ``data`` (the model's only input) or after an input
  is read like a body by its own Content-Type or bytes; several parts for one input are a batch.
  A part of any other name is 400.
- ``.npy`` (``application/x-npy`` or its magic), JSON (``application/json``, or a body without
  a Content-Type that parses as JSON: a v2 request, ``{input: array}`` or a bare array) and raw
  little-endian bytes of exactly a whole number of samples of the only input.

Any other Content-Type is 415. ``top_k`` turns a classification output into MMS's
``[{"class": label, "probability": score}, ...]`` for each sample.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, UnsupportedMediaTypeError
from .config import Classification, ImagePreprocess, ModelConfig, TensorConfig
from .protocol.binary import parse_request, read_inputs
from .protocol.v2 import MAX_DIMS

#: Largest decoded image, in pixels (a small compressed file can claim a huge canvas).
MAX_IMAGE_PIXELS = 64 << 20
#: Largest number of parts in one multipart body.
MAX_PARTS = 1024

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NPY_MAGIC = b"\x93NUMPY"
#: Image formats recognised by their first bytes but not decoded (415).
_OTHER_IMAGES = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_IMAGE_TYPES = {
    "image/jpeg": "JPEG",
    "image/jpg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
}
#: Content types read as raw bytes or by their first bytes.
_SNIFFED = ("", "application/octet-stream", "binary/octet-stream")

Arrays = dict[str, np.ndarray]


def media_type(content_type: str) -> str:
    """The lower-cased media type of a Content-Type header, parameters dropped."""
    return content_type.split(";", 1)[0].strip().lower()


def image_format(body: bytes) -> str | None:
    """``"JPEG"``/``"PNG"`` for those magic bytes, another format's name for the undecoded
    images, None for anything else."""
    if body.startswith(JPEG_MAGIC):
        return "JPEG"
    if body.startswith(PNG_MAGIC):
        return "PNG"
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "WEBP"
    for magic, name in _OTHER_IMAGES:
        if body.startswith(magic) and (name != "BMP" or len(body) >= 26):
            return name
    return None


@dataclass(frozen=True)
class DecodeTarget:
    """What the decoders need of a model: its inputs, batching and image preprocess config."""

    name: str
    inputs: Sequence[TensorConfig]
    max_batch_size: int
    image: ImagePreprocess | None

    @classmethod
    def of(cls, name: str, config: ModelConfig) -> DecodeTarget:
        return cls(name, list(config.input), config.max_batch_size, config.image_preprocess)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.inputs]

    def tensor(self, name: str) -> TensorConfig:
        return next(t for t in self.inputs if t.name == name)

    def only_input(self, what: str) -> TensorConfig:
        if len(self.inputs) != 1:
            raise InvalidArgumentError(
                f"{what} needs a model with one input, '{self.name}' has {self.names}"
            )
        return self.inputs[0]

    def image_input(self) -> TensorConfig:
        if self.image is None:
            raise InvalidArgumentError(
                f"model '{self.name}' takes tensors, not images: it has no image_preprocess "
                "config (send the input tensor as raw bytes, .npy or JSON)"
            )
        if self.image.input:
            if self.image.input not in self.names:
                raise InvalidArgumentError(
                    f"image_preprocess.input '{self.image.input}' is not an input of model "
                    f"'{self.name}' (its inputs are {self.names})"
                )
            return self.tensor(self.image.input)
        return self.only_input("an image body")


# -- whole bodies ---------------------------------------------------------------------------------


def decode_body(sig: DecodeTarget, body: bytes, content_type: str) -> Arrays:
    """The input arrays of one MMS request body (batch dimension added where the model has one)."""
    mt = media_type(content_type)
    if mt == "multipart/form-data":
        return decode_multipart(sig, body, content_type)
    return _decode_one(sig, body, mt, None)


def _decode_one(sig: DecodeTarget, body: bytes, mt: str, field: str | None) -> Arrays:
    """One body or one multipart part (``field``: the input it is for, None for a body)."""
    where = "request body" if field is None else f"form field '{field}'"
    if mt in _IMAGE_TYPES:
        return _image(sig, body, _IMAGE_TYPES[mt], where, field)
    if mt.startswith("image/"):
        raise UnsupportedMediaTypeError(
            f"unsupported image type '{mt}' in the {where}: send image/jpeg or image/png"
        )
    if mt in _SNIFFED:
        fmt = image_format(body)
        if fmt in ("JPEG", "PNG"):
            return _image(sig, body, fmt, where, field)
        if fmt is not None:
            raise UnsupportedMediaTypeError(
                f"the {where} is a {fmt} image; only JPEG and PNG images are decoded"
            )
        if body.startswith(NPY_MAGIC):
            return _npy(sig, body, field)
        if not mt and body.lstrip()[:1] in (b"{", b"["):
            # JSON sent without a Content-Type (as MMS clients do); raw values that happen to
            # start like JSON are read raw when they do not parse
            try:
                return _json(sig, body, field)
            except InvalidArgumentError:
                try:
                    return _raw(sig, body, field, where)
                except InvalidArgumentError:
                    pass
                raise
        return _raw(sig, body, field, where)
    if mt == "application/x-npy":
        return _npy(sig, body, field)
    if mt == "application/json" or mt.endswith("+json"):
        return _json(sig, body, field)
    if mt in ("application/x-www-form-urlencoded", "text/plain") and body.lstrip()[:1] in (
        b"{",
        b"[",
    ):  # `curl -d '[...]'` sends JSON under curl's default form type
        return _json(sig, body, field)
    raise UnsupportedMediaTypeError(
        f"unsupported Content-Type '{mt}' for the {where}: send image/jpeg, image/png, "
        "multipart/form-data, application/json, application/x-npy or application/octet-stream"
    )


def _image(sig: DecodeTarget, body: bytes, fmt: str, where: str, field: str | None) -> Arrays:
    name = sig.image_input().name
    if field is not None and field != name:
        raise InvalidArgumentError(
            f"form field '{field}' holds an image, but images feed input '{name}'"
        )
    a = decode_image(sig, body, fmt, where)
    return {name: a[None] if sig.max_batch_size > 0 else a}


def _as_batch(sig: DecodeTarget, name: str, a: np.ndarray) -> np.ndarray:
    t = sig.tensor(name)
    try:
        a = a.astype(t.dtype, copy=False)
    except (ValueError, TypeError) as e:
        raise InvalidArgumentError(f"input '{name}' is not a numeric array: {e}") from None
    if sig.max_batch_size > 0 and a.ndim == len(t.dims):
        a = a[np.newaxis]
    return a


def _npy(sig: DecodeTarget, body: bytes, field: str | None) -> Arrays:
    name = field if field is not None else sig.only_input("a .npy body").name
    return {name: _as_batch(sig, name, load_npy(body))}


def load_npy(body: bytes) -> np.ndarray:
    """A ``.npy`` body; 400 for a malformed one, or one whose header claims more data than the
    body holds (checked before numpy allocates the array)."""
    f = io.BytesIO(body)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, _fortran, dtype = np.lib.format.read_array_header_2_0(f)
        if dtype.hasobject:
            raise ValueError("object arrays are not accepted")
        if len(shape) > MAX_DIMS or math.prod(shape) * dtype.itemsize != len(body) - f.tell():
            raise ValueError(f"its header's shape {shape} of {dtype} does not match its data")
        f.seek(0)
        return np.load(f, allow_pickle=False)  # type: ignore[no-any-return]
    except (ValueError, EOFError, OSError, TypeError, SyntaxError) as e:
        raise InvalidArgumentError(f"malformed .npy request body: {e}") from None


def _json(sig: DecodeTarget, body: bytes, field: str | None) -> Arrays:
    try:
        data = json.loads(body)
    except RecursionError:
        raise InvalidArgumentError("the request JSON nests arrays/objects too deeply") from None
    except ValueError as e:  # JSONDecodeError, UnicodeDecodeError
        raise InvalidArgumentError(f"failed to parse the request JSON: {e}") from None
    names = sig.names
    if field is None and isinstance(data, dict) and isinstance(data.get("inputs"), list):
        return read_inputs(parse_request(body), b"")
    if field is not None:
        items = {field: data}
    elif isinstance(data, dict):
        if "data" in data and len(names) == 1 and names[0] != "data":
            data = {names[0]: data["data"]}
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise InvalidArgumentError(
                f"unknown input(s) {unknown}; model '{sig.name}' takes {names}"
            )
        items = data
    else:
        items = {sig.only_input("a bare JSON array").name: data}
    out = {}
    for n, v in items.items():
        try:
            a = np.asarray(v)
        except (ValueError, TypeError) as e:
            raise InvalidArgumentError(f"input data is not a numeric array: {e}") from None
        if a.dtype.kind not in "biuf":
            raise InvalidArgumentError(f"input '{n}' is not a numeric array (got {a.dtype})")
        out[n] = _as_batch(sig, n, a)
    return out


def _raw(sig: DecodeTarget, body: bytes, field: str | None, where: str) -> Arrays:
    """Raw little-endian values: exactly one sample, or (batched models) a whole number of them."""
    t = sig.tensor(field) if field is not None else sig.only_input("a raw body")
    dtype = t.dtype.newbyteorder("<")
    per = math.prod(t.dims) if all(d > 0 for d in t.dims) else 0
    if not per:
        raise InvalidArgumentError(
            f"a raw {where} needs input '{t.name}' to have fixed dims, it has {t.dims}: "
            "send .npy or JSON"
        )
    sample = per * dtype.itemsize
    batched = sig.max_batch_size > 0
    n = len(body) // sample if body else 0
    if n == 0 or len(body) != n * sample or (not batched and n != 1):
        need = f"a multiple of {sample}" if batched else f"exactly {sample}"
        raise InvalidArgumentError(
            f"raw {where} of {len(body)} bytes does not fit input '{t.name}' ({t.datatype} dims "
            f"{t.dims}: {need} bytes); images must be JPEG or PNG"
        )
    a = np.frombuffer(body, dtype=dtype)
    if dtype != t.dtype:  # a big-endian host
        a = a.astype(t.dtype)
    return {t.name: a.reshape(([n] if batched else []) + list(t.dims))}


# -- multipart ------------------------------------------------------------------------------------


def boundary_of(content_type: str) -> bytes:
    from python_multipart.multipart import parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary", b"")
    if not boundary or len(boundary) > 200:
        raise InvalidArgumentError("multipart/form-data request without a valid boundary")
    return boundary


def split_multipart(body: bytes, content_type: str) -> list[tuple[str, str, bytes]]:
    """(field name, Content-Type, data) of each part of a ``multipart/form-data`` body."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    parts: list[tuple[str, str, bytes]] = []
    headers: dict[bytes, bytes] = {}
    chunks: list[bytes] = []
    name: list[bytes] = []
    value: list[bytes] = []

    def on_part_begin() -> None:
        headers.clear()
        chunks.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        name.append(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        value.append(data[start:end])

    def on_header_end() -> None:
        headers[b"".join(name).lower()] = b"".join(value)
        name.clear()
        value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunks.append(data[start:end])

    def on_part_end() -> None:
        if len(parts) >= MAX_PARTS:
            raise InvalidArgumentError(f"multipart body has more than {MAX_PARTS} parts")
        _, disp = parse_options_header(headers.get(b"content-disposition", b""))
        field = disp.get(b"name")
        if field is None:
            raise InvalidArgumentError("multipart part without a Content-Disposition name")
        ctype = headers.get(b"content-type", b"").decode("latin-1")
        parts.append((field.decode("utf-8", "replace"), ctype, b"".join(chunks)))

    parser = MultipartParser(
        boundary_of(content_type),
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError as e:
        raise InvalidArgumentError(f"malformed multipart/form-data body: {e}") from None
    if not parts:
        raise InvalidArgumentError("multipart/form-data body has no parts")
    return parts


def decode_multipart(sig: DecodeTarget, body: bytes, content_type: str) -> Arrays:
    """Parts named ``data`` (the only input) or after inputs; several parts for one input are
    concatenated along the batch dimension (a model with batching only)."""
    names = sig.names
    grouped: dict[str, list[np.ndarray]] = {}
    for field, ctype, data in split_multipart(body, content_type):
        if field in names:
            target = field
        elif field == "data" and len(names) == 1:
            target = names[0]
        else:
            raise InvalidArgumentError(
                f"form field '{field}' is not an input of model '{sig.name}': name the parts "
                f"'data' or after the inputs {names}"
            )
        decoded = _decode_one(sig, data, media_type(ctype), target)
        grouped.setdefault(target, []).append(decoded[target])
    out: Arrays = {}
    for name, parts in grouped.items():
        if len(parts) == 1:
            out[name] = parts[0]
            continue
        if sig.max_batch_size == 0:
            raise InvalidArgumentError(
                f"{len(parts)} form parts for input '{name}', but model '{sig.name}' does "
                "not batch (max_batch_size 0)"
            )
        shapes = {p.shape[1:] for p in parts}
        if len(shapes) != 1:
            raise InvalidArgumentError(
                f"the form parts for input '{name}' have different shapes "
                f"{sorted(list(s) for s in shapes)}"
            )
        out[name] = np.concatenate(parts)
    return out


# -- images ---------------------------------------------------------------------------------------


def decode_image(
    sig: DecodeTarget, body: bytes, fmt: str, where: str = "request body"
) -> np.ndarray:
    """One JPEG/PNG as the image input's sample (no batch dimension), as ``image_preprocess``
    says."""
    t = sig.image_input()
    cfg = sig.image
    assert cfg is not None
    img = open_image(body, fmt, where)
    return preprocess(img, cfg, t)


def open_image(body: bytes, fmt: str, where: str = "request body") -> Any:
    """The decoded Pillow image; 400 for a corrupt, truncated or oversized one."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(body), formats=[fmt])
            w, h = img.size
            if w * h > MAX_IMAGE_PIXELS:
                raise InvalidArgumentError(
                    f"the {where} is a {w}x{h} image, more than {MAX_IMAGE_PIXELS} pixels"
                )
            img.load()
    except InvalidArgumentError:
        raise
    except Image.DecompressionBombError as e:  # Pillow's own bound, above ours
        raise InvalidArgumentError(
            f"the {where} is an image of more than {MAX_IMAGE_PIXELS} pixels: {e}"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise InvalidArgumentError(f"the {where} is not a valid {fmt} image: {e}") from None
    return img


_RESAMPLE = {"NEAREST": 0, "BILINEAR": 2, "BICUBIC": 3}  # PIL.Image.Resampling values


def target_hw(cfg: ImagePreprocess, t: TensorConfig) -> tuple[int, int] | None:
    """The input's own (height, width) for the layout, when its dims fix them."""
    dims = t.dims[-3:] if len(t.dims) >= 3 else []
    if len(dims) != 3:
        return None
    h, w = (dims[1], dims[2]) if cfg.format == "FORMAT_NCHW" else (dims[0], dims[1])
    return (h, w) if h > 0 and w > 0 else None


def preprocess(img: Any, cfg: ImagePreprocess, t: TensorConfig) -> np.ndarray:
    """Pillow image -> one sample of input ``t`` (resize, crop, scale, mean/std, layout, dtype)."""
    img = img.convert("L" if cfg.channel_order == "GRAY" else "RGB")
    resample = _RESAMPLE[cfg.interpolation]
    if cfg.resize:
        h, w = cfg.resize
        img = img.resize((w, h), resample)
    elif cfg.resize_shorter:
        w, h = img.size
        s = cfg.resize_shorter
        size = (s, max(1, round(h * s / w))) if w <= h else (max(1, round(w * s / h)), s)
        img = img.resize(size, resample)
    elif not cfg.center_crop:
        hw = target_hw(cfg, t)
        if hw is not None and img.size != (hw[1], hw[0]):
            img = img.resize((hw[1], hw[0]), resample)
    if cfg.center_crop:
        ch, cw = cfg.center_crop
        w, h = img.size
        if w < cw or h < ch:
            raise InvalidArgumentError(
                f"the image is {w}x{h} after resizing, smaller than center_crop {cw}x{ch}"
            )
        left, top = (w - cw) // 2, (h - ch) // 2
        img = img.crop((left, top, left + cw, top + ch))
    a: np.ndarray = np.asarray(img, dtype=np.float32)
    if a.ndim == 2:
        a = a[:, :, None]
    if cfg.channel_order == "BGR":
        a = a[:, :, ::-1]
    if cfg.scale != 1.0:
        a = a * np.float32(cfg.scale)
    if cfg.mean:
        a = a - np.asarray(cfg.mean, np.float32)
    if cfg.std:
        a = a / np.asarray(cfg.std, np.float32)
    if cfg.format == "FORMAT_NCHW":
        a = a.transpose(2, 0, 1)
    a = _cast(np.ascontiguousarray(a), t.dtype)
    return _fit(a, t)


def _cast(a: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        clipped: np.ndarray = np.clip(np.rint(a), info.min, info.max)
        return clipped.astype(dtype)
    if dtype.kind == "b":
        raise InvalidArgumentError("an image cannot feed a BOOL input")
    return a.astype(dtype, copy=False)


def _fit(a: np.ndarray, t: TensorConfig) -> np.ndarray:
    """The sample in the input's dims: as it is when they match, reshaped when only the element
    count does (a flattened image, e.g. 784 values for 28x28)."""
    dims = t.dims
    if len(dims) == a.ndim and all(d in (-1, s) for d, s in zip(dims, a.shape)):
        return a
    if len(dims) == a.ndim + 1 and dims[0] in (-1, 1):  # MMS signatures: [1 or 0, C, H, W]
        if all(d in (-1, s) for d, s in zip(dims[1:], a.shape)):
            return a[None]
    if all(d > 0 for d in dims) and math.prod(dims) == a.size:
        return a.reshape(dims)
    raise InvalidArgumentError(
        f"the preprocessed image has shape {list(a.shape)}, input '{t.name}' takes dims {dims}: "
        "check image_preprocess (resize, center_crop, format, channel_order)"
    )


# -- top-k ----------------------------------------------------------------------------------------


def read_labels(path: Path) -> list[str]:
    """One label per line (Triton's label file, MMS's synset.txt); blank trailing lines dropped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidArgumentError(f"cannot read the label file {path.name}: {e}") from None
    labels = [line.strip() for line in text.splitlines()]
    while labels and not labels[-1]:
        labels.pop()
    if not labels:
        raise InvalidArgumentError(f"label file {path.name} holds no label")
    return labels


@dataclass(frozen=True)
class TopK:
    """The top-k answer for one output: ``k`` classes with their labels."""

    output: str
    labels: Sequence[str]
    k: int

    def render(self, scores: np.ndarray) -> list[Any]:
        """MMS's answer: ``[{"class", "probability"}, ...]`` best first for one sample, a list
        of those for several. Trailing dimensions of size 1 are dropped (a 1x1 spatial map)."""
        s = np.asarray(scores)
        if s.ndim == 1:
            s = s[None]
        while s.ndim > 2 and s.shape[-1] == 1:
            s = s[..., 0]
        if s.ndim != 2:
            raise InvalidArgumentError(
                f"output '{self.output}' has shape {list(scores.shape)}; top-k needs "
                "(batch, classes)"
            )
        k = min(self.k, s.shape[1])
        order = np.argsort(-s, axis=1, kind="stable")[:, :k]
        labels = self.labels
        rows = [
            [
                {
                    "class": labels[i] if i < len(labels) else str(i),
                    "probability": float(row[i]),
                }
                for i in idx
            ]
            for row, idx in zip(s, order.tolist())
        ]
        return rows[0] if len(rows) == 1 else rows


def top_k_for(
    config: ModelConfig, labels: dict[str, list[str]], output_names: Sequence[str]
) -> TopK | None:
    """The model's top-k answer, or None (raw outputs) when no output has labels or
    ``classification.top_k`` is 0. ``labels``: output name -> labels read at load."""
    cls: Classification = config.classification
    if cls.top_k == 0 or not labels:
        return None
    if cls.output:
        if cls.output not in labels:
            raise InvalidArgumentError(
                f"classification.output '{cls.output}' has no label file (outputs with labels: "
                f"{sorted(labels)})"
            )
        name = cls.output
    else:
        name = next((n for n in output_names if n in labels), next(iter(labels)))
    return TopK(name, labels[name], cls.top_k)


def load_labels(config: ModelConfig, model_dir: Path | None) -> dict[str, list[str]]:
    """Output name -> labels: each output's ``label_filename`` in ``model_dir``, else (MMS's
    convention) ``synset.txt`` there for a model with one output."""
    out: dict[str, list[str]] = {}
    for t in config.output:
        if t.label_filename:
            if model_dir is None:
                raise InvalidArgumentError(
                    f"output '{t.name}' names label_filename {t.label_filename!r}, but the "
                    "model has no directory to read it from"
                )
            path = model_dir / t.label_filename
            if not path.is_file():
                raise InvalidArgumentError(
                    f"label_filename {t.label_filename!r} of output '{t.name}' is not a file "
                    "in the model directory"
                )
            out[t.name] = read_labels(path)
    if not out and model_dir is not None and (model_dir / "synset.txt").is_file():
        if len(config.output) == 1:
            out[config.output[0].name] = read_labels(model_dir / "synset.txt")
    return out


def check_labels(config: ModelConfig, labels: dict[str, list[str]]) -> None:
    """Load-time check: a label file holds exactly as many labels as its output has classes
    (when the output's dims fix that)."""
    dims = {t.name: t.dims for t in config.output}
    for name, lab in labels.items():
        d = [x for x in dims.get(name, []) if x != 1]
        if len(d) == 1 and d[0] > 0 and d[0] != len(lab):
            raise InvalidArgumentError(
                f"the label file of output '{name}' has {len(lab)} labels, the output has "
                f"{d[0]} classes"
            )
