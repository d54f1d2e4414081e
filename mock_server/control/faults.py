"""Fault injection (WireMock-style): make the next matching requests fail on purpose.

This is how a test meets the documented 500 "Internal Server Error" or a 503, which no state of
the real service produces on demand. A fault is consumed by the requests it answers.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.routing import Route

from mock_server.errors import DRF_INVALID
from mock_server.http import Json, read_json


HEADER_VALUE = re.compile(r"^[\x20-\x7e]{1,200}$")


class Faults:
    def __init__(self):
        self.rules: list[dict] = []

    def match(self, method: str, path: str) -> dict | None:
        for rule in self.rules:
            if rule["method"] in ("*", method) and (rule["path"] == path or
                                                    (rule["path"].endswith("*") and path.startswith(rule["path"][:-1]))):
                rule["times"] -= 1
                if rule["times"] <= 0:
                    self.rules.remove(rule)
                return rule
        return None


class FaultMiddleware:
    def __init__(self, app, faults: Faults):
        self.app, self.faults = app, faults

    async def __call__(self, scope, receive, send):
        rule = None
        if scope["type"] == "http" and self.faults.rules and not scope["path"].startswith("/_mock"):
            rule = self.faults.match(scope["method"], scope["path"])
        if rule is None:
            return await self.app(scope, receive, send)
        body = rule["body"].encode("utf-8")
        await send({"type": "http.response.start", "status": rule["status"],
                    "headers": [(b"content-type", rule["content_type"].encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


async def add_fault(request: Request) -> Json:
    body = await read_json(request, DRF_INVALID)
    path, status, times = body.get("path"), body.get("status", 500), body.get("times", 1)
    if not isinstance(path, str) or not path.startswith("/"):
        raise DRF_INVALID.field("path", "A path starting with / is required (a trailing * matches a prefix).")
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise DRF_INVALID.field("status", "An HTTP error status from 400 to 599 is required.")
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 10_000:
        raise DRF_INVALID.field("times", "A count from 1 to 10000 is required.")
    content_type = body.get("content_type", "text/plain; charset=utf-8")
    if not isinstance(content_type, str) or not HEADER_VALUE.match(content_type):
        raise DRF_INVALID.field("content_type", "A media type of printable ASCII is required.")
    fault_body = body.get("body", "Internal Server Error")
    if not isinstance(fault_body, str):
        raise DRF_INVALID.field("body", "A string is required.")
    rule = {"method": str(body.get("method", "*")).upper(), "path": path, "status": status, "times": times,
            "body": fault_body, "content_type": content_type}
    faults: Faults = request.app.state.ctx.faults
    faults.rules.append(rule)
    return Json({"faults": faults.rules}, status_code=201)


async def list_faults(request: Request) -> Json:
    faults: Faults = request.app.state.ctx.faults
    if request.method == "DELETE":
        faults.rules.clear()
    return Json({"faults": faults.rules})


routes = [
    Route("/_mock/faults", add_fault, methods=["POST"]),
    Route("/_mock/faults", list_faults, methods=["GET", "DELETE"]),
]
