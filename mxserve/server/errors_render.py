# SPDX-License-Identifier: Apache-2.0
"""Error rendering for every transport, from one table: ``errors.STATUS_BY_ERROR``.

An error's HTTP status comes from STATUS_BY_ERROR (looked up along the class's MRO); its gRPC
status code is derived from that status (``GRPC_BY_STATUS``, the mapping Triton's gRPC frontend
uses for the same error kinds), except that a cancelled request is CANCELLED. Renderers:

* ``error_response``: the v2 body ``{"error": msg}`` with the status, ``Retry-After`` on 503 (and
  429 when overload is configured to answer 429), ``Connection: close`` while draining;
* ``mms_error``: MMS's body ``{"code", "type", "message"}``;
* ``grpc_status``: the gRPC status code and details;
* ``internal_error_response``: a 500 for an unexpected exception, logged with its traceback
  (no traceback ever reaches a client).
"""

from __future__ import annotations

import logging
import traceback

from fastapi.responses import JSONResponse

from ..errors import (
    DrainingError,
    QueueFullError,
    QueueTimeoutError,
    RequestCancelledError,
    status_for,
)
from .config import Settings

log = logging.getLogger("mxserve.server")

#: gRPC status code name for each HTTP status of STATUS_BY_ERROR (grpc.StatusCode member names).
GRPC_BY_STATUS: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    413: "RESOURCE_EXHAUSTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}

#: MMS's exception type name per status.
MMS_TYPES: dict[int, str] = {
    400: "BadRequestException",
    404: "ModelNotFoundException",
    409: "ConflictStatusException",
    413: "RequestTooLargeException",
    500: "InternalServerException",
    501: "NotImplementedException",
    503: "ServiceUnavailableException",
}


def http_status(exc: BaseException, settings: Settings) -> int:
    """The HTTP status of ``exc`` (overload as 429 when the settings ask for it)."""
    status = status_for(exc)
    if isinstance(exc, QueueFullError | QueueTimeoutError) and settings.overload_status == 429:
        status = 429
    return status


def error_response(exc: BaseException, settings: Settings) -> JSONResponse:
    """``{"error": msg}``, Triton's status, Retry-After on 503 (and 429)."""
    status = http_status(exc, settings)
    headers = {"Retry-After": str(settings.retry_after_secs)} if status in (429, 503) else None
    if isinstance(exc, DrainingError):
        # The server is about to close its connections: a keep-alive client must not send its
        # next request on this one.
        headers = {**(headers or {}), "Connection": "close"}
    return JSONResponse({"error": str(exc)}, status_code=status, headers=headers)


def mms_error(exc: BaseException, retry_after: int = 1) -> JSONResponse:
    """MMS's error body ``{"code", "type", "message"}`` with the same status."""
    code = status_for(exc)
    headers = {"Retry-After": str(retry_after)} if code == 503 else None
    if isinstance(exc, DrainingError):
        headers = {**(headers or {}), "Connection": "close"}
    return JSONResponse(
        {"code": code, "type": MMS_TYPES.get(code, type(exc).__name__), "message": str(exc)},
        status_code=code,
        headers=headers,
    )


def grpc_code_name(exc: BaseException) -> str:
    """The grpc.StatusCode member name for ``exc``."""
    if isinstance(exc, RequestCancelledError):
        return "CANCELLED"
    return GRPC_BY_STATUS.get(status_for(exc), "INTERNAL")


def log_internal(where: str, exc: BaseException) -> None:
    """Logs an unexpected exception with its traceback (the client sees only a 500/INTERNAL)."""
    log.error(
        "internal error on %s: %s",
        where,
        "".join(traceback.format_exception(exc)),
        extra={"event": "internal_error"},
    )


def internal_error_response(where: str, exc: BaseException) -> JSONResponse:
    """A 500 ``{"error": "internal server error"}`` after logging ``exc``."""
    log_internal(where, exc)
    return JSONResponse({"error": "internal server error"}, status_code=500)
