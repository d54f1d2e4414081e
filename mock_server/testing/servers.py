"""Running an ASGI app for a test, two ways:

- ``in_process(app)``: no socket at all. Starlette's TestClient drives the app on an event loop in
  a thread of its own (its lifespan runs, so background work such as webhook delivery goes on),
  and the client it yields is an ``httpx.Client``. Fast, but only that client can reach the app.
- ``on_free_port(build)``: a real HTTP server (uvicorn) on a free loopback port, in a thread of
  this process, reachable by anything (a browser, another server, a webhook sender). ``build``
  gets the port before the app exists, because an app may need to know its own address (the
  simulator writes it into recording links).

Both are context managers that stop what they started. Listening is set up by binding the socket
here and handing it to uvicorn, so no other process can take the port in between, and each
pytest-xdist worker (a process of its own) gets ports of its own.
"""

from __future__ import annotations

import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import httpx
import uvicorn

from mock_server import serving
from mock_server.settings import Settings

HOST = "127.0.0.1"
IN_PROCESS_URL = "http://testserver"  # the host TestClient puts in requests; reachable only through it
STARTUP_SECONDS = 30.0


@contextmanager
def in_process(app: Any) -> Iterator[httpx.Client]:
    """A client bound to ``app``; errors the app handles come back as responses, as over HTTP."""
    with warnings.catch_warnings():
        # Starlette 1.x suggests httpx2 for its TestClient; httpx (what the package ships) still works.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from starlette.testclient import TestClient
    with TestClient(app, base_url=IN_PROCESS_URL, raise_server_exceptions=False) as client:
        yield client


class _Server(uvicorn.Server):
    """uvicorn's server, telling the thread that started it once it listens, or once it gave up
    (a failing lifespan ends ``run`` before ``startup`` is ever called)."""

    def __init__(self, config: uvicorn.Config):
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.ready.set()

    def run_until_told(self, sock: socket.socket) -> None:
        try:
            self.run(sockets=[sock])
        except SystemExit:  # uvicorn exits when the app fails to start; the starting thread reports it
            pass
        finally:
            self.ready.set()


@contextmanager
def on_free_port(build: Callable[[int], Any], lifespan: Literal["on", "auto"] = "on",
                 read_timeout: float = Settings.read_timeout) -> Iterator[str]:
    """Serve ``build(port)`` on a free loopback port; yields its base URL, e.g. http://127.0.0.1:54321.

    ``lifespan="on"`` (an app that must start up, like the simulator: a failure is an error) or
    ``"auto"`` (any ASGI app, with or without lifespan support). Served as ``myoperator-mock serve`` serves
    (mock_server/serving.py: the request's head bounded, ``read_timeout`` for a head or a stalled body)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    try:
        # log_config=None leaves the test run's logging set-up alone; access lines would only be noise.
        config = serving.config(build(port), read_timeout=read_timeout, log_config=None, access_log=False,
                                lifespan=lifespan, ws="none", timeout_graceful_shutdown=5)
        server = _Server(config)
        thread = threading.Thread(target=server.run_until_told, args=(sock,), daemon=True,
                                  name=f"asgi-server-{port}")
        thread.start()
        # Waiting for a thread to start listening (real time, bounded), not for simulated time.
        if not server.ready.wait(STARTUP_SECONDS) or not server.started:
            server.should_exit = True
            thread.join(STARTUP_SECONDS)
            raise RuntimeError(f"the server on port {port} did not start (its lifespan failed: see the log)")
        try:
            yield f"http://{HOST}:{port}"
        finally:
            server.should_exit = True
            thread.join()
    finally:
        sock.close()
