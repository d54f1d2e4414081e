"""Shared fixtures: an in-process app on a manual clock, and both seeded tenants' credentials."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# Helper modules that assert on behalf of tests: give their failures pytest's detailed messages.
pytest.register_assert_rewrite("tests.public.chat.messaging", "tests.public.chat.template_bodies",
                               "tests.public.contacts.support", "tests.developers.support", "tests.obd.support")

from starlette.testclient import TestClient  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# The suite's property tests draw the same examples on every run, so CI never turns red by chance;
# HYPOTHESIS_PROFILE=explore draws new ones (and keeps the examples it finds) when hunting for bugs.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

from mock_server import Settings, create_app, schemas
from mock_server import contract
from mock_server.control.tenants import describe
from mock_server.testing import simulator
from tests.support import ctx_of, data

EXAMPLES = data("public_api_examples.json")


class Tenant(simulator.Tenant):
    """One seeded company as a test sees it: the shipped ``Tenant``'s credentials (as ``GET /_mock/tenants``
    describes them) and, for the tests that look behind the API, its state in the store."""

    def __init__(self, app, company_id: str):
        state = ctx_of(app).store.tenant(company_id)
        super().__init__(describe(state))
        object.__setattr__(self, "state", state)  # the shipped Tenant is frozen: what it describes stays put

    def phone(self, role: str) -> dict:
        return next(p for p in self.state["phone_numbers"] if p["role"] == role)

    def template(self, name: str) -> dict:
        return next(t for t in self.state["templates"] if t["name"] == name)


# The timed paths run twice: on the still manual clock, and on one that moves on every read, as the real
# clock does (a moment read twice in one operation, the later stored first, then fails as it would live).
TIMED = ("engine", "control", "public/chat", "obd", "developers", "webhooks")
_clock = {"kind": "manual"}


def pytest_generate_tests(metafunc):
    if "clock_kind" in metafunc.fixturenames:
        path = Path(metafunc.definition.fspath).relative_to(Path(__file__).parent).as_posix()
        kinds = ["manual", "ticking"] if path.startswith(TIMED) else ["manual"]
        metafunc.parametrize("clock_kind", kinds, indirect=True, scope="module",
                             ids=lambda kind: "still" if kind == "manual" else kind)


@pytest.fixture(scope="module", autouse=True)
def clock_kind(request):
    """Which manual clock ``make_app`` builds (module-scoped, so module-scoped apps follow it too)."""
    _clock["kind"] = request.param
    yield request.param
    _clock["kind"] = "manual"


def clock_in_use() -> str:
    return _clock["kind"]


def make_app(**overrides):
    """An app on this module's manual clock that validates every webhook body it emits (--strict)."""
    return create_app(Settings(**{"clock": _clock["kind"], "strict": True, **overrides}))


@pytest.fixture
def app():
    return make_app()


def check_contract(response) -> None:
    """Every public-API response any test receives must match its documented schema."""
    request = response.request
    names = contract.response_schemas(request.method, request.url.path, response.status_code)
    if not names or request.method == "HEAD":
        return
    response.read()
    if response.status_code == 500 and response.text == "Internal Server Error":
        return  # the documented plain-text 500, which only fault injection produces
    body = response.json()
    failures = [schemas.field_errors(name, body) for name in names]
    assert any(f == {} for f in failures), (request.method, request.url.path, response.status_code, failures)
    if response.status_code >= 400 and isinstance(body, dict) and isinstance(body.get("code"), int):
        assert body["code"] == response.status_code, body  # an integer code is the HTTP status
    for name in names:  # the fast validator and the explaining one agree on every answer the suite sees
        assert schemas.fast_validator(name).is_valid(body) == (not any(True for _ in schemas.validator(name).iter_errors(body)))


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.event_hooks["response"].append(check_contract)
        yield test_client


def seeded_tenant(app, index: int = 0) -> Tenant:
    """The app's ``index``-th seeded company (0: the one the README's examples use)."""
    return Tenant(app, list(ctx_of(app).store.tenants)[index])


@pytest.fixture
def tenant(app) -> Tenant:
    return seeded_tenant(app)


@pytest.fixture
def other_tenant(app) -> Tenant:
    return seeded_tenant(app, 1)


@pytest.fixture
def receiver(webhook_receiver):
    """The shipped plugin's real webhook receiver (subscribed to nothing unless the test uses ``myoperator``)."""
    return webhook_receiver


def example_responses() -> list[tuple[tuple[str, ...], object]]:
    """(the schemas its operation and status allow, body) of every JSON response in the public API's examples."""
    found = []
    for example in EXAMPLES["examples"]:
        try:
            body = json.loads(example["response"])
        except ValueError:
            continue  # the plain-text 500
        path = "/" + example["url"].split("//", 1)[1].split("/", 1)[1].split("?")[0]
        found.append((contract.response_schemas(example["method"], path.replace(":id", "x"), int(example["status"])),
                      body))
    return found


def examples(request_name: str) -> list[dict]:
    """The collection's saved examples of one request (tests/data/public_api_examples.json)."""
    return [e for e in EXAMPLES["examples"] if e["request"] == request_name]
