"""The sandbox UI's server side: the page and its files, the live feed (SSE), and the guard around them."""

import re

import pytest
from starlette.testclient import TestClient

from mock_server.control.ui import feed
from mock_server.control.ui.routes import STATIC
from tests.conftest import clock_in_use, make_app
from tests.support import ctx_of


def frames(text: str) -> list[tuple[str, dict]]:
    """The (event, data) pairs of an event stream's text."""
    import json

    found = []
    for frame in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line)
        if "event" in fields:
            found.append((fields["event"], json.loads(fields["data"])))
    return found


def test_the_root_redirects_to_the_page_which_loads_only_its_own_files(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/_mock/ui"
    page = client.get("/_mock/ui")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/_mock/ui/static/") for a in assets)  # no CDN, nothing from elsewhere
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200 and served.content == (STATIC / asset.rsplit("/", 1)[1]).read_bytes()
    assert client.get("/_mock/ui/static/app.js").headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("name", ["nothing.js", "..%2Froutes.py", "__init__.py", "%2e%2e"])
def test_only_the_shipped_static_files_are_served(client, name):
    r = client.get(f"/_mock/ui/static/{name}")
    assert r.status_code == 404 and r.json()["status"] == "error"


def test_every_script_the_page_runs_is_a_file_no_inline_code():
    # The page's CSP allows no inline script: one in index.html would not run.
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert not re.search(r"\son[a-z]+=", html) and "style=" not in html


def test_with_a_token_the_shell_loads_but_every_data_request_needs_it():
    app = make_app(control_token="s3cret")
    with TestClient(app) as client:
        assert client.get("/_mock/ui").status_code == 200  # a browser cannot add the header to a navigation
        assert client.get("/_mock/ui/static/style.css").status_code == 200
        for path in ("/_mock/ui/stream?seconds=0", "/_mock/tenants"):
            assert client.get(path).status_code == 403, path
            assert client.get(path, headers={"X-Mock-Control-Token": "s3cret"}).status_code == 200, path
        assert client.post("/_mock/ui", headers={}).status_code == 403  # only a GET of the shell is spared
        # Host and Origin still apply to the shell: a DNS-rebinding page cannot load it.
        assert client.get("/_mock/ui", headers={"Host": "evil.example"}).status_code == 403
        assert client.get("/_mock/ui", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403


def test_the_stream_tells_requests_events_and_the_clock_then_ends(client, tenant):
    client.get("/chat/templates", headers=tenant.headers)
    phone = tenant.phone("primary")["phone_number_id"]
    assert client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json={
        "phone_number_id": phone, "customer_country_code": "91", "customer_number": "9876543210",
        "text": "hello"}).status_code == 201
    r = client.get("/_mock/ui/stream?seconds=0")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert r.text.startswith("retry: ")
    told = frames(r.text)
    requests = [d for e, d in told if e == "request"]
    assert [(q["method"], q["path"], q["status"]) for q in requests] == [("GET", "/chat/templates", 200)]
    assert requests[0]["company_id"] == tenant.company_id and requests[0]["latency_ms"] >= 0
    assert '"data"' in requests[0]["response_body"]  # the answer, for the page to show on click
    received = [d for e, d in told if e == "event" and d["event_type"] == "message.received"]
    assert len(received) == 1 and received[0]["company_id"] == tenant.company_id
    assert "hello" in str(received[0]["body"])  # the payload, for the page to pretty-print
    (clock,) = [d for e, d in told if e == "clock"]
    now = feed.clock_summary(ctx_of(client.app))
    assert {**clock, "now": None} == {**now, "now": None} and clock["now"] <= now["now"]  # read before, or as
    assert told[-1] == ("end", {})


def test_a_reconnecting_page_is_told_only_the_requests_it_missed(client, tenant):
    client.get("/chat/templates", headers=tenant.headers)
    first = client.get("/_mock/ui/stream?seconds=0")
    last_id = re.findall(r"^id: (\d+)$", first.text, re.M)[-1]
    client.get("/contacts", headers=tenant.headers)
    again = client.get("/_mock/ui/stream?seconds=0", headers={"Last-Event-ID": last_id})
    assert [d["path"] for e, d in frames(again.text) if e == "request"] == ["/contacts"]


@pytest.mark.parametrize("seconds", ["-1", "61", "nan", "inf", "soon"])
def test_a_stream_life_out_of_bounds_is_refused(client, seconds):
    r = client.get(f"/_mock/ui/stream?seconds={seconds}")
    assert r.status_code == 400 and "seconds" in r.json()["errors"]


def test_the_feed_tells_each_change_once(app, tenant):
    ctx = ctx_of(app)
    watch = feed.Watch()

    def told() -> list[str]:
        kinds = [e for e, _ in feed.changes(ctx, watch)]
        # A clock that moves by itself (as the real one does) is told at every look; the still one when moved.
        return [e for e in kinds if e != "clock"] if clock_in_use() == "ticking" else kinds

    assert [e for e, _ in feed.changes(ctx, watch)] == ["clock"]
    assert told() == []  # nothing happened: nothing to tell
    with TestClient(app) as client:
        phone = tenant.phone("primary")["phone_number_id"]
        client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json={
            "phone_number_id": phone, "customer_country_code": "91", "customer_number": "9876543210", "text": "hi"})
        assert told() == ["event"]
        assert told() == []
        client.post("/_mock/clock/advance", json={"seconds": 5})
        assert [e for e, _ in feed.changes(ctx, watch)] == ["clock"]
        client.post(f"/_mock/tenants/{tenant.company_id}/reset")
        assert ("reset", {"company_id": tenant.company_id}) in feed.changes(ctx, watch)


def test_the_feed_tells_a_delivery_again_when_an_attempt_is_made(app, tenant):
    from mock_server.testing.receiver import WebhookReceiver

    ctx = ctx_of(app)
    watch = feed.Watch()
    with WebhookReceiver() as receiver, TestClient(app) as client:
        receiver.fail(500, times=1)
        client.post("/_mock/webhooks", json={"url": receiver.url, "company_id": tenant.company_id})
        client.post("/_mock/scenarios/incoming-answered/run", json={"company_id": tenant.company_id, "params": {}})
        client.post("/_mock/clock/advance", json={"seconds": 0})
        first = [d for e, d in feed.changes(ctx, watch) if e == "delivery"]
        assert [(d["event_type"], d["status"], len(d["attempts"])) for d in first] == [("call.initiated", "pending", 1)]
        client.post("/_mock/clock/advance", json={"seconds": 5})  # the retry, and the steps due meanwhile
        again = [d for e, d in feed.changes(ctx, watch) if e == "delivery" and d["id"] == first[0]["id"]]
        assert [(d["status"], len(d["attempts"])) for d in again] == [("delivered", 2)]
