"""/_mock/faults: add, list and clear injected faults (see mock_server/faults.py)."""

from __future__ import annotations

import re
from datetime import timedelta

from starlette.requests import Request
from starlette.routing import Route

from mock_server.clock import iso
from mock_server.errors import DRF_INVALID
from mock_server.faults import PRESETS
from mock_server.http import Json, read_json

HEADER_VALUE = re.compile(r"^[\x20-\x7e]{1,200}$")


async def add_fault(request: Request) -> Json:
    """A fault from scratch, or from a preset (``{"preset": "gateway-outage"}``) whose fields the body's override."""
    body = await read_json(request, DRF_INVALID)
    preset = body.get("preset")
    if preset is not None and (not isinstance(preset, str) or preset not in PRESETS):
        raise DRF_INVALID.field("preset", f"One of: {', '.join(PRESETS)}.")
    body = {**(PRESETS[preset] if preset is not None else {}), **{k: v for k, v in body.items() if k != "preset"}}
    path, status, seconds = body.get("path"), body.get("status", 500), body.get("seconds")
    times = body.get("times", None if seconds is not None else 1)
    if not isinstance(path, str) or not path.startswith("/"):
        raise DRF_INVALID.field("path", "A path starting with / is required (a trailing * matches a prefix).")
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise DRF_INVALID.field("status", "An HTTP error status from 400 to 599 is required.")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 10_000):
        raise DRF_INVALID.field("times", "A count from 1 to 10000 is required.")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                or not 0 < seconds <= 7 * 86400):
        raise DRF_INVALID.field("seconds", "A duration from 0 to 604800 seconds (7 days) is required.")
    content_type = body.get("content_type", "text/plain; charset=utf-8")
    if not isinstance(content_type, str) or not HEADER_VALUE.match(content_type):
        raise DRF_INVALID.field("content_type", "A media type of printable ASCII is required.")
    fault_body = body.get("body", "Internal Server Error")
    if not isinstance(fault_body, str):
        raise DRF_INVALID.field("body", "A string is required.")
    ctx = request.app.state.ctx
    until = iso(ctx.now() + timedelta(seconds=seconds)) if seconds is not None else None
    rule = {"method": str(body.get("method", "*")).upper(), "path": path, "status": status, "times": times,
            "until": until, "body": fault_body, "content_type": content_type}
    ctx.faults.rules.append(rule)
    return Json({"faults": ctx.faults.rules}, status_code=201)


async def list_faults(request: Request) -> Json:
    faults = request.app.state.ctx.faults
    if request.method == "DELETE":
        faults.rules.clear()
    return Json({"faults": faults.rules})


routes = [
    Route("/_mock/faults", add_fault, methods=["POST"]),
    Route("/_mock/faults", list_faults, methods=["GET", "DELETE"]),
]
