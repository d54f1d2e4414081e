"""The request journal: what clients sent and what they got, for tests to verify (WireMock-style).

A pure ASGI middleware, so the hot path pays for a deque append and nothing else; bodies are
captured only up to a bound. Requests to the control plane are not journaled.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from mock_server.clock import Clock, iso

BODY_CAPTURE_LIMIT = 64 * 1024
# Where an endpoint notes the tenant a request authenticated as. The OBD and developers APIs carry
# their credentials in the body or a key, not in a company header, so only they can say whose it was.
TENANT_KEY = "myoperator_mock.company_id"


def note_tenant(scope: MutableMapping[str, Any], company_id: str) -> None:
    """Record ``company_id`` as the tenant of the request whose (Starlette) scope this is."""
    scope[TENANT_KEY] = company_id


class Journal:
    def __init__(self, size: int):
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._counter = 0

    def record(self, entry: dict[str, Any]) -> None:
        self._counter += 1
        entry["seq"] = self._counter
        self._entries.append(entry)

    def entries(self, path: str | None = None, method: str | None = None, status: int | None = None,
                company_id: str | None = None) -> list[dict[str, Any]]:
        return [self._render(e) for e in self._entries
                if (path is None or e["path"] == path or (path.endswith("*") and e["path"].startswith(path[:-1])))
                and (method is None or e["method"] == method.upper())
                and (status is None or e["status"] == status)
                and (company_id is None or e["company_id"] == company_id)]

    @staticmethod
    def _render(entry: dict[str, Any]) -> dict[str, Any]:
        # Decoding is left to the reader of the journal, off the request path.
        return {**entry, "time": iso(entry["time"]), "body": entry["body"].decode("utf-8", "replace"),
                "response_body": b"".join(entry["response_body"]).decode("utf-8", "replace"),
                "query": dict(parse_qsl(entry["query"].decode("latin-1"), keep_blank_values=True))}

    @property
    def last_seq(self) -> int:
        return self._counter

    def since(self, seq: int) -> list[dict[str, Any]]:
        """The entries recorded after ``seq`` (those still kept), oldest first."""
        return [self._render(e) for e in self._entries if e["seq"] > seq]

    def clear(self) -> None:
        self._entries.clear()


class JournalMiddleware:
    def __init__(self, app: Callable, journal: Journal, clock: Clock, skip_prefix: str = "/_mock"):
        self.app, self.journal, self.clock, self.skip_prefix = app, journal, clock, skip_prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefix):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        answer: list[bytes] = []  # joined when read (``_render``), not on the request path
        captured = answered = 0
        status = 0
        body_done = False

        async def receive_and_capture():
            nonlocal captured, body_done
            message = await receive()
            if message["type"] != "http.request":
                body_done = True
            else:
                body_done = not message.get("more_body", False)
                if captured < BODY_CAPTURE_LIMIT:
                    body = message.get("body", b"")[: BODY_CAPTURE_LIMIT - captured]
                    chunks.append(body)
                    captured += len(body)
            return message

        async def send_and_capture(message):
            nonlocal status, answered
            if message["type"] == "http.response.body" and answered < BODY_CAPTURE_LIMIT:
                body = message.get("body", b"")[: BODY_CAPTURE_LIMIT - answered]
                answer.append(body)
                answered += len(body)
            elif message["type"] == "http.response.start":
                status = message["status"]
                # An endpoint that answers without reading the body (a 405, a 403, an injected
                # fault) still received one: keep what the journal keeps of it, so a test can see
                # what its code posted. It must be read now; once the response is sent, the
                # server reports the request as finished. Only a body declared small enough to keep
                # whole is waited for: one declared larger (a refused 500 MB upload of which 1 KB
                # came) is answered at once, with what had arrived.
                if not body_done and captured < BODY_CAPTURE_LIMIT and _declared_length(scope) <= BODY_CAPTURE_LIMIT:
                    while not body_done and captured < BODY_CAPTURE_LIMIT:
                        await receive_and_capture()
            await send(message)

        at = self.clock.now()
        started = time.perf_counter()
        try:
            await self.app(scope, receive_and_capture, send_and_capture)
        finally:
            self.journal.record({
                "time": at, "method": scope["method"], "path": scope["path"], "query": scope.get("query_string", b""),
                "company_id": _company_id(scope), "body": b"".join(chunks), "status": status or 500,
                "response_body": answer, "latency_ms": round((time.perf_counter() - started) * 1000, 2),
            })


def _declared_length(scope: dict) -> int:
    """The Content-Length the request declared; a chunked one (none declared) counts as small."""
    return int(value) if (value := _header(scope, b"content-length")).isdigit() else 0


def _company_id(scope: dict) -> str | None:
    """The tenant an endpoint noted; else the public API's X-MYOP-COMPANY-ID, as claimed (also when refused)."""
    if scope.get(TENANT_KEY):
        return scope[TENANT_KEY]
    return _header(scope, b"x-myop-company-id").decode("latin-1") or None


def _header(scope: dict, name: bytes) -> bytes:
    """The first value of header ``name`` (lowercase, as ASGI gives names), or b"" without one."""
    for key, value in scope.get("headers") or ():
        if key == name:
            return value
    return b""
