# SPDX-License-Identifier: Apache-2.0
"""The data plane every protocol calls: a decoded request in, the model's outputs out.

The transports (HTTP v2 JSON and binary in ``routers/infer.py``, the MMS routes in
``routers/mms.py``, gRPC in ``grpc_service.py``) decode their bodies into numpy arrays and call
``DataPlane.infer``; it checks the inputs against the version's signature (unless the caller's
request plan already did), queues them on the version's batcher and awaits the outputs. The
request statistics -- Triton's per-version success/fail counts and durations with the failure
reason, the queue and compute durations of each execution, and the Prometheus histograms -- are
recorded here and nowhere else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DrainingError, QueueFullError, QueueTimeoutError, RequestCancelledError
from .batching import BatchRequest, Inputs, Outputs, Timings
from .instances import ModelVersion
from .lifecycle import ModelRepository
from .metrics import Metrics


@dataclass
class InferRequest:
    """A decoded inference request.

    Attributes:
        inputs: the input arrays by name (native byte order).
        timeout_us: the request's ``timeout`` parameter (0: the queue policy's default).
        priority: the request's ``priority`` parameter (0: the default level).
        checked: (batch size, batching key) when the inputs were already checked.
        gone: returns True once the client has gone (the request is then not executed).
    """

    inputs: Inputs
    timeout_us: int = 0
    priority: int = 0
    checked: tuple[int, tuple[Any, ...]] | None = None
    gone: Callable[[], bool] | None = None


class DataPlane:
    """Inference over one repository, with its statistics and metrics."""

    def __init__(self, repo: ModelRepository, metrics: Metrics | None) -> None:
        self.repo = repo
        self.metrics = metrics
        repo.on_execution = self.record_execution

    def version(self, model: str, version: str = "") -> ModelVersion:
        """The ready version a request names (the highest ready one for ``""``)."""
        if self.repo.draining:
            raise DrainingError("Server exiting: no new requests are accepted")
        return self.repo.get(model, version or None)

    async def infer(self, mv: ModelVersion, request: InferRequest) -> Outputs:
        """Runs one request on ``mv`` and records its outcome.

        Raises:
            InvalidArgumentError: the inputs do not fit the signature, or the runtime refused them.
            QueueFullError, QueueTimeoutError: the queue policy rejected the request.
            RequestCancelledError: the client went away before it ran.
            DrainingError: the server is shutting down.
        """
        t0 = time.perf_counter_ns()
        queued = False
        try:
            if self.repo.draining:
                raise DrainingError("Server exiting: no new requests are accepted")
            batch, key = request.checked or mv.check_inputs(request.inputs)
            assert mv.batcher is not None
            queued = True
            outputs = await mv.batcher.submit(
                request.inputs, batch, key, request.timeout_us, request.priority, request.gone
            )
        except Exception as e:
            self._record_failure(mv, e, queued, time.perf_counter_ns() - t0)
            raise
        ns = time.perf_counter_ns() - t0
        mv.stats.success.add(ns)
        if self.metrics is not None:
            self.metrics.for_model(mv.name, str(mv.version)).request_us.observe(ns / 1000)
        return outputs

    @staticmethod
    def _record_failure(mv: ModelVersion, e: BaseException, queued: bool, ns: int) -> None:
        if isinstance(e, QueueFullError | QueueTimeoutError):
            reason = "REJECTED"
        elif isinstance(e, RequestCancelledError):
            reason = "CANCELED"
        elif queued and not isinstance(e, DrainingError):
            reason = "BACKEND"
        else:
            reason = "OTHER"
        mv.stats.fail.add(ns)
        mv.stats.failures[reason] += 1

    def record_execution(
        self,
        mv: ModelVersion,
        batch: Sequence[BatchRequest],
        t: Timings,
        error: BaseException | None,
    ) -> None:
        """One execution's statistics (a failed one is counted per request by ``infer``)."""
        if error is not None:
            return
        s = mv.stats
        size = sum(r.batch_size for r in batch)
        s.record_batch(size, t.compute_input_ns, t.compute_infer_ns, t.compute_output_ns)
        h = self.metrics.for_model(mv.name, str(mv.version)) if self.metrics is not None else None
        for r in batch:
            q = r.started_ns - r.enqueued_ns
            s.queue.add(q)
            s.compute_input.add(t.compute_input_ns)
            s.compute_infer.add(t.compute_infer_ns)
            s.compute_output.add(t.compute_output_ns)
            if h is not None:
                h.queue_us.observe(q / 1000)
        if h is not None:
            h.compute_input_us.observe(t.compute_input_ns / 1000)
            h.compute_infer_us.observe(t.compute_infer_ns / 1000)
            h.compute_output_us.observe(t.compute_output_ns / 1000)
            h.batch_size.observe(size)
