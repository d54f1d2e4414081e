"""The sandbox UI's routes: the page, its static files, and the live feed (server-sent events).

- GET /                       redirects to the page
- GET /_mock/ui               the page (static/index.html)
- GET /_mock/ui/static/{name} its script and style sheet
- GET /_mock/ui/stream        the live feed (``feed.changes``) as text/event-stream; ``seconds`` (default
                              15, 0 to 60) bounds its life, after which the page's EventSource reconnects
                              (``Last-Event-ID`` resumes the journal where it stopped)

The stream's life is bounded because uvicorn, shutting down, waits for every open response: an endless
stream would keep the server from stopping. ``serve`` also calls ``close_streams`` as it starts to stop,
so an open page does not hold a Ctrl+C up for the rest of its stream. Everything the page does besides
is a /_mock/ request, the same a test would make.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from mock_server.control.common import control_error, ctx_of
from mock_server.control.ui.feed import Watch, changes
from mock_server.errors import DRF_INVALID

STATIC = Path(__file__).parent / "static"
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8"}
STREAM_SECONDS, STREAM_MAX_SECONDS = 15.0, 60.0
POLL_SECONDS = 0.25  # real time between two looks at the simulator (I/O pacing, not the simulated clock)
RETRY_MS = 500  # how soon the browser reconnects once a stream ended
# Scripts and styles from this server only, no inline script: a page that cannot load code from
# elsewhere cannot leak the credentials it shows.
SECURITY_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
                    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}


def close_streams(app) -> None:
    """End every open live feed at its next look (the server is stopping)."""
    app.state.ui_streams_closing = True


def _closing(request: Request) -> bool:
    return getattr(request.app.state, "ui_streams_closing", False)


async def home(request: Request) -> Response:
    return RedirectResponse("/_mock/ui", status_code=307)


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type=MEDIA_TYPES[".html"], headers=SECURITY_HEADERS)


async def static_file(request: Request) -> Response:
    name = request.path_params["name"]
    shipped = {p.name: p for p in STATIC.iterdir() if p.is_file()}  # only these: no path leaves the folder
    if name not in shipped or shipped[name].suffix not in MEDIA_TYPES:
        raise control_error(404, f"No file {name[:100]!r} in the UI.")
    return FileResponse(shipped[name], media_type=MEDIA_TYPES[shipped[name].suffix], headers=SECURITY_HEADERS)


def _seconds(request: Request) -> float:
    try:
        value = float(request.query_params.get("seconds", STREAM_SECONDS))
    except ValueError:
        value = -1.0
    if not 0 <= value <= STREAM_MAX_SECONDS:  # also refuses nan and inf
        raise DRF_INVALID.field("seconds", f"A number from 0 to {STREAM_MAX_SECONDS:g} is required.")
    return value


def _resumed_at(request: Request) -> int | None:
    last = request.headers.get("last-event-id", "")
    return int(last) if last.isascii() and last.isdigit() else None


def sse(name: str, data, event_id: int | None) -> bytes:
    """One server-sent event; its id (the journal's last seq, where a reconnecting page resumes) once known."""
    id_line = b"" if event_id is None else b"id: %d\n" % event_id
    return b"event: %s\n%sdata: %s\n\n" % (name.encode(), id_line, orjson.dumps(data, default=str))


async def stream(request: Request) -> Response:
    ctx = ctx_of(request)
    seconds = _seconds(request)
    watch = Watch(_resumed_at(request))

    async def feed():
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        yield b"retry: %d\n\n" % RETRY_MS
        while True:
            for name, data in changes(ctx, watch):
                yield sse(name, data, watch.journal_seq)
            if loop.time() >= deadline or _closing(request):
                break
            await asyncio.sleep(POLL_SECONDS)
        yield sse("end", {}, watch.journal_seq)

    return StreamingResponse(feed(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


routes = [
    Route("/", home, methods=["GET"]),
    Route("/_mock/ui", page, methods=["GET"]),
    Route("/_mock/ui/static/{name}", static_file, methods=["GET"]),
    Route("/_mock/ui/stream", stream, methods=["GET"]),
]
