# SPDX-License-Identifier: Apache-2.0
"""DynamicBatcher on its own, with a fake model that records the batches it runs."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from mxserve.errors import DrainingError, InternalError, QueueFullError, QueueTimeoutError
from mxserve.server.batching import (
    INLINE_AFTER,
    BatchRequest,
    DynamicBatcher,
    Outputs,
    Timings,
    concat_inputs,
    split_outputs,
)
from mxserve.server.config import DynamicBatching, QueuePolicy


class Fake:
    """Doubles its input; records each batch's size; can block until released or fail."""

    def __init__(self, fail: bool = False) -> None:
        self.sizes: list[int] = []
        self.fail = fail
        self.gate = threading.Event()
        self.gate.set()

    def execute(self, batch: Sequence[BatchRequest]) -> tuple[list[Outputs], Timings]:
        self.gate.wait(10)
        x = concat_inputs(batch)["x"]
        self.sizes.append(x.shape[0])
        if self.fail:
            raise InternalError("model exploded")
        return split_outputs({"y": x * 2}, batch), Timings()


def make(fake: Fake, max_batch: int = 8, instances: int = 1, **db: Any) -> DynamicBatcher:
    policy = QueuePolicy(**db.pop("policy", {}))
    cfg = DynamicBatching(default_queue_policy=policy, **db)
    return DynamicBatcher(fake.execute, lambda b, t, e: None, max_batch, cfg, instances)


async def submit(
    b: DynamicBatcher, value: float, rows: int = 1, width: int = 3, timeout_us: int = 0
) -> np.ndarray:
    x = np.full((rows, width), value, np.float32)
    out = await b.submit({"x": x}, rows, (width,), timeout_us)
    return out["y"]


def test_full_batch_runs_at_once_and_results_split_back() -> None:
    async def main() -> None:
        fake = Fake()
        b = make(fake, max_batch=4, max_queue_delay_microseconds=5_000_000)
        b.start()
        t0 = time.monotonic()
        outs = await asyncio.gather(*(submit(b, i) for i in range(4)))
        assert time.monotonic() - t0 < 2  # did not wait for the 5 s delay
        assert fake.sizes == [4]
        for i, o in enumerate(outs):
            np.testing.assert_array_equal(o, np.full((1, 3), 2 * i))
        await b.stop()

    asyncio.run(main())


def test_partial_batch_waits_for_the_delay() -> None:
    async def main() -> None:
        fake = Fake()
        b = make(fake, max_batch=8, max_queue_delay_microseconds=100_000)
        b.start()
        t0 = time.monotonic()
        await asyncio.gather(*(submit(b, i) for i in range(3)))
        assert time.monotonic() - t0 >= 0.09
        assert fake.sizes == [3]
        await b.stop()

    asyncio.run(main())


def test_preferred_batch_size_goes_without_delay() -> None:
    async def main() -> None:
        fake = Fake()
        b = make(
            fake, max_batch=8, max_queue_delay_microseconds=5_000_000, preferred_batch_size=[2]
        )
        b.start()
        t0 = time.monotonic()
        await asyncio.gather(submit(b, 1), submit(b, 2))
        assert time.monotonic() - t0 < 2 and fake.sizes == [2]
        await b.stop()

    asyncio.run(main())


def test_incompatible_shapes_are_not_batched() -> None:
    async def main() -> None:
        fake = Fake()
        b = make(fake, max_batch=8, max_queue_delay_microseconds=50_000)
        b.start()
        a, c = await asyncio.gather(submit(b, 1, width=3), submit(b, 2, width=5))
        assert a.shape == (1, 3) and c.shape == (1, 5) and sorted(fake.sizes) == [1, 1]
        await b.stop()

    asyncio.run(main())


def test_without_dynamic_batching_requests_run_alone() -> None:
    async def main() -> None:
        fake = Fake()
        b = DynamicBatcher(fake.execute, lambda *a: None, 8, None, 1)
        b.start()
        await asyncio.gather(*(submit(b, i) for i in range(5)))
        assert fake.sizes == [1] * 5
        await b.stop()

    asyncio.run(main())


def test_batcher_rejects_when_queue_full() -> None:
    async def main() -> None:
        fake = Fake()
        fake.gate.clear()
        b = make(fake, max_batch=1, max_queue_delay_microseconds=0, policy={"max_queue_size": 2})
        b.start()
        first = asyncio.create_task(submit(b, 0))  # taken by the executor, blocks on the gate
        await asyncio.sleep(0.05)
        queued = [asyncio.create_task(submit(b, i)) for i in (1, 2)]
        await asyncio.sleep(0.05)
        assert b.pending == 2
        with pytest.raises(QueueFullError, match="Exceeds maximum queue size"):
            await submit(b, 3)
        fake.gate.set()
        await asyncio.gather(first, *queued)
        await b.stop()

    asyncio.run(main())


