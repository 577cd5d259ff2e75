# SPDX-License-Identifier: Apache-2.0
"""Dynamic batching with Triton's semantics, shaped like Ray Serve's ``_BatchQueue``.

One ``DynamicBatcher`` per loaded model version. ``submit()`` puts a request in the model's
``PolicyQueue`` (priority levels, per-level ``max_queue_size`` -- QueueFullError at once when full
-- and queue timeouts with the REJECT or DELAY action) and awaits its result. One consumer task
per model instance (``instance_group.count``) forms a batch out of the requests at the head of
the queue, in service order, whose non-batch shapes and dtypes match, up to ``max_batch_size``:

* a batch that reaches ``max_batch_size``, or a preferred size, is sent at once;
* otherwise the consumer waits while the oldest request has waited less than
  ``max_queue_delay_microseconds`` (an arrival that could complete a batch re-checks), then sends
  what it has;
* without ``dynamic_batching`` (or with ``max_batch_size`` 0) every request runs alone.

The batch runs in a worker thread (``asyncio.to_thread``; the runtime releases the GIL), so the
event loop does not wait for the model. A model of one instance whose executions average under
``INLINE_EXECUTE_NS`` of CPU time (the MLP of the serving benchmark: 20-100 us) runs its
batches on the event loop instead, after ``INLINE_AFTER`` executions in threads: for it, the
hop to the thread and back (a wake-up and two handoffs of the GIL, per batch) costs more CPU
than the execution, and the loop would only have waited for it. When the average goes over the
limit, or one execution takes ``INLINE_WALL_FACTOR`` times it in wall time, the batches go back
to the thread; each new input shape binds once, on whichever thread runs it.

A request whose REJECT timeout expires while queued fails with QueueTimeoutError ("Request
timeout expired"); a failed batch fails every request in it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DrainingError, InternalError, QueueTimeoutError, RequestCancelledError
from .config import DynamicBatching
from .policy_queue import PolicyQueue

#: The largest request ``timeout`` parameter, in microseconds (2^53: exact as a float, ~285 years).
MAX_TIMEOUT_US = 2**53
#: The largest request ``priority`` parameter.
MAX_PRIORITY = 2**31 - 1
#: A one-instance model whose executions average less CPU time than this (ns, on the thread that
#: ran them; a moving average over about INLINE_SMOOTHING executions) runs its batches on the
#: event loop. CPU time, since the wall time of a thread also counts its waits for the GIL and
#: for a core, which grow with the load and not with the model.
INLINE_EXECUTE_NS = 300_000
#: The weight of the newest execution in that average is 1 / INLINE_SMOOTHING.
INLINE_SMOOTHING = 8
#: An execution whose wall time reaches this many times INLINE_EXECUTE_NS starts the count over
#: (a model whose calling thread waits for its other threads uses little CPU time on it; on a
#: loaded machine a quick execution's wall time can reach some milliseconds, waiting for a core).
INLINE_WALL_FACTOR = 100
#: Executions (in worker threads) before a model's batches may move onto the event loop.
INLINE_AFTER = 16

log = logging.getLogger("mxserve.server")

Inputs = dict[str, np.ndarray]
Outputs = dict[str, np.ndarray]


@dataclass
class Timings:
    """Nanoseconds spent on one execution (shared by every request of the batch)."""

    compute_input_ns: int = 0
    compute_infer_ns: int = 0
    compute_output_ns: int = 0


@dataclass(eq=False)
class BatchRequest:
    """One queued request: its inputs, batch size and the future its handler awaits."""

    inputs: Inputs
    batch_size: int
    key: tuple[Any, ...]
    future: asyncio.Future[Outputs]
    enqueued_ns: int = field(default_factory=time.perf_counter_ns)
    started_ns: int = 0
    timer: asyncio.TimerHandle | None = None
    level: int = 0  # priority level index, set by the PolicyQueue
    gone: Callable[[], bool] | None = None  # True once the client has disconnected
    delayed: bool = False  # moved back by a DELAY queue timeout


#: Runs a list of requests as one model execution (in a worker thread, or on the event loop for a
#: quick model: see ``INLINE_AFTER``); returns per-request outputs.
ExecuteFn = Callable[[Sequence[BatchRequest]], tuple[list[Outputs], Timings]]
#: Called on the event loop after every execution, with the batch, its timings and error (or None).
ReportFn = Callable[[Sequence[BatchRequest], Timings, BaseException | None], None]


def concat_inputs(batch: Sequence[BatchRequest]) -> Inputs:
    """Concatenates the requests' inputs along the batch dimension."""
    if len(batch) == 1:
        return batch[0].inputs
    return {
        name: np.concatenate([r.inputs[name] for r in batch], axis=0) for name in batch[0].inputs
    }


