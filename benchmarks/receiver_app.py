"""A webhook receiver for the benchmark: answers 200 at once and notes when each event arrived.

``GET /arrivals`` returns ``[[wall-clock seconds, the event's timestamp], ...]`` and forgets them.
"""

import json
import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

arrived: list[tuple[float, str]] = []


async def hook(request: Request) -> Response:
    body = json.loads(await request.body())
    arrived.append((time.time(), body.get("timestamp", "")))
    return Response(status_code=200)


async def arrivals(request: Request) -> JSONResponse:
    taken = list(arrived)
    arrived.clear()
    return JSONResponse(taken)


app = Starlette(routes=[Route("/hooks", hook, methods=["POST"]), Route("/arrivals", arrivals)])
