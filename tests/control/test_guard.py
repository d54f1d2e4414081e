"""The control plane's guard (mock_server/control/guard.py): a web page the developer opens, or a DNS-rebinding
one, can neither read nor change anything under /_mock/; beyond loopback it takes a token."""

import pytest
from starlette.testclient import TestClient

from mock_server.cli import banner, build_parser, settings_from
from tests.conftest import make_app


def reset(client, **headers):
    return client.post("/_mock/reset", headers=headers)


def test_a_dns_rebinding_page_can_read_no_credentials(client, tenant):
    # evil.example resolved to 127.0.0.1: the browser sends the page's own name as Host.
    for host in ("evil.example:8800", "evil.example", "127.0.0.1.evil.example", ""):
        r = client.get("/_mock/tenants", headers={"Host": host})
        assert r.status_code == 403 and tenant.state.account["api_key"] not in r.text, host
        assert r.json()["code"] == "403"
    for host in ("127.0.0.1:8800", "localhost:8800", "[::1]:8800", "app.localhost"):
        assert client.get("/_mock/tenants", headers={"Host": host}).status_code == 200, host
    # The API surfaces answer whoever holds their credentials: only the control plane is guarded.
    assert client.get("/chat/phonenumbers", headers={**tenant.headers, "Host": "evil.example"}).status_code == 200


def test_a_page_of_another_origin_cannot_change_anything(client, tenant):
    before = tenant.state.dump()
    assert client.patch(f"/_mock/tenants/{tenant.company_id}", json={"wallet_balance": 1.5}).status_code == 200
    moved = tenant.state.dump()  # a change a reset would undo
    assert moved != before
    # A form POST or fetch(…, {mode: "no-cors"}) needs no preflight: the Origin header is what gives it away.
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": "http://[::1"}, {"Origin": "not a url"},
                    {"Origin": "http://127.0.0.1.evil.example:8800"}):
        r = reset(client, **headers)
        assert r.status_code == 403, headers
        assert "access-control-allow-origin" not in r.headers
        added = client.post("/_mock/faults", json={"path": "/chat/*"}, headers=headers)
        assert added.status_code == 403
    assert client.get("/_mock/faults").json() == {"faults": []}
    assert tenant.state.dump() == moved  # nothing reset
    # The developer's own pages on this machine (another local port) and their tools are answered.
    assert reset(client, Origin="http://localhost:3000").status_code == 200
    wallet = client.get(f"/_mock/tenants/{tenant.company_id}").json()["wallet_balance"]
    assert wallet == before["account"][0]["wallet_balance"] != 1.5  # this one was answered: reset
    assert reset(client).status_code == 200


def test_no_answer_of_the_control_plane_carries_cors_headers(client):
    for r in (client.get("/_mock/tenants", headers={"Origin": "http://localhost:3000"}),
              client.options("/_mock/reset", headers={"Origin": "http://localhost:3000",
                                                      "Access-Control-Request-Method": "POST"})):
        assert not [k for k in r.headers if k.lower().startswith("access-control-")]


def test_a_control_token_is_required_when_set():
    app = make_app(control_token="s3cret", allowed_hosts=("mock.internal",))
    with TestClient(app) as client:
        assert client.get("/_mock/tenants").status_code == 403
        assert client.get("/_mock/tenants", headers={"X-Mock-Control-Token": "wrong"}).status_code == 403
        ok = client.get("/_mock/tenants", headers={"X-Mock-Control-Token": "s3cret", "Host": "mock.internal:8800"})
        assert ok.status_code == 200
        assert client.get("/_mock/tenants", headers={"X-Mock-Control-Token": "s3cret",
                                                     "Host": "other.internal"}).status_code == 403


def test_binding_beyond_loopback_needs_a_token_and_says_so(monkeypatch):
    monkeypatch.delenv("MYOPERATOR_MOCK_CONTROL_TOKEN", raising=False)
    with pytest.raises(SystemExit, match="--control-token"):
        settings_from(build_parser().parse_args(["serve", "--host", "0.0.0.0"]))
    settings = settings_from(build_parser().parse_args(["serve", "--host", "0.0.0.0", "--control-token", "t"]))
    assert settings.control_token == "t"
    assert "WARNING: listening on 0.0.0.0" in banner(settings, make_app(host="0.0.0.0", control_token="t"))
    monkeypatch.setenv("MYOPERATOR_MOCK_CONTROL_TOKEN", "from-env")
    assert settings_from(build_parser().parse_args(["serve", "--host", "0.0.0.0"])).control_token == "from-env"
    assert settings_from(build_parser().parse_args(["serve"])).host == "127.0.0.1"


def test_trigger_passes_the_servers_control_token(capsys, monkeypatch):
    from tests.server import free_port, start_server, stop
    from mock_server import cli

    monkeypatch.delenv("MYOPERATOR_MOCK_CONTROL_TOKEN", raising=False)
    port = free_port()
    process = start_server(port, "--control-token", "s3cret", ready_headers={"X-Mock-Control-Token": "s3cret"})
    try:
        base = f"http://127.0.0.1:{port}"
        assert cli.main(["trigger", "ivr-only", "--url", base]) == 1  # refused without the token
        capsys.readouterr()
        assert cli.main(["trigger", "ivr-only", "--url", base, "--control-token", "s3cret"]) == 0
        assert '"scenario": "ivr-only"' in capsys.readouterr().out
    finally:
        stop(process)
