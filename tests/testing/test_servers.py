"""Serving an ASGI app for a test: in-process through a client, or on a free loopback port."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from mock_server.testing.servers import IN_PROCESS_URL, in_process, on_free_port


def echo_app(port: int | None = None, fail_on_start: bool = False) -> Starlette:
    async def echo(request):
        if request.query_params.get("crash"):
            raise RuntimeError("a bug in the app")
        return JSONResponse({"port": port, "host": request.headers["host"]})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if fail_on_start:
            raise RuntimeError("cannot start")
        yield

    return Starlette(routes=[Route("/", echo)], lifespan=lifespan)


def test_an_app_on_a_free_port_is_reachable_knows_its_port_and_is_gone_afterwards():
    with on_free_port(lambda port: echo_app(port)) as url:
        answer = httpx.get(url + "/", trust_env=False).json()
        assert url == f"http://127.0.0.1:{answer['port']}"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/", trust_env=False)


def test_two_apps_get_ports_of_their_own():
    with on_free_port(lambda port: echo_app(port)) as first, on_free_port(lambda port: echo_app(port)) as second:
        assert first != second
        assert httpx.get(first, trust_env=False).json()["port"] != httpx.get(second, trust_env=False).json()["port"]


def test_an_app_that_cannot_start_is_reported_at_once():
    with pytest.raises(RuntimeError, match=r"the server on port \d+ did not start"):
        with on_free_port(lambda port: echo_app(port, fail_on_start=True)):
            pass


def test_in_process_the_client_reaches_the_app_and_an_app_error_is_a_500_answer():
    with in_process(echo_app()) as client:
        assert str(client.base_url).rstrip("/") == IN_PROCESS_URL
        assert client.get("/").json()["host"] == "testserver"
        assert client.get("/", params={"crash": 1}).status_code == 500
