# SPDX-License-Identifier: Apache-2.0
"""The exceptions mxserve raises. The runtime's C++ error codes map onto these classes."""

from __future__ import annotations


class MXServeError(RuntimeError):
    """Base class of every error mxserve raises."""


class InvalidArgumentError(MXServeError, ValueError):
    """Bad input: a corrupt file, a wrong shape or dtype, a malformed attribute."""


class NotFoundError(MXServeError, LookupError):
    """A named input, output, parameter, file or model does not exist."""


class UnsupportedError(MXServeError, NotImplementedError):
    """Valid MXNet input that mxserve does not implement (an unknown operator, sparse arrays)."""


class OutOfMemoryError(MXServeError, MemoryError):
    """An allocation failed."""


class DeviceError(MXServeError):
    """The compute backend (oneDNN, CUDA) failed."""


class InternalError(MXServeError):
    """A bug in mxserve."""


# --- server errors (mxserve.server); the HTTP status of each is in STATUS_BY_ERROR ---------------


class ModelNotFoundError(NotFoundError):
    """The request names a model or version the repository does not have."""


class ModelNotReadyError(MXServeError):
    """The model exists but is not loaded (it failed to load, is loading, or was unloaded)."""


class QueueFullError(MXServeError):
    """The model's queue holds ``max_queue_size`` requests; the request was rejected at once."""


class QueueTimeoutError(MXServeError):
    """The request's timeout expired while it waited in the queue."""


class DrainingError(MXServeError):
    """The server is shutting down and accepts no new requests."""


class RequestCancelledError(MXServeError):
    """The client closed the connection while the request was queued; it was not executed."""


class PayloadTooLargeError(MXServeError):
    """The request body is larger than the server's limit."""


class UnsupportedMediaTypeError(InvalidArgumentError):
    """A request body of a Content-Type (or image format) the route does not decode."""


class ConflictError(MXServeError):
    """The request clashes with the server's state (a model registered, or being registered)."""


class UnavailableError(MXServeError):
    """The operation is switched off in this server's configuration (e.g. model control)."""


#: HTTP status for each error class (Triton's mapping: INVALID_ARG 400, NOT_FOUND 404,
#: UNAVAILABLE 503, UNSUPPORTED 501, INTERNAL 500). Looked up along the class's MRO, so a
#: subclass inherits its base's code; anything not listed is 500.
STATUS_BY_ERROR: dict[type[BaseException], int] = {
    InvalidArgumentError: 400,
    ModelNotReadyError: 400,
    UnavailableError: 400,
    NotFoundError: 404,
    ModelNotFoundError: 404,
    PayloadTooLargeError: 413,
    UnsupportedMediaTypeError: 415,
    ConflictError: 409,
    RequestCancelledError: 400,
    UnsupportedError: 501,
    QueueFullError: 503,
    QueueTimeoutError: 503,
    DrainingError: 503,
    OutOfMemoryError: 500,
    DeviceError: 500,
    InternalError: 500,
}


def status_for(exc: BaseException) -> int:
    """The HTTP status for ``exc`` from STATUS_BY_ERROR (500 when no class on its MRO is listed)."""
    for cls in type(exc).__mro__:
        status = STATUS_BY_ERROR.get(cls)
        if status is not None:
            return status
    return 500
