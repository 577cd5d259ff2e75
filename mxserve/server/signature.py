# SPDX-License-Identifier: Apache-2.0
"""A model version's signature: its inputs and outputs, reconciled from the graph and the config,
and the one check of a request's input names, datatypes and shapes against them.

The graph's inputs and outputs come from the runtime (``_runtime.graph_io``: the variables that
are not parameters, with the graph's ``__shape__`` hints, and the output entry names), so the
symbol JSON is read once, by the C++ reader. The config (``input``/``output``) may name the
inputs with their dims and datatypes; without it the graph's hints are used, and an input the
graph gives no shape for takes any rank (only its batch dimension is checked here). What this
check lets through is bound by the runtime, whose shape inference is the authority on whether
the graph accepts the shapes; its error reaches the client as a 400 naming the node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _runtime  # type: ignore[attr-defined,unused-ignore]
from ..errors import InvalidArgumentError
from .batching import Inputs
from .config import OIP_OF_DTYPE, ModelConfig, TensorConfig

#: (dtype, shape) per input name.
Specs = dict[str, tuple[np.dtype[Any], tuple[int, ...]]]


@dataclass
class GraphIO:
    """What the runtime reads from the graph: inputs (with dims hints) and output entry names."""

    inputs: list[TensorConfig]
    outputs: list[str]
    any_rank: set[str] = field(default_factory=set)  # inputs the graph gives no shape for

    @classmethod
    def of(cls, model: Any) -> GraphIO:
        io = _runtime.graph_io(model)
        inputs = []
        any_rank = set()
        for name, dims, _dtype in io["inputs"]:
            t = TensorConfig(name=name, dims=list(dims) if dims else [-1])
            inputs.append(t)
            if t.dims == [-1]:
                any_rank.add(name)
        return cls(inputs, list(io["outputs"]), any_rank)


class Signature:
    """The inputs a model version takes (config names, datatypes and dims) and its check."""

    def __init__(self, model_name: str, config: ModelConfig, any_rank: set[str]) -> None:
        self.model_name = model_name
        self.max_batch_size = config.max_batch_size
        self.inputs = {t.name: t for t in config.input}
        self.any_rank = frozenset(any_rank)

    @classmethod
    def reconcile(cls, model_name: str, config: ModelConfig, graph: GraphIO) -> Signature:
        """Fills ``config.input`` from the graph when the config lists none, else checks that
        the config names exactly the graph's inputs."""
        known = {t.name for t in graph.inputs}
        any_rank: set[str] = set()
        if config.input:
            for t in config.input:
                if t.name not in known:
                    raise InvalidArgumentError(
                        f"config input '{t.name}' is not an input of the graph "
                        f"(its inputs are {sorted(known)})"
                    )
            missing = known - {t.name for t in config.input}
            if missing:
                raise InvalidArgumentError(
                    f"config lists no entry for graph input(s) {sorted(missing)}"
                )
        else:
            inputs = [t.model_copy() for t in graph.inputs]
            for t in inputs:
                if t.name in graph.any_rank:
                    any_rank.add(t.name)
                elif config.max_batch_size > 0:
                    t.dims = t.dims[1:]
            config.input = inputs
        return cls(model_name, config, any_rank)

    @property
    def fixed(self) -> bool:
        """Every input's dims are known (then the output shapes can be found at load)."""
        return not self.any_rank and all(d > 0 for t in self.inputs.values() for d in t.dims)

    def check_inputs(self, inputs: Inputs) -> tuple[int, tuple[Any, ...]]:
        """``check_specs`` on arrays."""
        return self.check_specs({n: (a.dtype, a.shape) for n, a in inputs.items()})

    def check_specs(self, specs: Specs) -> tuple[int, tuple[Any, ...]]:
        """Validates names, dtypes and shapes; returns (batch size, batching key)."""
        expected = self.inputs
        for name in specs:
            if name not in expected:
                raise InvalidArgumentError(
                    f"unexpected inference input '{name}' for model '{self.model_name}'"
                )
        for name, t in expected.items():
            if name not in specs and not t.optional:
                raise InvalidArgumentError(
                    f"expected {len(expected)} inputs but got {len(specs)} inputs for "
                    f"model '{self.model_name}': missing input '{name}'"
                )
        batched = self.max_batch_size > 0
        batch_sizes = set()
        for name, (dtype, shape) in specs.items():
            t = expected[name]
            if dtype != t.dtype:
                raise InvalidArgumentError(
                    f"inference input '{name}' data-type is "
                    f"'{OIP_OF_DTYPE.get(dtype, dtype.name)}', but model '{self.model_name}' "
                    f"expects '{t.datatype}'"
                )
            if name in self.any_rank:
                if batched:
                    if not shape:
                        raise InvalidArgumentError(f"input '{name}' needs a batch dimension")
                    batch_sizes.add(shape[0])
                continue
            dims = ([-1] if batched else []) + t.dims
            if len(shape) != len(dims) or any(d != -1 and d != s for d, s in zip(dims, shape)):
                raise InvalidArgumentError(
                    f"unexpected shape for input '{name}' for model '{self.model_name}'. "
                    f"Expected {dims}, got {list(shape)}"
                )
            if batched:
                batch_sizes.add(shape[0])
        if not batched:
            return 1, tuple((n, tuple(s), d.str) for n, (d, s) in sorted(specs.items()))
        if len(batch_sizes) > 1:
            raise InvalidArgumentError(
                f"inputs of model '{self.model_name}' have different batch sizes "
                f"{sorted(batch_sizes)}"
            )
        batch = batch_sizes.pop() if batch_sizes else 1
        if not 1 <= batch <= self.max_batch_size:
            raise InvalidArgumentError(
                f"inference request batch-size must be <= {self.max_batch_size} for "
                f"'{self.model_name}', got {batch}"
            )
        return batch, tuple((n, tuple(s[1:]), d.str) for n, (d, s) in sorted(specs.items()))
