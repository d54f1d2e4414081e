"""Hostile input against a served simulator (a real process, real sockets), on every surface: each is answered
with a clean 4xx in that surface's documented error body (or, for a client that leaves mid-body, nothing at all),
stores nothing, leaves no traceback in the server's log, and the server answers normally after.

The in-process suites cover the same ground per endpoint (tests/test_fuzz.py, tests/public/test_hostile_json.py,
tests/control/test_guard.py); this one checks that what reaches a real uvicorn through a socket (a declared but
unsent body, a hang-up mid-body, a foreign Host) ends the same way."""

from __future__ import annotations

import json
import socket

import pytest

from mock_server import contract, schemas
from tests.reliability.conftest import Served, template_message

DEPTH = 600  # far beyond any parser's comfortable depth, well within what a client can send


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = Served((), tmp_path_factory.mktemp("hostile") / "server.log").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tenant(served):
    return served.tenants()[0]


# Each surface's write, with a valid body whose free-form field (or, where there is none, a field) is replaced.
def targets(tenant) -> dict[str, tuple[str, dict, str, dict]]:
    """name: (path, headers, the field a nested value goes in, a valid body)."""
    obd = tenant.obd_request()
    return {
        "send message": ("/chat/messages", tenant.headers, "trail", template_message(tenant, "9811100001")),
        "contacts": ("/contacts", tenant.headers, "custom_fields",
                     {"name": "Hostile", "country_code": "91", "phone_number": "9811100002"}),
        "obd": ("/obd-api-v1", tenant.obd_headers, "custom_1", obd),
        "developers": (f"/search/search?token={tenant.developer_token}", {}, "filters", {"page_size": 5}),
        "control inbound": (f"/_mock/tenants/{tenant.company_id}/inbound", {}, "text",
                            {"phone_number_id": tenant.phone_number_id(), "customer_country_code": "91",
                             "customer_number": "9811100003", "text": "hi"}),
    }


SURFACES = ["send message", "contacts", "obd", "developers", "control inbound"]


def assert_enveloped(path: str, status: int, body: bytes) -> None:
    assert 400 <= status < 500, (status, body[:300])
    parsed = json.loads(body)
    names = contract.surface_errors(path.split("?")[0])
    assert any(schemas.field_errors(name, parsed) == {} for name in names), (names, body[:300])


def raw_post(served: Served, path: str, headers: dict, declared: int, sent: bytes, *, wait: bool = True):
    """A POST on a raw socket declaring ``declared`` bytes and sending ``sent``; with ``wait``, reads until
    the server closes or the answer is whole and returns (status, headers, body), else hangs up at once."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:  # a timeout fails the test
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{lines}Content-Type: application/json\r\n"
                     f"Content-Length: {declared}\r\n\r\n".encode() + sent)
        if not wait:
            return None
        received = b""
        while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < _length(received):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    answer_headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in header_lines)}
    return int(status_line.split()[1]), answer_headers, body[:int(answer_headers["content-length"])]


def _length(received: bytes) -> int:
    head = received.partition(b"\r\n\r\n")[0].lower()
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 1 << 62  # not known yet: read until the server closes


@pytest.fixture
def unchanged(served, tenant):
    """The tenant's state is the same after the test, the log has no traceback and the server is healthy."""
    with served.client() as client:
        before = client.get(f"/_mock/tenants/{tenant.company_id}/state").content
        yield
        served.assert_no_traceback()
        served.assert_healthy(tenant)
        assert client.get(f"/_mock/tenants/{tenant.company_id}/state").content == before


@pytest.mark.parametrize("surface", SURFACES)
def test_json_nested_hundreds_deep_in_a_free_form_field_is_refused(served, tenant, unchanged, surface):
    path, headers, field, body = targets(tenant)[surface]
    text = json.dumps({**body, field: "HOLE"}).replace('"HOLE"', nested(DEPTH))
    with served.client() as client:
        r = client.post(path, headers={**headers, "Content-Type": "application/json"}, content=text.encode())
    assert_enveloped(path, r.status_code, r.content)


