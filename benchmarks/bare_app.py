"""The baseline: the smallest Starlette app that reads a JSON body and answers JSON."""

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def read(request: Request) -> JSONResponse:
    return JSONResponse({"status": "success", "code": "200", "data": {"results": []}})


async def write(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    return JSONResponse({"status": "success", "code": "200", "data": body})


app = Starlette(routes=[Route("/read", read), Route("/write", write, methods=["POST"])])
