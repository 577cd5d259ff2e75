# SPDX-License-Identifier: Apache-2.0
"""Request plans and response encoding: a cached plan gives what parsing the header gives."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from mxserve.errors import InvalidArgumentError
from mxserve.server.protocol.plan import MAX_PLANS, RequestPlan, encode_response, plan_request


def _header(shape: list[int], datatype: str = "FP32", **extra: Any) -> bytes:
    size = int(np.prod(shape)) * {"FP32": 4, "INT64": 8}[datatype]
    inp = {"name": "x", "shape": shape, "datatype": datatype}
    inp["parameters"] = {"binary_data_size": size}
    return json.dumps({"inputs": [inp], **extra}).encode()


class Checker:
    """Stands in for ModelVersion.check_specs: FP32 'x' of shape (N, 3)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, specs: dict[str, tuple[np.dtype[Any], tuple[int, ...]]]) -> Any:
        self.calls += 1
        dtype, shape = specs["x"]
        if dtype != np.float32 or len(shape) != 2 or shape[1] != 3:
            raise InvalidArgumentError(f"unexpected shape or dtype {dtype} {shape}")
        return shape[0], (("x", shape[1:], dtype.str),)


def test_binary_header_is_planned_once_and_reads_every_body() -> None:
    cache: dict[bytes, RequestPlan] = {}
    check = Checker()
    head = _header([2, 3], parameters={"timeout": 5, "binary_data_output": True}, id="r1")
    plan = plan_request(head, "m", ["y", "z"], check, cache)
    assert plan.checked == (2, (("x", (3,), "<f4"),))
    assert (plan.request_id, plan.timeout_us, plan.wanted) == ("r1", 5, (("y", True), ("z", True)))
    again = plan_request(head, "m", ["y", "z"], check, cache)
    assert again is plan and check.calls == 1
    for seed in range(3):  # the cached plan reads each body's own bytes
        x = np.random.default_rng(seed).standard_normal((2, 3)).astype("<f4")
        np.testing.assert_array_equal(again.read(x.tobytes())["x"], x)
    with pytest.raises(InvalidArgumentError, match="unexpected end of binary data for input 'x'"):
        again.read(b"\0" * 20)
    with pytest.raises(InvalidArgumentError, match="add up to 24"):
        again.read(b"\0" * 28)


def test_headers_that_fail_the_check_or_carry_data_are_not_cached() -> None:
    cache: dict[bytes, RequestPlan] = {}
    check = Checker()
    bad = _header([2, 4])
    plan = plan_request(bad, "m", ["y"], check, cache)
    assert plan.checked is None and bad not in cache  # the check runs (and fails) at submit
    with_data = json.dumps(
        {"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}
    ).encode()
    plan = plan_request(with_data, "m", ["y"], check, cache)
    assert plan.binary is None and not cache
    np.testing.assert_array_equal(plan.read(b"")["x"], [[1, 2, 3]])


def test_plan_rejects_unknown_output_and_bad_timeout() -> None:
    cache: dict[bytes, RequestPlan] = {}
    with pytest.raises(InvalidArgumentError, match="unexpected inference output 'q' for model 'm'"):
        plan_request(_header([1, 3], outputs=[{"name": "q"}]), "m", ["y"], Checker(), cache)
    with pytest.raises(InvalidArgumentError, match="timeout"):
        plan_request(_header([1, 3], parameters={"timeout": -1}), "m", ["y"], Checker(), cache)
    assert not cache


def test_plan_cache_is_bounded() -> None:
    cache: dict[bytes, RequestPlan] = {}
    for n in range(1, MAX_PLANS + 10):
        plan_request(_header([n, 3]), "m", ["y"], Checker(), cache)
    assert len(cache) == MAX_PLANS and _header([1, 3]) not in cache


@pytest.mark.parametrize("request_id", [None, "abc"])
def test_encode_response_cached_equals_fresh(request_id: str | None) -> None:
    cache: dict[Any, Any] = {}
    y = np.arange(6, dtype=np.float32).reshape(2, 3)
    wanted = [("y", True)]
    first = encode_response("m", "1", request_id, wanted, {"y": y}, cache)
    second = encode_response("m", "1", request_id, wanted, {"y": y + 1}, cache)
    assert len(cache) == 1
    for (body, n), data in ((first, y), (second, y + 1)):
        assert n is not None
        head = json.loads(body[:n])
        expect = {"model_name": "m", "model_version": "1"}
        if request_id is not None:
            expect["id"] = request_id
        expect["outputs"] = [
            {
                "name": "y",
                "datatype": "FP32",
                "shape": [2, 3],
                "parameters": {"binary_data_size": 24},
            }
        ]
        assert head == expect
        np.testing.assert_array_equal(np.frombuffer(body[n:], "<f4").reshape(2, 3), data)


def test_encode_response_json_outputs_have_no_header_length() -> None:
    cache: dict[Any, Any] = {}
    body, n = encode_response("m", "1", None, [("y", False)], {"y": np.array([1, 2])}, cache)
    assert n is None and not cache
    assert json.loads(body)["outputs"] == [
        {"name": "y", "datatype": "INT64", "shape": [2], "data": [1, 2]}
    ]