@pytest.mark.parametrize("surface", SURFACES)
def test_a_body_declared_huge_but_never_sent_is_answered_at_once(served, tenant, unchanged, surface):
    # 1 KB of a declared 500 MB: the answer must not wait for the rest (the socket's 10 s timeout fails it)
    path, headers, _, _ = targets(tenant)[surface]
    status, answer_headers, body = raw_post(served, path, headers, 500 * 1024 * 1024, b"{" * 1024)
    assert_enveloped(path, status, body)
    assert answer_headers.get("connection") == "close"  # the unread rest is not taken for the next request


@pytest.mark.parametrize("surface", SURFACES)
def test_a_client_that_hangs_up_mid_body_leaves_no_traceback(served, tenant, unchanged, surface):
    path, headers, _, body = targets(tenant)[surface]
    raw_post(served, path, headers, 5000, json.dumps(body).encode()[:40], wait=False)  # gone, most of it unsent


@pytest.mark.parametrize("surface", SURFACES)
def test_an_oversized_body_is_refused(served, tenant, unchanged, surface):
    path, headers, field, body = targets(tenant)[surface]
    with served.client() as client:
        r = client.post(path, headers=headers, json={**body, field: "x" * (12 * 1024 * 1024)})
    assert_enveloped(path, r.status_code, r.content)


NOT_JSON_OBJECTS = {"garbage": b"not json{", "binary": b"\xff\xfe\x00", "truncated": b"[1, 2", "empty": b"",
                    "not an object": b'"just a string"'}


# An empty body is a request of defaults where every parameter may come in the query string (the developers API).
@pytest.mark.parametrize("surface,content", [
    pytest.param(surface, content, id=f"{surface}-{name}") for surface in SURFACES
    for name, content in NOT_JSON_OBJECTS.items() if not (surface == "developers" and name == "empty")])
def test_a_body_that_is_not_a_json_object_is_refused(served, tenant, unchanged, surface, content):
    path, headers, _, _ = targets(tenant)[surface]
    with served.client() as client:
        r = client.post(path, headers={**headers, "Content-Type": "application/json"}, content=content)
    assert_enveloped(path, r.status_code, r.content)


# --- the control plane's guard, over a real socket -----------------------------------------------------------
def test_a_foreign_host_gets_no_control_plane_answer(served, tenant, unchanged):
    with served.client() as client:
        for host in ("evil.example", "evil.example:8800", "127.0.0.1.evil.example"):
            read = client.get("/_mock/tenants", headers={"Host": host})
            assert read.status_code == 403 and tenant.api_key not in read.text, host
            assert_enveloped("/_mock/tenants", read.status_code, read.content)
            write = client.post("/_mock/reset", headers={"Host": host})
            assert write.status_code == 403, host


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/json"])
@pytest.mark.parametrize("page", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                  {"Sec-Fetch-Site": "cross-site"}], ids=["origin", "null origin", "sec-fetch-site"])
def test_a_cross_site_write_is_refused_whatever_its_content_type(served, tenant, unchanged, page, content_type):
    # text/plain and form bodies are what a page can POST without a CORS preflight
    with served.client() as client:
        for path, body in ((f"/_mock/tenants/{tenant.company_id}/inbound", json.dumps(
                {"phone_number_id": tenant.phone_number_id(), "customer_country_code": "91",
                 "customer_number": "9811100004", "text": "hi"})),
                           ("/_mock/faults", '{"path": "/chat/*"}'), ("/_mock/clock/advance", '{"seconds": 60}'),
                           ("/_mock/reset", "{}")):
            r = client.post(path, headers={**page, "Content-Type": content_type}, content=body)
            assert r.status_code == 403, (path, r.text)
            assert not [k for k in r.headers if k.lower().startswith("access-control-")]
        assert client.get("/_mock/faults").json() == {"faults": []}
