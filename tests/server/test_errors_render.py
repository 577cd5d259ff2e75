# SPDX-License-Identifier: Apache-2.0
"""One error table, every transport: each server error's HTTP status and gRPC code, as Triton's
HTTP and gRPC frontends map its error kinds (INVALID_ARG 400 / INVALID_ARGUMENT, NOT_FOUND 404 /
NOT_FOUND, UNAVAILABLE 503 / UNAVAILABLE, UNSUPPORTED 501 / UNIMPLEMENTED, INTERNAL 500)."""

from __future__ import annotations

import json

import grpc
import pytest

from mxserve import errors
from mxserve.server.config import Settings
from mxserve.server.errors_render import error_response, grpc_code_name, mms_error


@pytest.mark.parametrize(
    "exc, status, code",
    [
        (errors.InvalidArgumentError("x"), 400, "INVALID_ARGUMENT"),
        (errors.ModelNotReadyError("x"), 400, "INVALID_ARGUMENT"),
        (errors.UnavailableError("x"), 400, "INVALID_ARGUMENT"),
        (errors.ModelNotFoundError("x"), 404, "NOT_FOUND"),
        (errors.NotFoundError("x"), 404, "NOT_FOUND"),
        (errors.ConflictError("x"), 409, "ALREADY_EXISTS"),
        (errors.PayloadTooLargeError("x"), 413, "RESOURCE_EXHAUSTED"),
        (errors.UnsupportedError("x"), 501, "UNIMPLEMENTED"),
        (errors.QueueFullError("x"), 503, "UNAVAILABLE"),
        (errors.QueueTimeoutError("x"), 503, "UNAVAILABLE"),
        (errors.DrainingError("x"), 503, "UNAVAILABLE"),
        (errors.RequestCancelledError("x"), 400, "CANCELLED"),
        (errors.DeviceError("x"), 500, "INTERNAL"),
        (RuntimeError("x"), 500, "INTERNAL"),
    ],
)
def test_status_and_code(exc: BaseException, status: int, code: str) -> None:
    r = error_response(exc, Settings(model_store=None))
    assert r.status_code == status and json.loads(r.body) == {"error": "x"}
    assert grpc_code_name(exc) == code and hasattr(grpc.StatusCode, code)
    m = mms_error(exc)
    assert m.status_code == status and json.loads(m.body)["code"] == status


def test_overload_may_answer_429() -> None:
    s = Settings(model_store=None, overload_status=429)
    r = error_response(errors.QueueFullError("full"), s)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert error_response(errors.DrainingError("bye"), s).status_code == 503
