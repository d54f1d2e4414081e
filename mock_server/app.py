"""create_app(settings) -> the Starlette app serving every surface on one port at the real paths."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, MutableMapping
from typing import Any

from starlette._utils import get_route_path  # the path the routes match (root_path taken off), as Route.matches
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router

from mock_server import engine, steps
from mock_server.context import AppContext
from mock_server.control.guard import ControlPlaneGuard
from mock_server.errors import ApiError
from mock_server.faults import FaultMiddleware
from mock_server.http import Json
from mock_server.journal import JournalMiddleware
from mock_server.refusals import Refusal
from mock_server.services import templates
from mock_server.settings import Settings
from mock_server.surfaces import SURFACES, surface_of

log = logging.getLogger("mock_server")


async def api_error(request: Request, exc: ApiError) -> Response:
    return Json(exc.body, status_code=exc.status)


async def refused(request: Request, exc: Refusal) -> Response:
    """A rule said no: the refusal in the envelope of the surface the request came in by."""
    return await api_error(request, surface_of(request.url.path).answer(exc, request.url.path))


async def http_error(request: Request, exc: HTTPException) -> Response:
    """An unknown path or a wrong method, answered in the error shape of the surface it is under."""
    path, status = request.url.path, exc.status_code
    error = surface_of(path).not_routed(status, request.method, path)
    return Json(error.body, error.status, headers=exc.headers if status == 405 else None)


async def client_gone(request: Request, exc: ClientDisconnect) -> Response:
    """The client left before its body was read whole: nobody is there to answer, and nothing failed here
    (without this, the error would reach uvicorn as "Exception in ASGI application", with a traceback)."""
    log.debug("client left during %s %s", request.method, request.url.path)
    return Response(status_code=400)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Json({"status": "error", "code": "500", "message": "Internal Server Error", "errors": {}}, 500)


class IndexedRouter(Router):
    """Starlette's router, trying a request only on the routes that can match its first path segment, in their
    order: the first full match is the one Starlette's scan of every route would find (a route whose first
    segment is another literal cannot match), so the answer is the same, without trying some eighty routes
    in turn (a third of a public request's cost). Anything else (no full match: a 405, a 404, the trailing
    slash redirect; the lifespan) is Starlette's own scan."""

    def __init__(self, routes: list[BaseRoute], **options: Any):
        super().__init__(routes, **options)
        keyed = [(_literal_first_segment(route.path) if isinstance(route, Route) else None, route)
                 for route in self.routes]
        # None: a parameter in the first segment, or not a Route: tried whatever the request's first segment is
        self._anywhere = [route for key, route in keyed if key is None]
        self._by_segment = {key: [route for k, route in keyed if k in (key, None)]
                            for key, _ in keyed if key is not None}

    def full_match(self, scope) -> tuple[BaseRoute, MutableMapping[str, Any]] | None:
        """The first route that fully matches this HTTP request, and its child scope (None: no full match)."""
        for route in self._by_segment.get(_first_segment(get_route_path(scope)), self._anywhere):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return route, child_scope
        return None

    async def app(self, scope, receive, send):
        found = self.full_match(scope) if scope["type"] == "http" else None
        if found is None:
            return await super().app(scope, receive, send)
        route, child_scope = found
        scope.setdefault("router", self)
        scope["route"] = route
        scope.update(child_scope)
        await route.handle(scope, receive, send)


def _first_segment(path: str) -> str:
    return path[1:].split("/", 1)[0]


def _literal_first_segment(route_path: str) -> str | None:
    """``/chat/templates/{id}`` -> ``chat``; None when the first segment is (or holds) a path parameter."""
    segment = _first_segment(route_path)
    return None if "{" in segment else segment


