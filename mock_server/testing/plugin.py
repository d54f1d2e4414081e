"""pytest plugin: the MyOperator simulator as fixtures. Installing the package registers it (entry
point ``pytest11``, ``myoperator_mock``), so a test only names the fixtures it wants:

    def test_a_placed_call_is_answered_and_ends(myoperator):
        myoperator.obd_call("+919876543210", reference_id="lead-7")
        myoperator.advance(seconds=120)                  # the manual clock: the call plays out now
        end = myoperator.expect_event("call.end", client_ref_id="lead-7")
        assert end["payload"]["status"] == "bridged"

Fixtures
- ``myoperator``: a running simulator with fresh state and a manual clock, as a ``Simulator``
  (``mock_server/testing/simulator.py``): ``base_url``, ``client`` (an httpx.Client on it),
  ``tenant`` (credentials: ``company_id``, ``headers``, ``obd_headers``, ``developer_token``,
  ``ivr("main")``, ``agent_id``…) and ``tenants``, and the helpers ``advance``, ``obd_call``,
  ``run_scenario``, ``override``, ``journal``, ``events``, ``expect_event``, ``subscribe``,
  ``deliveries``, ``redeliver``.
- ``webhook_receiver``: a real HTTP receiver on a free port (``mock_server/testing/receiver.py``)
  that records deliveries and can be told to ``fail``, ``timeout``, go ``down`` and ``recover``;
  when the test also uses ``myoperator`` it is already subscribed to every event of the test's
  company (new envelope format, JSON).
- ``serve_app``: ``url = serve_app(asgi_app)`` serves an app of yours on a free loopback port until
  the test ends, e.g. the webhook endpoint you point ``myoperator.subscribe`` at.
- ``assert_matches_schema``: ``assert_matches_schema(payload, "call.end")`` (also importable from
  ``mock_server.testing``) fails with one line per problem: path, expected, got.

How the simulator runs: in this process by default (ASGI, no socket: only ``myoperator.client``
reaches it), or on a real port when code under test must reach ``myoperator.base_url`` over HTTP.
Choose with ``@pytest.mark.myoperator(server="http")`` on a test, a class or a module
(``pytestmark``), or for a whole run with ``--myoperator-server=http`` or the ini option
``myoperator_server``. ``@pytest.mark.myoperator(scope="module")`` makes a module's tests share one
simulator (started once): before each test it is reset to the fixtures (every company's data, the
run-time webhook subscriptions, the journal, the faults), so no test sees another's calls, events or
deliveries; the clock carries on from where the last test left it (it never runs backwards), so
times and generated ids are not those of a fresh simulator. Any other marker argument is a
simulator setting (``seed``, ``clock="real"``, ``speed``, ``strict``, ``profile``, ``webhook_timeout``…).
``--myoperator-profile=documented`` (or the ini option ``myoperator_profile``) runs every test on the
collection's fidelity profile instead of the live service's, so a suite can be run once under each.

Parallel runs: every pytest-xdist worker is a process of its own that starts its own simulators, on
ports of its own; a simulator serves one test at a time, so tests never see each other's calls,
events or deliveries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest

from mock_server.profiles import PROFILES
from mock_server.testing.options import SCOPES, SERVERS

# The simulator, the receiver and the app behind them are imported by the fixtures that use them: this module
# is loaded by every pytest run of an environment with the package installed, and should cost it nothing.
if TYPE_CHECKING:
    from mock_server.testing.receiver import WebhookReceiver
    from mock_server.testing.simulator import Simulator


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("myoperator", "MyOperator simulator (myoperator-mock)")
    group.addoption("--myoperator-server", choices=SERVERS, default=None,
                    help="how the myoperator fixture runs the simulator: asgi (in this process, the "
                         "default) or http (a real server on a free port)")
    parser.addini("myoperator_server", "asgi or http: how the myoperator fixture runs the simulator", default="asgi")
    group.addoption("--myoperator-profile", choices=PROFILES, default=None,
                    help="the simulator's fidelity profile for the run: observed (the live service, the default) "
                         "or documented (the Postman collection); run the suite once with each")
    parser.addini("myoperator_profile", "observed or documented: the simulator's fidelity profile", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "myoperator(server='asgi'|'http', scope='function'|'module', **settings): how the "
                   "myoperator fixture runs the simulator for these tests (settings: seed, clock, strict…)")


def _options(request: pytest.FixtureRequest) -> tuple[str, str, dict[str, Any]]:
    """(server, scope, settings) for this test: the run's option, then markers, nearest last."""
    config = request.config
    chosen: dict[str, Any] = {"server": config.getoption("myoperator_server") or config.getini("myoperator_server"),
                              "scope": "function"}
    if profile := config.getoption("myoperator_profile") or config.getini("myoperator_profile"):
        chosen["profile"] = profile
    for marker in reversed(list(request.node.iter_markers("myoperator"))):
        if marker.args:
            raise TypeError("@pytest.mark.myoperator takes keyword arguments only, e.g. server='http'")
        chosen.update(marker.kwargs)
    server, scope = chosen.pop("server"), chosen.pop("scope")
    if server not in SERVERS:
        raise ValueError(f"myoperator server must be one of {SERVERS}, not {server!r}")
    if scope not in SCOPES:
        raise ValueError(f"myoperator scope must be one of {SCOPES}, not {scope!r}")
    return server, scope, chosen


class _SharedSimulators:
    """A module's shared simulators, one per way of running it; they stop with the module."""

    def __init__(self, stack: ExitStack):
        self._stack = stack
        self._running: dict[str, Simulator] = {}

    def get(self, server: str, settings: dict[str, Any]) -> Simulator:
        key = repr((server, sorted(settings.items())))
        if key not in self._running:
            from mock_server.testing.simulator import Simulator

            self._running[key] = self._stack.enter_context(Simulator.start(server, **settings))
        return self._running[key]


@pytest.fixture(scope="module")
def _myoperator_shared() -> Iterator[_SharedSimulators]:
    with ExitStack() as stack:
        yield _SharedSimulators(stack)


@pytest.fixture
def myoperator(request: pytest.FixtureRequest, _myoperator_shared: _SharedSimulators) -> Iterator[Simulator]:
    """A running MyOperator simulator with fresh state and a manual clock (see the module's docstring)."""
    from mock_server.testing.simulator import Simulator

    server, scope, settings = _options(request)
    if scope == "module":
        simulator = _myoperator_shared.get(server, settings)
        simulator.reset()
        yield simulator
        return
    with Simulator.start(server, **settings) as simulator:
        yield simulator


@pytest.fixture
def webhook_receiver(request: pytest.FixtureRequest) -> Iterator[WebhookReceiver]:
    """A real webhook receiver; subscribed to the test's company when the test uses ``myoperator``."""
    from mock_server.testing.receiver import WebhookReceiver

    with WebhookReceiver() as receiver:
        if "myoperator" in request.fixturenames:
            request.getfixturevalue("myoperator").subscribe(receiver.url)
        yield receiver


@pytest.fixture
def serve_app() -> Iterator[Callable[[Any], str]]:
    """``serve_app(asgi_app)`` -> its base URL on a free loopback port, served until the test ends."""
    from mock_server.testing.servers import on_free_port

    with ExitStack() as stack:
        yield lambda app: stack.enter_context(on_free_port(lambda port: app, lifespan="auto"))


@pytest.fixture(name="assert_matches_schema")
def assert_matches_schema_fixture() -> Callable[..., None]:
    """``assert_matches_schema(payload, "call.end")``, for tests that would rather not import it."""
    from mock_server.testing.schema_check import assert_matches_schema

    return assert_matches_schema
