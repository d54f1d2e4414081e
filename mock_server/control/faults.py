"""/_mock/faults: add, list and clear injected faults (see mock_server/faults.py)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.routing import Route

from mock_server.errors import DRF_INVALID
from mock_server.http import Json, read_json

HEADER_VALUE = re.compile(r"^[\x20-\x7e]{1,200}$")


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
    faults = request.app.state.ctx.faults
    faults.rules.append(rule)
    return Json({"faults": faults.rules}, status_code=201)


async def list_faults(request: Request) -> Json:
    faults = request.app.state.ctx.faults
    if request.method == "DELETE":
        faults.rules.clear()
    return Json({"faults": faults.rules})


routes = [
    Route("/_mock/faults", add_fault, methods=["POST"]),
    Route("/_mock/faults", list_faults, methods=["GET", "DELETE"]),
]