def split_outputs(outputs: Outputs, batch: Sequence[BatchRequest]) -> list[Outputs]:
    """Splits batched outputs back per request; the batch dimension must equal the batch's total."""
    if len(batch) == 1:
        return [outputs]
    total = sum(r.batch_size for r in batch)
    for name, value in outputs.items():
        if value.ndim == 0 or value.shape[0] != total:
            raise InternalError(
                f"output '{name}' has shape {value.shape}; a batch of {total} needs batch dimension {total}"
            )
    result: list[Outputs] = []
    start = 0
    for r in batch:
        end = start + r.batch_size
        result.append({name: value[start:end] for name, value in outputs.items()})
        start = end
    return result


def _timed(
    execute: ExecuteFn, batch: Sequence[BatchRequest]
) -> tuple[list[Outputs], Timings, int, int]:
    """``execute(batch)``, its wall time and the CPU time of the calling thread, in ns."""
    t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
    results, timings = execute(batch)
    return results, timings, time.perf_counter_ns() - t0, time.thread_time_ns() - c0


class DynamicBatcher:
    """The per-model-version request queue and its executor tasks.

    Parameters:
        execute: runs a batch (called in a worker thread).
        report: bookkeeping after each batch (called on the event loop).
        max_batch_size: the model's ``max_batch_size``; 0 means the model does not batch.
        dynamic_batching: the config's ``dynamic_batching`` (None: no batching, no delay).
        instance_count: how many batches may execute at once.
        inline_below_ns: the ``INLINE_EXECUTE_NS`` of this batcher (0: batches always run in
            a worker thread).
    """

    def __init__(
        self,
        execute: ExecuteFn,
        report: ReportFn,
        max_batch_size: int,
        dynamic_batching: DynamicBatching | None,
        instance_count: int = 1,
        inline_below_ns: int = INLINE_EXECUTE_NS,
    ) -> None:
        if instance_count < 1:
            raise ValueError("instance_count must be an integer >= 1")
        self._execute = execute
        self._report = report
        self.max_batch_size = max_batch_size
        self._batching = dynamic_batching is not None and max_batch_size > 0
        db = dynamic_batching or DynamicBatching()
        self._delay_s = db.max_queue_delay_microseconds / 1e6
        self._preferred = sorted(
            {p for p in db.preferred_batch_size if 0 < p <= max(max_batch_size, 1)}
        )
        self._instance_count = instance_count
        # With more than one instance the batches must overlap, so they always run in threads.
        self._inline_below_ns = inline_below_ns if instance_count == 1 else 0
        self._runs = 0  # executions since the count started (over)
        self._cpu_avg = 0.0  # moving average of the executions' CPU time, ns
        self._inline = False  # whether batches run on the event loop
        self._queue: PolicyQueue[BatchRequest] = PolicyQueue(dynamic_batching)
        # While a partial batch waits out the delay, arrivals only wake the forming consumer once
        # enough rows are queued to send a batch at once (a preferred size, or the maximum).
        self._wake_rows = min(self._preferred) if self._preferred else max(max_batch_size, 1)
        self._cond: asyncio.Condition | None = None
        self._form_lock: asyncio.Lock | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._executing = 0
        self._closed = False
        self._idle: asyncio.Event | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Starts one consumer task per instance on the running loop."""
        self._cond = asyncio.Condition()
        self._form_lock = asyncio.Lock()
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks = [
            asyncio.create_task(self._consume(), name=f"batcher-{i}")
            for i in range(self._instance_count)
        ]

    def close(self) -> None:
        """Refuses new requests (DrainingError); queued ones still run."""
        self._closed = True

    async def drain(self) -> None:
        """Waits until every queued and executing request has finished."""
        if self._idle is not None:
            await self._idle.wait()

    async def stop(self) -> None:
        """Stops the consumers; requests still queued fail with DrainingError."""
        self._closed = True
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except asyncio.CancelledError:
                pass
        self._tasks = []
        while self._queue:
            r = self._queue.popleft()
            if not r.future.done():
                r.future.set_exception(
                    DrainingError("the model was unloaded before the request ran")
                )
        self._executing = 0
        if self._idle is not None:
            self._idle.set()

    @property
    def pending(self) -> int:
        """Requests received but not yet executing (Triton's pending request count)."""
        return len(self._queue)

    @property
    def executing(self) -> int:
        return self._executing

    # -- requests -----------------------------------------------------------------------------
    def effective_timeout_us(self, requested_us: int, priority: int = 0) -> int:
        """The queue timeout of a request (see PolicyQueue.timeout_us)."""
        return self._queue.timeout_us(self._queue.level_of(priority), requested_us)

    async def submit(
        self,
        inputs: Inputs,
        batch_size: int,
        key: tuple[Any, ...],
        timeout_us: int = 0,
        priority: int = 0,
        gone: Callable[[], bool] | None = None,
    ) -> Outputs:
        """Queues one request and returns its outputs.

        Raises:
            QueueFullError: ``max_queue_size`` requests are already waiting.
            QueueTimeoutError: the timeout expired before the request started executing.
            DrainingError: the batcher is closed.
        """
        if self._closed or self._cond is None:
            raise DrainingError("the server is shutting down")
        loop = asyncio.get_running_loop()
        req = BatchRequest(inputs, batch_size, key, loop.create_future(), gone=gone)
        level = self._queue.level_of(priority)
        timeout = self._queue.timeout_us(level, timeout_us)
        # Everything that can fail happens before the request is queued: a request that raised
        # after push() would stay queued with no batcher woken for it.
        delay_s = min(timeout, MAX_TIMEOUT_US) / 1e6
        self._queue.push(req, level)  # QueueFullError when the level's queue is full
        if timeout > 0:
            req.timer = loop.call_later(delay_s, self._expire, req)
        assert self._idle is not None
        self._idle.clear()
        if not self._batching or len(self._queue) == 1 or self._queue.rows >= self._wake_rows:
            async with self._cond:
                self._cond.notify()
        return await req.future

    def _expire(self, req: BatchRequest) -> None:
        if req.started_ns or req.future.done():
            return
        if self._queue.policy(req.level).timeout_action == "DELAY":
            self._queue.delay(req)
            return
        if not self._queue.remove(req):
            return
        req.future.set_exception(QueueTimeoutError("Request timeout expired"))
        self._check_idle()

    @staticmethod
    def _abandoned(r: BatchRequest) -> bool:
        """Its handler was cancelled, or its client disconnected (then it fails as cancelled)."""
        if r.future.done():
            return True
        if r.gone is not None and r.gone():
            if r.timer is not None:
                r.timer.cancel()
            r.future.set_exception(
                RequestCancelledError("the client disconnected before the request ran")
            )
            return True
        return False

    def _check_idle(self) -> None:
        if not self._queue and self._executing == 0 and self._idle is not None:
            self._idle.set()

    # -- consumers ----------------------------------------------------------------------------
    async def _consume(self) -> None:
        assert self._cond is not None and self._form_lock is not None
        while True:
            async with self._form_lock:
                batch = await self._next_batch()
                now = time.perf_counter_ns()
                for r in batch:
                    r.started_ns = now
                    if r.timer is not None:
                        r.timer.cancel()
                self._executing += 1
            error: BaseException | None = None
            timings = Timings()
            try:
                inline = self._inline
                if inline:
                    results, timings, wall, cpu = _timed(self._execute, batch)
                else:
                    run = await asyncio.to_thread(_timed, self._execute, batch)
                    results, timings, wall, cpu = run
                self._account(wall, cpu)
                for r, out in zip(batch, results):
                    if not r.future.done():
                        r.future.set_result(out)
                if inline:  # the loop runs its other callbacks (answers, arrivals) between batches
                    await asyncio.sleep(0)
            except (
                asyncio.CancelledError
            ):  # stop(): the batch's requests get an answer all the same
                for r in batch:
                    if not r.future.done():
                        r.future.set_exception(
                            DrainingError("the server stopped before the request finished")
                        )
                raise
            except Exception as e:  # every request of the batch gets the error
                error = e
                self._restart_count()
                for r in batch:
                    if not r.future.done():
                        r.future.set_exception(e)
            finally:
                self._executing -= 1
            try:
                self._report(batch, timings, error)
            except Exception:  # bookkeeping must never stop the executor
                log.exception("batch report failed")
            self._check_idle()

    def _restart_count(self) -> None:
        """Back to worker threads, and the count of quick executions starts over."""
        self._runs, self._cpu_avg, self._inline = 0, 0.0, False

    def _account(self, wall_ns: int, cpu_ns: int) -> None:
        """Decides, after each execution, where the next one runs (see INLINE_EXECUTE_NS)."""
        limit = self._inline_below_ns
        if limit == 0 or wall_ns >= INLINE_WALL_FACTOR * limit:
            self._restart_count()
            return
        self._runs += 1
        self._cpu_avg += (cpu_ns - self._cpu_avg) / INLINE_SMOOTHING
        self._inline = self._runs >= INLINE_AFTER and self._cpu_avg < limit

    async def _next_batch(self) -> list[BatchRequest]:
        """Always returns a batch with at least one request."""
        assert self._cond is not None
        while True:
            async with self._cond:
                while not self._queue:
                    await self._cond.wait()
            while self._queue and self._abandoned(self._queue.head()):
                self._queue.popleft()
            if not self._queue:
                self._check_idle()
                continue
            if not self._batching:
                return [self._queue.popleft()]
            head = self._queue.head()
            chosen: list[BatchRequest] = []
            total = 0
            prefix_sizes: list[int] = []
            for r in self._queue:
                if r.key != head.key or self._abandoned(r):
                    continue
                if total + r.batch_size > self.max_batch_size:
                    break
                chosen.append(r)
                total += r.batch_size
                prefix_sizes.append(total)
            take = 0
            if total >= self.max_batch_size:
                take = len(chosen)
            elif self._preferred:
                hits = [i + 1 for i, s in enumerate(prefix_sizes) if s in self._preferred]
                if hits and prefix_sizes[hits[-1] - 1] == max(
                    p for p in self._preferred if p <= total
                ):
                    take = hits[-1]
            waited = (time.perf_counter_ns() - head.enqueued_ns) / 1e9
            if not take and waited >= self._delay_s:
                take = len(chosen)
            if take:
                batch = chosen[:take]
                for r in batch:
                    self._queue.remove(r)
                return batch
            # Wait for the delay to run out or a new arrival, then look again.
            async with self._cond:
                try:
                    await asyncio.wait_for(self._cond.wait(), self._delay_s - waited)
                except asyncio.TimeoutError:
                    pass