def test_batcher_rejects_expired_requests() -> None:
    async def main() -> None:
        fake = Fake()
        b = make(fake, max_batch=8, max_queue_delay_microseconds=2_000_000)
        b.start()
        t0 = time.monotonic()
        with pytest.raises(QueueTimeoutError, match="Request timeout expired"):
            await submit(b, 1, timeout_us=50_000)
        assert time.monotonic() - t0 < 1
        assert b.pending == 0 and fake.sizes == []
        await b.stop()

    asyncio.run(main())


def test_default_timeout_and_override() -> None:
    fake = Fake()
    strict = make(fake, policy={"default_timeout_microseconds": 1000})
    assert strict.effective_timeout_us(0) == 1000
    assert strict.effective_timeout_us(10) == 1000  # override not allowed
    loose = make(
        fake, policy={"default_timeout_microseconds": 1000, "allow_timeout_override": True}
    )
    assert loose.effective_timeout_us(10) == 10
    assert loose.effective_timeout_us(5000) == 1000  # may only lower it
    assert make(fake).effective_timeout_us(7) == 7


def test_batch_failure_reaches_every_request() -> None:
    async def main() -> None:
        fake = Fake(fail=True)
        b = make(fake, max_batch=4, max_queue_delay_microseconds=200_000)
        b.start()
        results = await asyncio.gather(*(submit(b, i) for i in range(4)), return_exceptions=True)
        assert all(isinstance(r, InternalError) for r in results)
        await b.stop()

    asyncio.run(main())


def test_closed_batcher_rejects_new_and_finishes_queued() -> None:
    async def main() -> None:
        fake = Fake()
        b = make(fake, max_batch=8, max_queue_delay_microseconds=100_000)
        b.start()
        pending = asyncio.create_task(submit(b, 1))
        await asyncio.sleep(0.01)
        b.close()
        with pytest.raises(DrainingError):
            await submit(b, 2)
        await b.drain()
        np.testing.assert_array_equal(await pending, np.full((1, 3), 2))
        await b.stop()

    asyncio.run(main())


def test_instances_execute_concurrently() -> None:
    async def main() -> None:
        fake = Fake()
        fake.gate.clear()
        b = make(fake, max_batch=1, instances=2, max_queue_delay_microseconds=0)
        b.start()
        tasks = [asyncio.create_task(submit(b, i)) for i in range(2)]
        await asyncio.sleep(0.1)
        assert b.executing == 2 and b.pending == 0
        fake.gate.set()
        await asyncio.gather(*tasks)
        await b.stop()

    asyncio.run(main())


def test_split_outputs_rejects_wrong_batch_dim() -> None:
    loop = asyncio.new_event_loop()
    reqs = [BatchRequest({"x": np.zeros((1, 2))}, 1, (), loop.create_future()) for _ in range(2)]
    with pytest.raises(InternalError, match="batch dimension 2"):
        split_outputs({"y": np.zeros((3, 2))}, reqs)
    loop.close()


def test_batcher_rejects_bad_instance_count() -> None:
    with pytest.raises(ValueError, match="instance_count"):
        DynamicBatcher(Fake().execute, lambda *a: None, 8, None, 0)


