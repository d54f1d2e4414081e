"""The dispatcher's HTTP client: one POST, its status code and the start of its answer.

An ``https`` URL goes through httpx. A plain ``http`` URL (a receiver on the developer's machine, the common
case) goes through the small HTTP/1.1 client below, over a kept-alive connection per host and port: what an
attempt costs the simulator is then one write and the parsing of the answer, about a quarter of what httpx's
layers cost per request, which is most of a delivery's time when the receiver answers at once.

The client sends one request at a time on a connection and reads its answer whole (``Content-Length``,
chunked, or to the end of the connection), keeping the first bytes for the delivery log. A connection is
reused only after an answer read to its end that did not say ``Connection: close``; one that is interrupted
(a timeout, a malformed answer, a reset) is closed, never reused, so a late answer cannot be taken for the
next request's.
"""

from __future__ import annotations

import asyncio
import functools

import httpx

KEPT = 4 * 500  # bytes of an answer kept: enough for the log's first 500 characters in any encoding
CHUNK = 64 * 1024


class WireError(Exception):
    """An answer that is not HTTP/1.x, or a connection that ended before the answer did."""


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    def usable(self) -> bool:
        """Still open both ways, nothing unread: the receiver did not close it while it was idle."""
        # (bytes waiting unasked for, or an end of file, mean the receiver said something after its answer)
        unread = getattr(self.reader, "_buffer", b"")  # asyncio's own buffer: no public way to ask
        return not (self.writer.is_closing() or self.reader.at_eof() or unread)

    def close(self) -> None:
        self.writer.close()

    async def answer(self) -> tuple[int, bytes, bool]:
        """(status code, the answer's first bytes, whether the connection may carry another request)."""
        reader = self.reader
        while True:
            line = await reader.readline()
            if not line:
                raise WireError("the receiver closed the connection without answering")
            version, _, rest = line.partition(b" ")
            code = rest[:3]
            if not (version.startswith(b"HTTP/1.") and code.isdigit()):
                raise WireError(f"not an HTTP/1.x answer: {line[:80]!r}")
            status = int(code)
            headers = await self._headers()
            if status >= 200 or status == 101:
                break  # an interim answer (100 Continue, 103 Early Hints) is followed by the real one
        if status == 101:
            raise WireError("the receiver switched protocols")
        connection = headers.get(b"connection", b"").lower()
        keep = version == b"HTTP/1.1" and b"close" not in connection
        if status in (204, 304):
            return status, b"", keep
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            return status, await self._chunked(), keep
        if (length := headers.get(b"content-length")) is not None:
            if not length.isdigit():
                raise WireError(f"a bad Content-Length: {length[:40]!r}")
            return status, await self._exactly(int(length)), keep
        return status, await self._to_the_end(), False

    async def _headers(self) -> dict[bytes, bytes]:
        headers: dict[bytes, bytes] = {}
        while True:
            line = await self.reader.readline()
            if not line:
                raise WireError("the receiver closed the connection in the middle of its answer")
            if line in (b"\r\n", b"\n"):
                return headers
            name, colon, value = line.partition(b":")
            if not colon:
                raise WireError(f"a malformed header line: {line[:80]!r}")
            headers[name.strip().lower()] = value.strip()

    async def _exactly(self, length: int) -> bytes:
        kept = b""
        while length > 0:
            data = await self.reader.read(min(length, CHUNK))
            if not data:
                raise WireError("the receiver closed the connection in the middle of its answer")
            length -= len(data)
            if len(kept) < KEPT:
                kept += data[:KEPT - len(kept)]
        return kept

    async def _chunked(self) -> bytes:
        kept = b""
        while True:
            size_line = await self.reader.readline()
            size = size_line.split(b";", 1)[0].strip()
            try:
                length = int(size, 16)
            except ValueError:
                raise WireError(f"a bad chunk size: {size_line[:40]!r}") from None
            if length == 0:
                await self._headers()  # the trailer, up to its blank line
                return kept
            data = await self._exactly(length)
            if len(kept) < KEPT:
                kept += data[:KEPT - len(kept)]
            if await self.reader.readline() not in (b"\r\n", b"\n"):
                raise WireError("a chunk not followed by its line end")

    async def _to_the_end(self) -> bytes:
        kept = b""
        while data := await self.reader.read(CHUNK):
            if len(kept) < KEPT:
                kept += data[:KEPT - len(kept)]
        return kept


class Sender:
    """POSTs to webhook URLs; loop-bound (the dispatcher makes one per event loop)."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._client: httpx.AsyncClient | None = None

    async def post(self, url: str, content: bytes, headers: httpx.Headers) -> tuple[int, str]:
        """The answer's status code and (decoded) first characters; raises on no answer (OSError,
        WireError, httpx.HTTPError); the caller bounds the whole exchange in time."""
        plain = _plain(url)
        if plain is None:
            response = await self._https().post(url, content=content, headers=headers)
            return response.status_code, response.text
        origin, request_line = plain
        lines = [request_line]
        for name, value in headers.raw:
            if any(c in name or c in value for c in (b"\r", b"\n", b"\0")):
                raise WireError(f"a header that cannot be sent: {name[:40]!r}")
            lines += [name, b": ", value, b"\r\n"]
        lines += [b"Content-Length: ", str(len(content)).encode(), b"\r\n\r\n", content]
        connection = await self._connection(origin)
        try:
            connection.writer.write(b"".join(lines))
            status, kept, keep = await connection.answer()
        except BaseException:  # a timeout or cancellation included: an answer may still be on its way
            connection.close()
            raise
        if keep:
            self._idle.setdefault(origin, []).append(connection)
        else:
            connection.close()
        return status, kept.decode("utf-8", errors="replace")

    async def _connection(self, origin: tuple[str, int]) -> _Connection:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.usable():
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



@functools.lru_cache(maxsize=256)
def _plain(url: str) -> tuple[tuple[str, int], bytes] | None:
    """A plain-http URL's (host, port) and its request's first lines (up to Host); None for https."""
    target = httpx.URL(url)
    if target.scheme != "http":
        return None
    origin = (target.raw_host.decode("ascii"), target.port or 80)
    return origin, b"POST " + target.raw_path + b" HTTP/1.1\r\nHost: " + target.netloc + b"\r\n"
