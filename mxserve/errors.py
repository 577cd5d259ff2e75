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
