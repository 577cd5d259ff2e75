# SPDX-License-Identifier: Apache-2.0
"""``model_warmup`` (Triton's field): sample requests run while a model version loads.

Each sample gives every input's ``data_type``, ``dims`` (without the batch dimension when the
model batches) and ``zero_data`` or ``random_data``; ``batch_size`` rows are run ``count`` times
(at least once) before the version is marked READY. The first execution at a shape creates its
oneDNN primitives and plans its memory, so requests after a warm-up do not pay for that. A
sample that does not fit the model, or fails to run, fails the load with the sample's name.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InvalidArgumentError, MXServeError
from .config import DATA_TYPES, ModelWarmup

if TYPE_CHECKING:
    from .instances import ModelVersion

log = logging.getLogger("mxserve.server")


def sample_inputs(sample: ModelWarmup, batching: bool, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    inputs = {}
    for name, spec in sample.inputs.items():
        dtype = np.dtype(DATA_TYPES[spec.data_type][1])
        shape = ([max(sample.batch_size, 1)] if batching else []) + spec.dims
        if spec.zero_data:
            inputs[name] = np.zeros(shape, dtype)
        elif dtype.kind == "f":
            inputs[name] = rng.uniform(0, 1, shape).astype(dtype)
        elif dtype.kind == "b":
            inputs[name] = rng.integers(0, 2, shape).astype(dtype)
        else:
            inputs[name] = rng.integers(0, 100, shape).astype(dtype)
    return inputs


def warm_up(mv: ModelVersion) -> None:
    """Runs the config's ``model_warmup`` samples on ``mv`` (in the loading thread)."""
    batching = mv.config.max_batch_size > 0
    if mv.config.model_warmup:
        log.info(
            "model '%s' version %s: warming up (%d sample(s))",
            mv.name,
            mv.version,
            len(mv.config.model_warmup),
            extra={"model": mv.name, "event": "warming_up"},
        )
    for i, sample in enumerate(mv.config.model_warmup):
        label = f"model_warmup '{sample.name or i}'"
        try:
            inputs = sample_inputs(sample, batching, seed=i)
            mv.check_inputs(inputs)
            for _ in range(max(sample.count, 1)):
                mv.run(inputs)
        except MXServeError as e:
            raise InvalidArgumentError(f"{label} failed: {e}") from None
