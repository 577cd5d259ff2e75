# SPDX-License-Identifier: Apache-2.0
"""Calibration data: one array per graph input, examples along the first axis (an ``.npz``
file or a dict), checked against the model's inputs and split into batches."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, NotFoundError

CalibSource = str | os.PathLike[str] | Mapping[str, Any]


def load_calib(source: CalibSource, input_names: Sequence[str]) -> dict[str, np.ndarray]:
    """The calibration arrays by input name, as float32, after checking that they name exactly
    the model's inputs, are floating point and hold the same number (>= 1) of examples."""
    where = "calibration data"
    if isinstance(source, Mapping):
        arrays = {str(k): np.asarray(v) for k, v in source.items()}
    else:
        path = os.fspath(source)
        where = f"calibration file '{path}'"
        if not os.path.exists(path):
            raise NotFoundError(f"{where} does not exist")
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files} if hasattr(z, "files") else {}
        except (OSError, ValueError, zipfile.BadZipFile) as e:
            raise InvalidArgumentError(f"{where} is not an .npz archive: {e}") from None
    names = list(input_names)
    missing = [n for n in names if n not in arrays]
    extra = sorted(set(arrays) - set(names))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing input(s) {missing}")
        if extra:
            parts.append(f"unknown array(s) {extra}")
        raise InvalidArgumentError(f"{where}: {'; '.join(parts)}; the model's inputs are {names}")
    out = {}
    count = None
    for n in names:
        a = arrays[n]
        if a.dtype.kind != "f":
            raise InvalidArgumentError(
                f"{where}: array '{n}' has dtype {a.dtype}; calibration inputs must be floating"
                " point (float32)"
            )
        if a.ndim < 1 or a.shape[0] == 0:
            raise InvalidArgumentError(
                f"{where}: array '{n}' has shape {a.shape}; examples go along the first axis"
                " and at least one is needed"
            )
        if count is not None and a.shape[0] != count:
            raise InvalidArgumentError(
                f"{where}: array '{n}' has {a.shape[0]} examples but '{names[0]}' has {count}"
            )
        count = a.shape[0]
        out[n] = np.ascontiguousarray(a, dtype=np.float32)
    return out


def batches(
    arrays: Mapping[str, np.ndarray], batch_size: int, num_examples: int | None = None
) -> Iterator[dict[str, np.ndarray]]:
    """Consecutive batches of `batch_size` examples (the last may be smaller), stopping once
    `num_examples` examples have been given (MXNet's ``num_calib_examples``)."""
    if batch_size < 1:
        raise InvalidArgumentError(f"batch_size must be >= 1, got {batch_size}")
    total = next(iter(arrays.values())).shape[0]
    seen = 0
    for start in range(0, total, batch_size):
        yield {k: v[start : start + batch_size] for k, v in arrays.items()}
        seen += min(batch_size, total - start)
        if num_examples is not None and seen >= num_examples:
            return


def num_batches(
    arrays: Mapping[str, np.ndarray], batch_size: int, num_examples: int | None = None
) -> int:
    """How many batches :func:`batches` gives."""
    total = int(next(iter(arrays.values())).shape[0])
    if num_examples is not None:
        total = min(total, num_examples)
    return -(-total // batch_size)
