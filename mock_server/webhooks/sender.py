"""The dispatcher's HTTP client: one POST, its status code and the start of its answer.

An ``https`` URL goes through httpx. A plain ``http`` URL (a receiver on the developer's machine, the common
case) goes over a kept-alive connection per host and port, spoken with h11 (the HTTP/1.1 protocol library
under httpcore and uvicorn) on asyncio's streams: an attempt then costs the simulator about a third of what
httpx's client and httpcore's pool cost around the same h11 (measured in ``benchmarks/``: the server's CPU
over a manual advance with a subscriber), which was most of a delivery's time when the receiver answers at once.

One request at a time on a connection, its answer read whole (keeping the first bytes for the delivery
log). A connection is reused only when h11 says both sides finished their messages and may start another
(a keep-alive answer read to its end); one that is interrupted (a timeout, a malformed answer, a reset) is
closed, never reused, so a late answer cannot be taken for the next request's.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import h11
import httpx

KEPT = 4 * 500  # bytes of an answer kept: enough for the log's first 500 characters in any encoding
CHUNK = 64 * 1024

# What an attempt that got no usable answer raises (besides the caller's own timeout): a connection
# refused or reset, an answer that is not HTTP/1.x or ends early, a header that cannot be sent.
SEND_ERRORS: tuple[type[Exception], ...] = (OSError, h11.ProtocolError, httpx.HTTPError)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.http = h11.Connection(h11.CLIENT)

    def idle_and_open(self) -> bool:
        """Kept since its last answer, and the receiver has neither closed it nor said anything since."""
        return not (self.writer.is_closing() or self.reader.at_eof())

    async def exchange(self, target: bytes, headers: list[tuple[bytes, bytes]], content: bytes) -> tuple[int, bytes]:
        http = self.http
        self.writer.write(http.send(h11.Request(method="POST", target=target, headers=headers))
                          + http.send(h11.Data(data=content)) + http.send(h11.EndOfMessage()))
        status, kept = 0, b""
        while True:
            event = http.next_event()
            if event is h11.NEED_DATA:
                http.receive_data(await self.reader.read(CHUNK))  # b"" at the end: h11 tells a cut answer
            elif isinstance(event, h11.Response):  # (an h11.InformationalResponse, 100 Continue, is skipped)
                status = event.status_code
            elif isinstance(event, h11.Data) and len(kept) < KEPT:
                kept += bytes(event.data[:KEPT - len(kept)])
            elif isinstance(event, h11.EndOfMessage):
                return status, kept
            elif isinstance(event, h11.ConnectionClosed):
                raise h11.RemoteProtocolError("the receiver closed the connection without answering")

    def reusable(self) -> bool:
        """Both sides done and neither said close: ready for the next request."""
        if self.http.our_state is h11.DONE and self.http.their_state is h11.DONE:
            self.http.start_next_cycle()
            return True
        return False

    def close(self) -> None:
        self.writer.close()


class Sender:
    """POSTs to webhook URLs; loop-bound (the dispatcher makes one per event loop)."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._client: httpx.AsyncClient | None = None

    async def post(self, url: str, content: bytes, headers: httpx.Headers) -> tuple[int, str]:
        """The answer's status code and (decoded) first characters; raises one of ``SEND_ERRORS`` on no
        answer; the caller bounds the whole exchange in time."""
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            response = await self._https().post(url, content=content, headers=headers)
            return response.status_code, response.text
        origin = (parts.hostname, parts.port or 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = [*([] if "host" in headers else [(b"Host", parts.netloc.encode())]), *headers.raw,
                (b"Content-Length", b"%d" % len(content))]
        connection = await self._connection(origin)
        try:
            status, kept = await connection.exchange(target.encode(), sent, content)
        except BaseException:  # a timeout or cancellation included: an answer may still be on its way
            connection.close()
            raise
        if connection.reusable():
            self._idle.setdefault(origin, []).append(connection)
        else:
            connection.close()
        return status, kept.decode("utf-8", errors="replace")

    async def _connection(self, origin: tuple[str, int]) -> _Connection:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.idle_and_open():
                return connection
            connection.close()
        reader, writer = await asyncio.open_connection(*origin, limit=CHUNK)
        return _Connection(reader, writer)

    def _https(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False, trust_env=False)
        return self._client

    async def close(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
