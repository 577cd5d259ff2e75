# SPDX-License-Identifier: Apache-2.0
"""The Python Predictor: an exported MXNet model bound to input shapes."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _runtime
from .errors import InvalidArgumentError, NotFoundError

PathOrBytes = str | os.PathLike[str] | bytes


def _read_symbol(symbol: PathOrBytes) -> bytes:
    if isinstance(symbol, bytes):
        return symbol
    text = os.fspath(symbol)
    if text.lstrip().startswith("{"):
        return text.encode()
    try:
        with open(text, "rb") as f:
            return f.read()
    except OSError as e:
        raise NotFoundError(f"cannot read symbol file '{text}': {e.strerror}") from None


def _read_params(params: PathOrBytes | None) -> bytes:
    if params is None:
        return b""
    if isinstance(params, bytes | bytearray | memoryview):
        return bytes(params)
    path = os.fspath(params)
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise NotFoundError(f"cannot read params file '{path}': {e.strerror}") from None


def _normalise_shapes(input_shapes: Mapping[str, Sequence[int]]) -> list[tuple[str, list[int]]]:
    if not input_shapes:
        raise InvalidArgumentError("input_shapes must name every graph input with its shape")
    out = []
    for name, shape in input_shapes.items():
        try:
            dims = [int(d) for d in shape]
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"input '{name}': shape {shape!r} is not a sequence of integers"
            ) from None
        if isinstance(shape, str | bytes):
            raise InvalidArgumentError(f"input '{name}': shape {shape!r} is a string")
        if any(d < 0 for d in dims):
            raise InvalidArgumentError(
                f"input '{name}': shape {tuple(dims)} has a negative dimension"
            )
        if any(d >= 2**63 for d in dims):
            raise InvalidArgumentError(
                f"input '{name}': shape {tuple(dims)} has a dimension of 2^63 or more"
            )
        out.append((name, dims))
    return out


def supported_operators() -> list[str]:
    """Names (and aliases) of every MXNet operator the runtime implements."""
    return list(_runtime.supported_operators())


def compute_dtypes() -> list[str]:
    """Compute dtypes (``Predictor(dtype=...)``) some backend of this build implements."""
    return list(_runtime.compute_dtypes())


def check_device(device: str) -> str:
    """Parses ``device`` (``"cpu"``, ``"cuda:0"``, ``"gpu(0)"``...) and returns the name of the
    backend that runs it; raises ``InvalidArgumentError`` for a malformed device and
    ``UnsupportedError``/``DeviceError`` naming what is missing for one this build or machine
    cannot run."""
    return str(_runtime.check_device(str(device)))


class Predictor:
    """An exported MXNet model bound to fixed input shapes.

    Parameters:
        symbol: path of ``NAME-symbol.json`` or the JSON text itself.
        params: path of ``NAME-EPOCH.params`` or its bytes (``None`` for a graph without weights).
        input_shapes: every graph input and its shape, e.g. ``{"data": (1, 3, 224, 224)}``.
        dtypes: input dtypes by name (default float32).
        device: ``"cpu"`` (default), or ``"cuda:N"`` (also ``"cuda"``, ``"gpu(N)"``, ``"gpu:N"``)
            on a build with the CUDA backend; a device this build or machine cannot run raises
            ``UnsupportedError`` naming what is missing.
        outputs: internal entries to return instead of the graph outputs, e.g. ``["pool1_output"]``.
        num_threads: intra-op threads per call; 0 means ``MXSERVE_NUM_THREADS`` or all cores.
        dtype: compute precision, one of ``compute_dtypes()``: ``"float32"`` (default) or
            ``"bfloat16"`` (needs AVX512-BF16 or AMX; inputs and outputs stay float32, the
            precision error is that of bf16 rounding).

    Calls are thread-safe: one Predictor may serve many threads at once; the GIL is released
    while the graph runs.
    """

    def __init__(
        self,
        symbol: PathOrBytes,
        params: PathOrBytes | None,
        input_shapes: Mapping[str, Sequence[int]],
        dtypes: Mapping[str, Any] | None = None,
        device: str = "cpu",
        outputs: Sequence[str] | None = None,
        num_threads: int = 0,
        dtype: str = "float32",
        *,
        _cached_op: Any = None,
    ) -> None:
        if _cached_op is not None:
            self._op = _cached_op
            return
        device = str(device)
        check_device(device)  # before the model is read
        model = _runtime.load_model(_read_symbol(symbol), _read_params(params))
        try:
            dtype_names = {
                k: np.dtype(v).name if not isinstance(v, str) else v
                for k, v in (dtypes or {}).items()
            }
        except TypeError as e:
            raise InvalidArgumentError(f"dtypes: {e}") from None
        self._op = _runtime.CachedOp(
            model,
            _normalise_shapes(input_shapes),
            dtype_names,
            list(outputs or []),
            int(num_threads),
            device,
            str(dtype),
        )

    @classmethod
    def load(cls, prefix: str | os.PathLike[str], epoch: int = 0, **kwargs: Any) -> Predictor:
        """Loads ``{prefix}-symbol.json`` and ``{prefix}-{epoch:04d}.params``."""
        prefix = os.fspath(prefix)
        return cls(f"{prefix}-symbol.json", f"{prefix}-{epoch:04d}.params", **kwargs)

    @property
    def input_names(self) -> list[str]:
        return [t[0] for t in self._op.inputs]

    @property
    def input_shapes(self) -> dict[str, tuple[int, ...]]:
        return {t[0]: tuple(t[1]) for t in self._op.inputs}

    @property
    def output_names(self) -> list[str]:
        return [t[0] for t in self._op.outputs]

    @property
    def output_shapes(self) -> list[tuple[int, ...]]:
        return [tuple(t[1]) for t in self._op.outputs]

    @property
    def output_dtypes(self) -> list[str]:
        return [t[2] for t in self._op.outputs]

    def __call__(self, *args: Any, **inputs: Any) -> list[np.ndarray]:
        """Runs the model. Inputs by keyword (``data=x``), or positionally in ``input_names`` order."""
        names = self.input_names
        if args:
            if inputs or len(args) != len(names):
                raise InvalidArgumentError(
                    f"pass the inputs {names} by keyword or all positionally"
                )
            inputs = dict(zip(names, args))
        unknown = sorted(set(inputs) - set(names))
        if unknown:
            raise NotFoundError(f"unknown input(s) {unknown}; the predictor's inputs are {names}")
        missing = [n for n in names if n not in inputs]
        if missing:
            raise InvalidArgumentError(
                f"missing input(s) {missing}; the predictor's inputs are {names}"
            )
        return list(self._op.forward([inputs[n] for n in names]))

    forward = __call__

    def reshape(self, input_shapes: Mapping[str, Sequence[int]]) -> Predictor:
        """A predictor for new input shapes that shares this one's weights."""
        return Predictor(
            None, None, {}, _cached_op=self._op.reshape(_normalise_shapes(input_shapes))
        )  # type: ignore[arg-type]

    def info(self) -> dict[str, Any]:
        """Operators, parameter bytes, planned activation bytes, threads, backend and kernels."""
        return dict(self._op.info())

    def __repr__(self) -> str:
        return f"Predictor(inputs={self.input_shapes}, outputs={self.output_names})"
