# SPDX-License-Identifier: Apache-2.0
"""``mxserve.quantize``: post-training quantization of an exported float32 model into MXNet
1.9.1's quantized graph format, calibrated with mxserve's own float32 Predictor."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from .. import _runtime, nd
from ..errors import InvalidArgumentError, MXServeError, NotFoundError
from ..predictor import Predictor
from .calib_data import CalibSource, batches, load_calib, num_batches
from .collect import HistogramCollector, MinMaxCollector
from .fuse import fuse_for_quantization, original_output
from .graph import read_json, write_json
from .ops import QUANTIZED_DTYPES, num_outputs
from .params import quantized_params
from .progress import Progress
from .rewrite import quantize_graph, set_calibration

MODES = ("naive", "entropy")
Source = str | os.PathLike[str] | tuple[Any, Any]


@dataclass
class QuantizedModel:
    """A quantized model: symbol JSON, params (``arg:``/``aux:`` keys) and the calibrated
    (min, max) of every observed tensor."""

    symbol: str
    params: dict[str, np.ndarray]
    thresholds: dict[str, tuple[float, float]] = field(default_factory=dict)
    prefix: str | None = None

    def params_bytes(self) -> bytes:
        """The params in MXNet's file format."""
        items = [
            (k, nd._save_dtype(k, v), list(v.shape), np.ascontiguousarray(v).tobytes())
            for k, v in self.params.items()
        ]
        return bytes(_runtime.save_ndarrays(items))

    def save(self, prefix: str | os.PathLike[str]) -> None:
        """Writes ``{prefix}-symbol.json`` and ``{prefix}-0000.params``."""
        prefix = os.fspath(prefix)
        folder = os.path.dirname(prefix)
        if folder:
            os.makedirs(folder, exist_ok=True)
        try:
            with open(f"{prefix}-symbol.json", "w") as f:
                f.write(self.symbol)
        except OSError as e:
            raise NotFoundError(f"cannot write '{prefix}-symbol.json': {e.strerror}") from None
        nd.save(f"{prefix}-0000.params", self.params)
        self.prefix = prefix


def _read_source(model: Source, epoch: int) -> tuple[bytes, bytes]:
    if isinstance(model, tuple):
        symbol, params = model
    else:
        prefix = os.fspath(model)
        symbol, params = f"{prefix}-symbol.json", f"{prefix}-{epoch:04d}.params"
    out = []
    for part in (symbol, params):
        if isinstance(part, bytes | bytearray):
            out.append(bytes(part))
            continue
        text = os.fspath(part)
        if text.lstrip().startswith("{"):
            out.append(text.encode())
            continue
        try:
            with open(text, "rb") as f:
                out.append(f.read())
        except OSError as e:
            raise NotFoundError(f"cannot read '{text}': {e.strerror}") from None
    return out[0], out[1]


