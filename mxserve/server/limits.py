# SPDX-License-Identifier: Apache-2.0
"""Connection limits uvicorn does not enforce on its own (httptools protocol).

uvicorn arms its keep-alive timer only after a response, so a connection that never sends a
request stays open forever, and a request line and headers sent a byte at a time hold their
connection for as long as the client likes; header bytes count against no limit. The protocol
below closes a connection that sends nothing for ``timeout_keep_alive`` seconds after it
opens, closes one whose request line and headers are not complete within HEADER_TIMEOUT_SECS
of their first byte, and answers 431 (and closes) once they exceed MAX_HEADER_BYTES.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..errors import UnavailableError

#: The most bytes of request line and headers (names, values and separators) a request may send.
MAX_HEADER_BYTES = 64 << 10
#: Seconds from a request's first byte to the end of its headers before the connection closes.
HEADER_TIMEOUT_SECS = 30.0


class _HeaderLimit(Exception):
    """Raised from a parser callback to stop parsing a request whose headers are too large."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with an idle timeout from the start of the connection, a
    deadline for the request headers and a limit on their size."""

    max_header_bytes = MAX_HEADER_BYTES
    header_timeout = HEADER_TIMEOUT_SECS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_bytes = 0
        self._header_deadline: asyncio.TimerHandle | None = None
        self._rejected = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Idle before the first request: the same limit as between requests.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._rejected:
            return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._cancel_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._cancel_header_deadline()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        if not self._rejected:  # a 431 already went out
            super().send_400_response(msg)

    def _count(self, n: int) -> None:
        self._header_bytes += n
        if self._header_bytes > self.max_header_bytes and not self._rejected:
            self._reject()
            raise _HeaderLimit

    def _reject(self) -> None:
        self._rejected = True
        self._cancel_header_deadline()
        body = b'{"error": "request headers exceed the limit of %d bytes"}' % self.max_header_bytes
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s"
            % (len(body), body)
        )
        self.transport.close()

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None


class BodyBudget:
    """The bytes of request bodies one server process holds at once, across all its requests:
    a request's body counts from its first byte until the request is answered (its arrays may
    be views of the body until then). A request that would take the total over ``limit`` is
    refused with UnavailableError (503 and Retry-After): a declared Content-Length before any
    byte is read, a chunked body as soon as its bytes cross the limit. All methods run on the
    event loop."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0

    def refusal(self, size: int) -> str | None:
        """Why ``size`` more bytes cannot be taken now, or None when they can."""
        if self.held + size <= self.limit:
            return None
        return (
            f"the server is buffering {self.held} bytes of request bodies; {size} more would "
            f"exceed the limit of {self.limit} bytes (--max-buffered-bytes): retry later"
        )

    def take(self, size: int) -> None:
        reason = self.refusal(size)
        if reason is not None:
            raise UnavailableError(reason)
        self.held += size

    def give(self, size: int) -> None:
        self.held -= size
