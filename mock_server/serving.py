"""How the simulator is served over HTTP: uvicorn's Config, the same for ``myoperator-mock serve`` and for the
servers the pytest plugin starts, with the edge bounded.

uvicorn's httptools protocol (the fast one) keeps no limit of its own: it buffers a request line or a header
of any size (a 128 MB URL once took 250 MB and stalled every other client for seconds), waits forever for a
head that never ends or a body that stops coming, and a connection that sends nothing is held until the
client goes. ``BoundedHttpToolsProtocol`` is that protocol with:

- a head (request line and headers) of at most ``MAX_HEAD_BYTES``: past it the client is answered 414 (the
  URL alone is that long) or 431, with ``connection: close``, and the rest of what it sends is read and dropped
  for a moment (``LINGER_SECONDS``) so the answer reaches it rather than a reset;
- ``read_timeout`` seconds to send a whole head (from the connection's start, or from the first byte of a
  later request on it): a partial head is answered 408, a connection that sent nothing is closed;
- a body that keeps coming: no byte for ``read_timeout`` seconds, or slower on average than
  ``MIN_BODY_RATE`` bytes a second past its first ``read_timeout`` seconds, and it is answered 408 (when no
  response has begun) and closed; the app sees the client gone.

An idle keep-alive connection is closed by uvicorn's own ``timeout_keep_alive`` (5 s). h11, uvicorn's other
protocol, bounds the head too (``h11_max_incomplete_event_size``) but has no read timeouts either and costs about a
third of the throughput (wrk -t2 -c16 on GET /chat/templates?limit=10: 2,950 req/s on httptools, 2,007 on h11).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from mock_server.settings import Settings

MAX_HEAD_BYTES = 64 * 1024
MIN_BODY_RATE = 16 * 1024
LINGER_SECONDS = 1.0

logger = logging.getLogger("mock_server.serving")

_HEAD, _BODY, _DONE = "head", "body", "done"  # what the connection is reading; done: refused, upgraded


class _HeadTooLarge(Exception):
    def __init__(self, status: int):
        self.status = status


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded head and read timeouts (the module's doc)."""

    read_timeout: float = Settings.read_timeout

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._phase = _HEAD
        self._head_bytes = 0  # bytes received since the last request ended (its head, while the phase is head)
        self._url_bytes = 0  # of this request's URL, as the parser reports it
        self._header_bytes = 0  # of this request's complete headers
        self._started = 0.0  # when this head, or this body, began
        self._body_bytes = 0
        self._last_read = 0.0
        self._timer: asyncio.TimerHandle | None = None

    # The connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._started = self.loop.time()
        self._arm(self.read_timeout)  # a connection that never sends a byte is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._phase = _DONE
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase is _DONE:
            return  # refused: what still comes is dropped until the connection closes
        now = self.loop.time()
        if self._phase is _HEAD:
            if not self._head_bytes and self._timer is None:
                self._started = now  # a later request's head on a kept-alive connection
            self._head_bytes += len(data)
        else:
            self._body_bytes += len(data)
            self._last_read = now
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, _HeadTooLarge):
                self._refuse_head(exc.__context__.status)
                return
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
            return
        if self.transport.is_closing() or self._phase is _DONE:
            return
        if self._phase is _HEAD:
            if self._url_bytes > MAX_HEAD_BYTES:
                self._refuse_head(414)
            elif self._head_bytes > MAX_HEAD_BYTES:
                self._refuse_head(431)
            elif self._head_bytes and self._timer is None:
                self._arm(self._started + self.read_timeout - now)
        elif self._timer is None:
            self._arm(self.read_timeout)

    def handle_websocket_upgrade(self) -> None:
        self._disarm()
        self._phase = _DONE
        super().handle_websocket_upgrade()

    # The parser's callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._url_bytes = self._header_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes <= MAX_HEAD_BYTES:  # past it the request is refused: no use keeping the rest
            self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        # The whole head may have come in one read, or behind the end of another request: counted exactly here.
        if self._url_bytes > MAX_HEAD_BYTES:
            raise _HeadTooLarge(414)
        if self._url_bytes + self._header_bytes > MAX_HEAD_BYTES:
            raise _HeadTooLarge(431)
        super().on_headers_complete()
        self._disarm()
        self._phase = _BODY
        self._body_bytes = 0
        self._started = self._last_read = self.loop.time()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()
        if self._phase is _BODY:
            self._phase = _HEAD
            self._head_bytes = 0

    # Refusing

    def _refuse_head(self, status: int) -> None:
        reason = {414: "URI Too Long", 431: "Request Header Fields Too Large"}[status]
        self._log(f"{status} {reason}: a request's head is over {MAX_HEAD_BYTES} bytes")
        if self.cycle is not None and not self.cycle.response_complete:
            self._close()  # the answer to an earlier request on this connection is still being written
            return
        self._answer_and_close(status, f"{reason}: the request line and headers may have {MAX_HEAD_BYTES} bytes")

    def _answer_and_close(self, status: int, message: str) -> None:
        """Answers ``status`` and closes: the client is told it is done (end of stream), what it still sends is
        read and dropped for ``LINGER_SECONDS``, so the answer is not lost to a reset, then the connection goes."""
        self._phase = _DONE
        self._disarm()
        body = message.encode()
        head = [STATUS_LINE[status]]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [b"content-type: text/plain; charset=utf-8\r\n", b"content-length: %d\r\n" % len(body),
                 b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._timer = self.loop.call_later(LINGER_SECONDS, self._close)

    def _close(self) -> None:
        self._phase = _DONE
        self._disarm()
        if not self.transport.is_closing():
            self.transport.close()

    def _log(self, message: str) -> None:
        prefix = f"{self.client[0]}:{self.client[1]} - " if self.client else ""
        logger.info("%s%s", prefix, message)

    # The read timeout

    def _arm(self, delay: float) -> None:
        self._disarm()
        self._timer = self.loop.call_later(max(delay, 0.0), self._timed_out)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing() or self._phase is _DONE:
            return
        now = self.loop.time()
        answering = self.cycle is not None and not self.cycle.response_complete
        if self._phase is _HEAD:
            if answering:  # a head pipelined behind a request still being answered: its time starts after
                self._arm(self.read_timeout)
            elif not self._head_bytes:
                self._log(f"closed: no request in {self.read_timeout:g} s")
                self._close()
            else:
                self._log(f"408 Request Timeout: a request's head not complete in {self.read_timeout:g} s")
                self._answer_and_close(408, f"Request Timeout: the request line and headers must come within "
                                            f"{self.read_timeout:g} seconds")
            return
        if self.flow.read_paused:  # the app is not reading the body yet: nothing is due from the client
            self._last_read = now
            self._arm(self.read_timeout)
            return
        due = min(self._last_read + self.read_timeout,
                  self._started + self.read_timeout + self._body_bytes / MIN_BODY_RATE)
        if now < due:
            self._arm(due - now)
            return
        self._log(f"408 Request Timeout: a request's body stalled (none for {self.read_timeout:g} s, or under "
                  f"{MIN_BODY_RATE} bytes/s)")
        cycle = self.cycle
        if cycle.response_started:
            self._close()
            return
        cycle.disconnected = True  # the app waiting for the body sees the client gone; what it answers is dropped
        cycle.message_event.set()
        self._answer_and_close(408, f"Request Timeout: the request body stopped coming (no byte for "
                                    f"{self.read_timeout:g} seconds, or under {MIN_BODY_RATE} bytes a second)")


def protocol(read_timeout: float = Settings.read_timeout) -> type[BoundedHttpToolsProtocol]:
    """The bounded protocol with its read timeout, as uvicorn's ``Config(http=...)`` takes it."""
    return type("BoundedHttpToolsProtocol", (BoundedHttpToolsProtocol,), {"read_timeout": read_timeout})


def config(app: Any, *, read_timeout: float = Settings.read_timeout, **options: Any) -> uvicorn.Config:
    """uvicorn's Config serving ``app`` with the edge bounded; ``options`` are uvicorn's own."""
    return uvicorn.Config(app, http=protocol(read_timeout), **options)