def quantize(
    model: Source,
    calib: CalibSource,
    *,
    mode: str = "naive",
    quantized_dtype: str = "auto",
    out: str | os.PathLike[str] | None = None,
    epoch: int = 0,
    batch_size: int = 32,
    num_calib_examples: int | None = None,
    exclude_layers: Sequence[str] = (),
    exclude_operators: Sequence[str] = (),
    progress: bool | TextIO = True,
    num_threads: int = 0,
) -> QuantizedModel:
    """Calibrates a float32 model and writes it in MXNet 1.9.1's quantized form.

    Parameters:
        model: the model prefix (``{model}-symbol.json`` + ``{model}-{epoch:04d}.params``) or
            a ``(symbol, params)`` pair of paths, JSON text / bytes.
        calib: an ``.npz`` file or dict with one float array per graph input, examples along
            the first axis (inputs not in the calibration set are never quantized ranges).
        mode: ``"naive"`` (observed min/max) or ``"entropy"`` (KL-optimal thresholds).
        quantized_dtype: ``"auto"`` (uint8 for non-negative tensors, else int8), ``"int8"`` or
            ``"uint8"``, as MXNet's ``quantized_dtype``.
        out: when given, the prefix the result is written to (``-symbol.json``,
            ``-0000.params``).
        epoch: the params epoch read with a prefix.
        batch_size: examples per calibration batch (the statistics are per batch, as MXNet's).
        num_calib_examples: stop after this many examples (default: all).
        exclude_layers: names of nodes (in the float32 graph) to keep in float32.
        exclude_operators: operator names to keep in float32.
        progress: a bar on stderr over the calibration batches (or a stream to write it to);
            ``False`` for none.
        num_threads: intra-op threads of the calibration Predictor (0: all cores).

    Returns:
        The :class:`QuantizedModel`; its graph loads in MXNet 1.9.1
        (``mx.sym.load`` / ``SymbolBlock.imports`` / the C predict API) and in mxserve.

    Raises:
        InvalidArgumentError: an unknown mode or dtype, or calibration data whose names,
            dtypes or shapes do not fit the model (the message names the array).
        NotFoundError: a file cannot be read or written.
    """
    if mode not in MODES:
        raise InvalidArgumentError(f"mode must be one of {list(MODES)}, got {mode!r}")
    if quantized_dtype not in QUANTIZED_DTYPES:
        raise InvalidArgumentError(
            f"quantized_dtype must be one of {list(QUANTIZED_DTYPES)}, got {quantized_dtype!r}"
        )
    symbol_bytes, params_bytes = _read_source(model, epoch)
    raw_params = nd.load(params_bytes)
    plain = {k.split(":", 1)[-1]: v for k, v in raw_params.items()}
    graph = read_json(symbol_bytes)
    inputs = [n.name for n in graph.topo() if n.is_variable and n.name not in plain]
    calib_arrays = load_calib(calib, [n for n in inputs if not n.endswith("_label")])
    calib_names = list(calib_arrays)

    fused = fuse_for_quantization(graph)
    q = quantize_graph(fused, plain, quantized_dtype, exclude_layers, exclude_operators)

    observe: dict[str, str] = {}
    for name, entry in q.entries.items():
        observe[name] = entry.node.name if entry.node.is_variable else original_output(entry.node)
    internal = sorted({v for k, v in observe.items() if v not in calib_names})
    collector: MinMaxCollector | HistogramCollector = (
        MinMaxCollector() if mode == "naive" else HistogramCollector()
    )
    first = {k: v[:batch_size] for k, v in calib_arrays.items()}
    try:
        pred = Predictor(
            symbol_bytes,
            params_bytes,
            {k: v.shape for k, v in first.items()},
            outputs=internal,
            num_threads=num_threads,
        )
    except MXServeError as e:
        shapes = ", ".join(f"'{k}' {v.shape[1:]}" for k, v in calib_arrays.items())
        raise type(e)(
            f"calibration data (per-example shapes {shapes}) does not fit the model: {e}"
        ) from None
    total = num_batches(calib_arrays, batch_size, num_calib_examples)
    bar = None
    if progress:
        bar = Progress(total, stream=progress if not isinstance(progress, bool) else sys.stderr)
    by_shape = {tuple(first[calib_names[0]].shape): pred}
    for batch in batches(calib_arrays, batch_size, num_calib_examples):
        shape = tuple(batch[calib_names[0]].shape)
        if shape not in by_shape:
            by_shape[shape] = pred.reshape({k: v.shape for k, v in batch.items()})
        values = dict(zip(internal, by_shape[shape](**batch)))
        values.update(batch)
        for name, src in observe.items():
            collector.collect(name, values[src])
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()
    thresholds = collector.thresholds(quantized_dtype)
    out_graph = set_calibration(q, thresholds)
    result = QuantizedModel(
        write_json(out_graph, num_outputs),
        quantized_params(out_graph, raw_params, q.offline),
        thresholds,
    )
    if out is not None:
        result.save(out)
    return result