class MergeSlashes:
    """``/chat//phonenumbers`` is ``/chat/phonenumbers``, as behind nginx (``merge_slashes on``): two of the
    collection's own List Phone Numbers examples were saved, answered 200, at the doubled path."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and "//" in scope["path"]:
            path = re.sub("/{2,}", "/", scope["path"])
            scope = dict(scope, path=path, raw_path=path.encode())
        await self.app(scope, receive, send)


class CloseAfterUnreadBody:
    """A response sent before the request's body was read whole (an upload too large to read, a body
    over a limit, a refusal before the body mattered) says ``Connection: close``: kept open, the
    connection would not be read any more, and a client still sending the body (Node's, newman's)
    would wait for ever. Before the connection closes, what the client goes on sending is read and
    dropped for a moment (a "lingering close", as nginx does): closed with unread bytes, the
    connection is reset, and a reset can destroy the answer before the client reads it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not _has_body(scope["headers"]):
            return await self.app(scope, receive, send)
        read_whole = False
        closing = False

        async def receive_and_watch():
            nonlocal read_whole
            message = await receive()
            read_whole = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def send_and_close(message):
            nonlocal closing
            if message["type"] == "http.response.start" and not read_whole:
                closing = True
                message = dict(message, headers=[*message.get("headers", ()), (b"connection", b"close")])
            elif closing and message["type"] == "http.response.body" and not message.get("more_body", False):
                await send(dict(message, more_body=True))  # the whole answer, before the lingering
                await _drop_the_rest(receive_and_watch)
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app(scope, receive_and_watch, send_and_close)


LINGER_PAUSE, LINGER_TOTAL = 1.0, 10.0  # seconds of I/O (not the simulated clock), as nginx's lingering_*


async def _drop_the_rest(receive) -> None:
    """Reads and drops the body until it ends, the client goes, pauses LINGER_PAUSE or LINGER_TOTAL is spent."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LINGER_TOTAL
    while (left := deadline - loop.time()) > 0:
        try:
            message = await asyncio.wait_for(receive(), min(LINGER_PAUSE, left))
        except TimeoutError:
            return
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


def _has_body(headers) -> bool:
    return any((k == b"content-length" and v != b"0") or k == b"transfer-encoding" for k, v in headers)


class ClockMiddleware:
    """Fire timed changes that fell due before each request, so a response reflects 'now'."""

    def __init__(self, app, ctx: AppContext):
        self.app, self.ctx = app, ctx

    async def __call__(self, scope, receive, send):
        if not self.ctx.clock.manual:
            self.ctx.scheduler.run_due()
        await self.app(scope, receive, send)


async def tick(ctx: AppContext) -> None:
    """With a real clock, fire timed changes as they fall due even when no request comes. The ticker sleeps
    until the next job is due (a second at most), and a job added due sooner wakes it, so no step or
    retry fires late for having been scheduled while it slept."""
    speed = getattr(ctx.clock, "speed", 1.0)
    sooner = asyncio.Event()
    ctx.scheduler.on_earlier = sooner.set
    while True:
        due = ctx.scheduler.next_due()
        wait = 1.0 if due is None else max(0.0, min(1.0, (due - ctx.now()).total_seconds() / speed))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(sooner.wait(), wait)
        sooner.clear()
        ctx.scheduler.run_due()


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    ctx = AppContext(settings)
    templates.register_actions(ctx)  # the timed template review
    engine.register_actions(ctx, steps.VOCABULARY)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        ticker = None if ctx.clock.manual else asyncio.create_task(tick(ctx))
        ctx.webhooks.kick()  # deliveries a restart left pending go out again
        try:
            yield
        finally:
            if ticker:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
            await ctx.webhooks.close()
            ctx.close()

    # Each handler takes its own exception type; Starlette's mapping is typed for handlers of any Exception.
    handlers: dict[Any, Callable[..., Any]] = {ApiError: api_error, Refusal: refused, HTTPException: http_error,
                                               ClientDisconnect: client_gone, Exception: server_error}
    app = Starlette(exception_handlers=handlers)
    app.router = IndexedRouter([route for surface in SURFACES for route in surface.routes], lifespan=lifespan)
    app.state.ctx = ctx
    app.add_middleware(ClockMiddleware, ctx=ctx)
    app.add_middleware(FaultMiddleware, faults=ctx.faults)
    app.add_middleware(JournalMiddleware, journal=ctx.journal, clock=ctx.clock)
    app.add_middleware(CloseAfterUnreadBody)  # outside the journal, which may read the rest of a body
    app.add_middleware(ControlPlaneGuard, bound_host=settings.host, allowed_hosts=settings.allowed_hosts,
                       control_token=settings.control_token)
    app.add_middleware(MergeSlashes)
    return app
