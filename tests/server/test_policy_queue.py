# SPDX-License-Identifier: Apache-2.0
"""``PolicyQueue`` on its own: service order over priority levels, per-level queue sizes, the
timeout rule and DELAY moves (expected orders from Triton's documented scheduling rules)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mxserve.errors import QueueFullError
from mxserve.server.config import DynamicBatching, QueuePolicy
from mxserve.server.policy_queue import PolicyQueue


@dataclass(eq=False)
class Req:
    name: str
    batch_size: int = 1
    level: int = 0
    delayed: bool = False


def names(q: PolicyQueue[Req]) -> list[str]:
    return [r.name for r in q]


def test_levels_are_served_highest_first_and_fifo_within() -> None:
    q: PolicyQueue[Req] = PolicyQueue(DynamicBatching(priority_levels=3, default_priority_level=2))
    for name, prio in [("a", 3), ("b", 0), ("c", 1), ("d", 2), ("e", 1), ("f", 9)]:
        q.push(Req(name), q.level_of(prio))
    # 0 and out-of-range priorities take the default level 2.
    assert names(q) == ["c", "e", "b", "d", "f", "a"]
    assert [q.popleft().name for _ in range(3)] == ["c", "e", "b"]
    assert len(q) == 3 and q.rows == 3


def test_max_queue_size_bounds_each_level_separately() -> None:
    q: PolicyQueue[Req] = PolicyQueue(
        DynamicBatching(
            priority_levels=2,
            default_priority_level=2,
            priority_queue_policy={1: QueuePolicy(max_queue_size=1)},
            default_queue_policy=QueuePolicy(max_queue_size=2),
        )
    )
    q.push(Req("a"), 0)
    with pytest.raises(QueueFullError, match="Exceeds maximum queue size"):
        q.push(Req("b"), 0)
    q.push(Req("c"), 1)
    q.push(Req("d"), 1)
    with pytest.raises(QueueFullError):
        q.push(Req("e"), 1)
    assert names(q) == ["a", "c", "d"]


@pytest.mark.parametrize(
    "default_us, override, requested_us, expected",
    [
        (0, False, 0, 0),  # no timeout at all
        (0, False, 500, 500),  # no default: the request's own timeout
        (1000, False, 10, 1000),  # override not allowed: the default wins
        (1000, True, 10, 10),  # allowed and lower: the request's
        (1000, True, 5000, 1000),  # allowed but higher: the default
        (1000, True, 0, 1000),  # none requested: the default
    ],
)
def test_timeout_rule(default_us: int, override: bool, requested_us: int, expected: int) -> None:
    policy = QueuePolicy(default_timeout_microseconds=default_us, allow_timeout_override=override)
    q: PolicyQueue[Req] = PolicyQueue(DynamicBatching(default_queue_policy=policy))
    assert q.timeout_us(0, requested_us) == expected


def test_delay_moves_a_request_behind_its_level_only() -> None:
    q: PolicyQueue[Req] = PolicyQueue(DynamicBatching(priority_levels=2, default_priority_level=1))
    a, b, c, d = Req("a"), Req("b"), Req("c"), Req("d")
    q.push(a, 0)
    q.push(b, 0)
    q.push(c, 1)
    assert q.delay(a)
    assert names(q) == ["b", "a", "c"]  # behind level 1's waiting requests, before level 2
    q.push(d, 0)
    assert names(q) == ["b", "d", "a", "c"]
    assert q.remove(a) and not q.remove(a)
    assert not q.delay(a)  # no longer queued
    assert names(q) == ["b", "d", "c"] and q.rows == 3


def test_empty_queue() -> None:
    q: PolicyQueue[Req] = PolicyQueue(None)
    assert not q and len(q) == 0
    with pytest.raises(IndexError):
        q.head()
    q.push(Req("a", batch_size=4), 0)
    assert q and q.rows == 4 and q.head().name == "a"
