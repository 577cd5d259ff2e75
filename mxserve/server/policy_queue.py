# SPDX-License-Identifier: Apache-2.0
"""The request queue of one model version: priority levels and queue policies, as Triton has them.

``dynamic_batching.priority_levels`` N > 0 gives levels 1..N (1 is served first); a request's
``priority`` parameter picks its level, and 0 or a value outside 1..N means
``default_priority_level``. Each level has a queue policy (``priority_queue_policy[level]``, else
``default_queue_policy``): ``max_queue_size`` bounds that level's queue, ``default_timeout_microseconds``
and ``allow_timeout_override`` set the queue timeout, and ``timeout_action`` says what a timeout
does: REJECT fails the request ("Request timeout expired"), DELAY moves it behind every request
of its level that has not timed out (it still runs, after them; it may wait long under load).

Service order: level 1's waiting requests, then level 1's delayed ones, then level 2's, and so on;
FIFO within each. Iterating the queue walks it in that order.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from ..errors import QueueFullError
from .config import DynamicBatching, QueuePolicy


class Queued(Protocol):
    batch_size: int
    level: int  # index into the levels (0 = highest priority); set by the queue
    delayed: bool  # moved behind the level's other requests by a DELAY timeout


T = TypeVar("T", bound=Queued)


@dataclass
class _Level(Generic[T]):
    policy: QueuePolicy
    waiting: collections.deque[T]
    delayed: collections.deque[T]

    def __len__(self) -> int:
        return len(self.waiting) + len(self.delayed)


class PolicyQueue(Generic[T]):
    """Requests of one model version in service order (see the module docstring)."""

    def __init__(self, batching: DynamicBatching | None) -> None:
        db = batching or DynamicBatching()
        count = max(db.priority_levels, 1)
        self._default = min(max(db.default_priority_level, 1), count) - 1
        self._levels: list[_Level[T]] = [
            _Level(
                db.priority_queue_policy.get(i + 1, db.default_queue_policy),
                collections.deque(),
                collections.deque(),
            )
            for i in range(count)
        ]
        self.rows = 0  # batch rows of every queued request

    # -- policy -------------------------------------------------------------------------------
    def level_of(self, priority: int) -> int:
        """The level index of a request's ``priority`` parameter (0 or out of range: default)."""
        if 1 <= priority <= len(self._levels):
            return priority - 1
        return self._default

    def policy(self, level: int) -> QueuePolicy:
        return self._levels[level].policy

    def timeout_us(self, level: int, requested_us: int) -> int:
        """Triton's rule: the level's default timeout wins unless the request may (and does)
        lower it."""
        p = self._levels[level].policy
        default = p.default_timeout_microseconds
        if default > 0 and (
            not p.allow_timeout_override or requested_us <= 0 or requested_us > default
        ):
            return default
        return max(requested_us, 0)

    # -- queue --------------------------------------------------------------------------------
    def push(self, req: T, level: int) -> None:
        """Appends ``req`` to its level; QueueFullError when the level's queue is full."""
        lv = self._levels[level]
        if lv.policy.max_queue_size and len(lv) >= lv.policy.max_queue_size:
            raise QueueFullError("Exceeds maximum queue size")
        req.level = level
        req.delayed = False
        lv.waiting.append(req)
        self.rows += req.batch_size

    def delay(self, req: T) -> bool:
        """Moves a timed-out ``req`` behind its level's waiting requests; False if not queued."""
        lv = self._levels[req.level]
        try:
            lv.waiting.remove(req)
        except ValueError:
            return False
        req.delayed = True
        lv.delayed.append(req)
        return True

    def remove(self, req: T) -> bool:
        lv = self._levels[req.level]
        try:
            (lv.delayed if req.delayed else lv.waiting).remove(req)
        except ValueError:
            return False
        self.rows -= req.batch_size
        return True

    def head(self) -> T:
        for lv in self._levels:
            if lv.waiting:
                return lv.waiting[0]
            if lv.delayed:
                return lv.delayed[0]
        raise IndexError("the queue is empty")

    def popleft(self) -> T:
        req = self.head()
        lv = self._levels[req.level]
        (lv.delayed if req.delayed else lv.waiting).popleft()
        self.rows -= req.batch_size
        return req

    def __iter__(self) -> Iterator[T]:
        for lv in self._levels:
            yield from lv.waiting
            yield from lv.delayed

    def __len__(self) -> int:
        return sum(len(lv) for lv in self._levels)

    def __bool__(self) -> bool:
        return any(lv.waiting or lv.delayed for lv in self._levels)
