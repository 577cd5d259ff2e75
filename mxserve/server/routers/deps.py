# SPDX-License-Identifier: Apache-2.0
"""Dependencies the routers share: the app's repository, data plane, settings, metrics and
aggregator, and body reading."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.types import Receive

from ...errors import InvalidArgumentError, PayloadTooLargeError
from ..aggregate import Aggregator
from ..config import Settings
from ..dataplane import DataPlane
from ..lifecycle import ModelRepository
from ..metrics import Metrics


def get_repo(request: Request) -> ModelRepository:
    return request.app.state.repo  # type: ignore[no-any-return]


def get_dataplane(request: Request) -> DataPlane:
    return request.app.state.dataplane  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics  # type: ignore[no-any-return]


def get_aggregator(request: Request) -> Aggregator | None:
    """The view over all worker processes with ``--workers`` > 1; None with one process."""
    return request.app.state.aggregator  # type: ignore[no-any-return]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, decompressed per Content-Encoding (gzip, deflate); over ``limit``: 413."""
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return decode_body(b"".join(chunks), request.headers.get("content-encoding", ""), limit)


#: Responses smaller than this are sent as they are, whatever the client accepts.
MIN_COMPRESS_BYTES = 256


def response_encoding(accept_encoding: str) -> str | None:
    """``gzip`` or ``deflate`` when the client's Accept-Encoding takes one (gzip preferred, a
    q-value of 0 refuses), else None."""
    accepted: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        name, _, params = item.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        accepted[name.strip()] = q
    for name in ("gzip", "deflate"):
        if accepted.get(name, accepted.get("*", 0.0)) > 0:
            return name
    return None


def encode_body(body: bytes, encoding: str | None) -> tuple[bytes, str | None]:
    """(body, Content-Encoding) for a response: compressed when the client asked and it is worth it."""
    if encoding is None or len(body) < MIN_COMPRESS_BYTES:
        return body, None
    c = zlib.compressobj(1, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    return c.compress(body) + c.flush(), encoding


def decode_body(body: bytes, encoding: str, limit: int) -> bytes:
    """Undoes Content-Encoding gzip/deflate (identity passes); more than ``limit`` bytes: 413."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "deflate"):
        raise InvalidArgumentError(f"unsupported Content-Encoding '{encoding}'")
    try:
        d = zlib.decompressobj(wbits=31 if encoding == "gzip" else 15)
        out = d.decompress(body, limit + 1)
    except (zlib.error, gzip.BadGzipFile) as e:
        raise InvalidArgumentError(f"cannot decompress the {encoding} request body: {e}") from None
    if len(out) > limit:
        raise PayloadTooLargeError(f"decompressed request body exceeds the limit of {limit} bytes")
    return out


def parse_json(body: bytes) -> Any:
    """A JSON request body; 400 for bad syntax or encoding, and for nesting deeper than Python's
    recursion limit (the json module's bound: it raises RecursionError rather than crash)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise InvalidArgumentError(
            "failed to parse the request JSON: it nests arrays/objects too deeply"
        ) from None
    except ValueError as e:  # JSONDecodeError, UnicodeDecodeError
        raise InvalidArgumentError(f"failed to parse the request JSON: {e}") from None


async def read_json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object (``{}`` for an empty body); anything else is a 400."""
    body = await read_body(request, get_settings(request).max_request_bytes)
    if not body.strip():
        return {}
    data = parse_json(body)
    if not isinstance(data, dict):
        raise InvalidArgumentError("the request body must be a JSON object")
    return data


def disconnect_probe(receive: Receive) -> Callable[[], bool] | None:
    """A cheap "has the client gone?" check for a queued request, or None where the server does
    not offer one. uvicorn's ``receive`` is a method of its per-request cycle object, whose
    ``disconnected`` flag turns true when the client closes the connection; reading it costs
    nothing per request, unlike a watcher task awaiting ``http.disconnect``."""
    cycle = getattr(receive, "__self__", None)
    if cycle is None or not isinstance(getattr(cycle, "disconnected", None), bool):
        return None
    return lambda: bool(cycle.disconnected)