class Recorder(Fake):
    """Records the first input value of every request, in execution order."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[float] = []

    def execute(self, batch: Sequence[BatchRequest]) -> tuple[list[Outputs], Timings]:
        self.gate.wait(10)
        self.order += [float(r.inputs["x"][0, 0]) for r in batch]
        return super().execute(batch)


async def submit_p(b: DynamicBatcher, value: float, priority: int, timeout_us: int = 0) -> Any:
    x = np.full((1, 3), value, np.float32)
    return await b.submit({"x": x}, 1, (3,), timeout_us, priority)


def test_priority_levels_run_highest_first_fifo_within() -> None:
    async def main() -> None:
        fake = Recorder()
        fake.gate.clear()
        b = make(fake, max_batch=1, priority_levels=3, default_priority_level=2)
        b.start()
        blocker = asyncio.create_task(submit_p(b, -1, 1))  # executing, holds the gate
        await asyncio.sleep(0.05)
        # value = 10 * level + arrival; priority 0 and 7 (out of range) use the default level 2
        reqs = [(31, 3), (21, 2), (11, 1), (22, 0), (32, 3), (12, 1), (23, 7)]
        tasks = [asyncio.create_task(submit_p(b, v, p)) for v, p in reqs]
        await asyncio.sleep(0.05)
        assert b.pending == len(reqs)
        fake.gate.set()
        await asyncio.gather(blocker, *tasks)
        assert fake.order == [-1, 11, 12, 21, 22, 23, 31, 32]
        await b.stop()

    asyncio.run(main())


def test_max_queue_size_is_per_priority_level() -> None:
    async def main() -> None:
        fake = Recorder()
        fake.gate.clear()
        cfg = DynamicBatching(
            priority_levels=2,
            default_priority_level=2,
            priority_queue_policy={1: QueuePolicy(max_queue_size=1)},
        )
        b = DynamicBatcher(fake.execute, lambda *a: None, 1, cfg, 1)
        b.start()
        blocker = asyncio.create_task(submit_p(b, -1, 2))
        await asyncio.sleep(0.05)
        first = asyncio.create_task(submit_p(b, 1, 1))
        await asyncio.sleep(0.01)
        with pytest.raises(QueueFullError):
            await submit_p(b, 2, 1)
        low = [asyncio.create_task(submit_p(b, 10 + i, 2)) for i in range(3)]  # level 2: no limit
        await asyncio.sleep(0.01)
        fake.gate.set()
        await asyncio.gather(blocker, first, *low)
        assert fake.order == [-1, 1, 10, 11, 12]
        await b.stop()

    asyncio.run(main())


def test_delay_action_runs_timed_out_requests_after_the_others() -> None:
    async def main() -> None:
        fake = Recorder()
        fake.gate.clear()
        b = make(fake, max_batch=1, policy={"timeout_action": "DELAY"})
        b.start()
        blocker = asyncio.create_task(submit_p(b, -1, 0))
        await asyncio.sleep(0.05)
        early = asyncio.create_task(submit_p(b, 1, 0, timeout_us=20_000))  # delayed after 20 ms
        await asyncio.sleep(0.1)
        later = [asyncio.create_task(submit_p(b, v, 0)) for v in (2, 3)]  # no timeout
        await asyncio.sleep(0.01)
        fake.gate.set()
        outs = await asyncio.gather(blocker, early, *later)  # nobody is rejected
        assert [float(o["y"][0, 0]) for o in outs] == [-2, 2, 4, 6]
        assert fake.order == [-1, 2, 3, 1]
        await b.stop()

    asyncio.run(main())


def test_priority_config_is_validated() -> None:
    from pydantic import ValidationError

    with pytest.raises(
        ValidationError, match="default_priority_level must be in 1..priority_levels"
    ):
        DynamicBatching(priority_levels=2)
    with pytest.raises(ValidationError, match=r"levels \[3\] are outside"):
        DynamicBatching(
            priority_levels=2, default_priority_level=1, priority_queue_policy={3: QueuePolicy()}
        )


class ThreadRecorder(Fake):
    """Records the thread each execution ran on; the executions listed in ``slow`` first spin
    the CPU for ``spin_s`` or sleep for ``sleep_s``."""

    def __init__(self, slow: set[int], spin_s: float = 0, sleep_s: float = 0) -> None:
        super().__init__()
        self.threads: list[int] = []
        self.slow, self.spin_s, self.sleep_s = slow, spin_s, sleep_s

    def execute(self, batch: Sequence[BatchRequest]) -> tuple[list[Outputs], Timings]:
        if len(self.threads) in self.slow:
            end = time.thread_time() + self.spin_s
            while time.thread_time() < end:
                pass
            time.sleep(self.sleep_s)
        self.threads.append(threading.get_ident())
        return super().execute(batch)


@pytest.mark.parametrize(
    ("slow_kind", "limit_ns"),
    [({"spin_s": 0.25}, 20_000_000), ({"sleep_s": 0.3}, 2_000_000)],
    ids=["cpu-average-over-the-limit", "wall-over-the-guard"],
)
def test_quick_model_runs_on_the_event_loop_until_an_execution_is_slow(
    slow_kind: dict[str, float], limit_ns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After INLINE_AFTER quick executions in threads a one-instance model's batches run on the
    loop's thread; one slow execution sends the next ones back to a worker thread, with the
    same answers all along. With a limit of 20 ms of CPU, 250 ms of CPU lifts the moving
    average (1/8 weight) to over 31 ms, which takes four quick executions to fall back under
    20 ms; with a limit of 2 ms, 300 ms of sleep is over the wall-time guard (100x), which
    starts the count over."""
    from mxserve.server import batching

    if "spin_s" in slow_kind:  # the CPU average alone, not the wall-time guard
        monkeypatch.setattr(batching, "INLINE_WALL_FACTOR", 10**6)
    slow_at = INLINE_AFTER + 3

    async def main() -> None:
        fake = ThreadRecorder({slow_at}, **slow_kind)
        b = DynamicBatcher(fake.execute, lambda *a: None, 8, None, 1, inline_below_ns=limit_ns)
        b.start()
        loop_thread = threading.get_ident()
        for i in range(slow_at + 3):
            assert float((await submit(b, i))[0, 0]) == 2 * i
        await b.stop()
        on_loop = [t == loop_thread for t in fake.threads]
        assert on_loop == [False] * INLINE_AFTER + [True] * 4 + [False] * 2

    asyncio.run(main())


def test_several_instances_always_run_in_worker_threads() -> None:
    async def main() -> None:
        fake = ThreadRecorder(set())
        b = DynamicBatcher(fake.execute, lambda *a: None, 8, None, 2, inline_below_ns=10**12)
        b.start()
        loop_thread = threading.get_ident()
        for i in range(INLINE_AFTER + 4):
            await submit(b, i)
        await b.stop()
        assert loop_thread not in fake.threads

    asyncio.run(main())
