"""A real HTTP webhook receiver for tests: a server on 127.0.0.1 that records what it is sent and
answers as it is told.

    with WebhookReceiver() as rx:
        subscribe(rx.url)
        rx.fail(status=500, times=2)       # the next two requests get a 500, then 200 again
        ...
        assert rx.wait_for(3)
        assert rx.event_ids() == [...]

It listens on a free port in a background thread (the stdlib's ThreadingHTTPServer: one thread
per request, so a held request does not hold up the next). Each request is recorded on arrival,
with the status it is answered with, so failed attempts and retries are visible in ``requests``;
``bodies()`` and ``event_ids()`` keep only what was accepted (2xx), the receiving application's
view. ``down()`` closes the listening socket, so senders get "connection refused", and ``up()``
listens on the same port again, so the URL stays valid across an outage.

``timeout(seconds)`` makes the server thread hold each request that long before answering; the
sender decides when it gives up. Waiting is done on a condition, never by polling.
"""

from __future__ import annotations

import json
import math
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mock_server.webhooks.encode import FORM, JSON, MULTIPART, decode_form

HOST = "127.0.0.1"
PATH = "/webhook"


@dataclass(frozen=True)
class ReceivedRequest:
    index: int               # arrival order, from 0
    method: str
    path: str                # the request target, query string included
    headers: dict[str, str]  # names lower-cased; a repeated header's values joined with ", "
    body: bytes
    parsed: Any              # the JSON value or the decoded form; None if neither or malformed
    status: int              # what the receiver answered

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def event_id(self) -> str | None:
        """The envelope's event_id (the legacy formats have none)."""
        value = self.parsed.get("event_id") if isinstance(self.parsed, dict) else None
        return value if isinstance(value, str) else None


class WebhookReceiver:
    """Listens from construction until ``close()`` (or the end of its ``with`` block)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._requests: list[ReceivedRequest] = []
        self._status = 200
        self._fail_status = 500
        self._failures_left: float = 0  # math.inf: fail until told otherwise
        self._hold = 0.0
        self._released = threading.Event()  # set on close: held requests are answered at once
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.up()

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{PATH}"

    # How to answer.

    def respond(self, status: int = 200) -> None:
        """Answer every request with ``status`` (after any failures still pending)."""
        _check_status(status, 200, 599)
        with self._changed:
            self._status = status

    def fail(self, status: int = 500, times: int | None = None) -> None:
        """Answer the next ``times`` requests with ``status``; every request when ``times`` is None."""
        _check_status(status, 300, 599)
        if times is not None and times < 0:
            raise ValueError("times cannot be negative")
        with self._changed:
            self._fail_status, self._failures_left = status, math.inf if times is None else times

    def timeout(self, seconds: float) -> None:
        """Hold each request ``seconds`` before answering (0: answer at once)."""
        if not seconds >= 0:
            raise ValueError("seconds must be a non-negative number")
        with self._changed:
            self._hold = seconds

    def recover(self) -> None:
        """Back to normal: listening, answering 200 at once."""
        with self._changed:
            self._status, self._failures_left, self._hold = 200, 0, 0.0
        self.up()

    def down(self) -> None:
        """Stop listening: connections are refused until ``up()``. Requests in progress are answered."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None and thread is not None:
            server.shutdown()
            server.server_close()
            thread.join()

    def up(self) -> None:
        """Listen again, on the same port (a free one the first time)."""
        if self._server is not None:
            return
        self._released.clear()
        server = _Server((HOST, self.port), _Handler)
        server.receiver = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"webhook-receiver-{self.port}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._released.set()
        self.down()

    # What was received.

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._changed:
            return list(self._requests)

    def bodies(self) -> list[Any]:
        """The parsed bodies of the accepted requests, in arrival order."""
        return [request.parsed for request in self.requests if request.accepted]

    def event_ids(self) -> list[str]:
        """The event_id of each accepted request, in arrival order (a redelivery appears again)."""
        return [request.event_id for request in self.requests if request.accepted and request.event_id]

    def wait_for(self, condition: int | Callable[[list[ReceivedRequest]], bool], timeout: float = 5.0) -> bool:
        """Wait until ``condition`` (a number of requests, or a predicate over them) holds; False
        if it still does not after ``timeout`` seconds."""
        if isinstance(condition, int):
            wanted = condition
            condition = lambda requests: len(requests) >= wanted  # noqa: E731
        with self._changed:
            return bool(self._changed.wait_for(lambda: condition(list(self._requests)), timeout))

    def _receive(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        """Record a request, hold it if told to, and return the status to answer it with."""
        with self._changed:
            if self._failures_left > 0:
                self._failures_left -= 1
                status = self._fail_status
            else:
                status = self._status
            self._requests.append(ReceivedRequest(len(self._requests), method, path, headers, body,
                                                  _parse(headers.get("content-type", ""), body), status))
            self._changed.notify_all()
            hold = self._hold
        if hold:
            self._released.wait(hold)
        return status


def _check_status(status: int, low: int, high: int) -> None:
    if not (isinstance(status, int) and low <= status <= high):
        raise ValueError(f"status must be an HTTP status from {low} to {high}")


def _parse(content_type: str, body: bytes) -> Any:
    media_type = content_type.split(";")[0].strip().lower()
    try:
        if media_type == JSON:
            return json.loads(body)
        if media_type in (FORM, MULTIPART):
            return decode_form(body, content_type)
    except (ValueError, RecursionError):
        pass
    return None


class _Server(ThreadingHTTPServer):
    receiver: WebhookReceiver

    def server_bind(self) -> None:
        # HTTPServer's own would look the host's FQDN up in DNS, which a loopback server never needs.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.socket.getsockname()[:2]  # the address bound


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _handle(self) -> None:
        declared = self.headers.get("Content-Length", "0").strip()
        if not declared.isdigit():
            self.send_error(HTTPStatus.LENGTH_REQUIRED)
            return
        body = self.rfile.read(int(declared))
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        status = self.server.receiver._receive(self.command, self.path, headers, body)
        phrase = self.responses.get(status, ("",))[0]
        answer = b"" if status in (204, 304) else f"{status} {phrase}".strip().encode("ascii")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except ConnectionError:
            pass  # the sender gave up waiting (its timeout): there is no one left to answer

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read the record, not a log on stderr
