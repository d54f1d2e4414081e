"""The app's router tries a request only on the routes of its first path segment (app.IndexedRouter): every
request must land on the route Starlette's scan of all routes, in order, would have given it."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Match, Route

from mock_server.app import IndexedRouter, create_app
from mock_server.settings import Settings

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


def scanned(routes, scope):
    """What Starlette's Router.app picks: the first full match, in order."""
    return next(((route, child) for route in routes if (match := route.matches(scope))[0] is Match.FULL
                 for child in (match[1],)), None)


def request_paths(routes) -> set[str]:
    """Each route's path with its parameters filled, trailing-slashed, and a few that match nothing."""
    paths = {"/", "", "/nothing", "/chat", "/chat/", "/contacts/", "/_mock", "/_mock/"}
    for route in routes:
        if isinstance(route, Route):
            filled = re.sub(r"\{[^}]+\}", "abc123", route.path)
            paths |= {filled, filled + "/", filled + "/more"}
    return paths


@pytest.mark.parametrize("root_path", ["", "/base"])
def test_every_request_gets_the_route_a_full_scan_gives(root_path):
    router = create_app(Settings(clock="manual")).router
    assert isinstance(router, IndexedRouter)
    for path in sorted(request_paths(router.routes)):
        for method in METHODS:
            scope = {"type": "http", "method": method, "path": root_path + path, "root_path": root_path,
                     "headers": [], "query_string": b""}
            assert router.full_match(scope) == scanned(router.routes, scope), (method, path)


def test_a_route_with_a_parameter_first_is_tried_for_any_segment():
    async def endpoint(request):  # pragma: no cover - never called
        raise AssertionError

    routes = [Route("/a/x", endpoint), Route("/{anything}/x", endpoint), Route("/a/{y}", endpoint)]
    router = IndexedRouter(routes)
    for path in ("/a/x", "/b/x", "/a/z", "/b/z"):
        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
        assert router.full_match(scope) == scanned(routes, scope), path
