"""`myoperator-mock validate KIND FILE|-` and its logic (mock_server.validate)."""

from __future__ import annotations

import io
import json

import pytest

from mock_server import cli, schemas, validate
from tests.obd import support as obd_support
from tests.obd.test_call import fill as fill_obd_body
from tests.test_openapi import emitted_bodies


@pytest.fixture
def call_end(client) -> dict:
    return next(body for name, body in emitted_bodies(client) if name == "webhooks/call.end")


# --- KIND -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, names", [
    ("webhooks/call.end", ("webhooks/call.end",)),
    ("webhooks/call.end.json", ("webhooks/call.end",)),
    ("call.end", ("webhooks/call.end",)),
    ("message.sent", ("webhooks/message.sent",)),
    ("legacy.call_log", ("webhooks/legacy.call_log",)),
    ("legacy.link_tracking", ("webhooks/legacy.link_tracking",)),
    ("scenarios/call.end", ("scenarios/call.end",)),
    ("POST /chat/messages request", ("public/message.send.request",)),
    ("post  /chat/messages   REQUEST", ("public/message.send.request",)),
    ("GET /chat/templates 200", ("public/template.list.response",)),
    ("GET /chat/templates/{id} 404", ("public/template.not_found.response",)),
    ("GET /contacts/67b0d1d9d407deea596aba5c 404", ("public/contact.error.response",)),
    ("GET /chat/templates 404", ("public/error.response",)),  # an unlisted error: the surface's body
    ("GET /chat/templates 403", ("public/error.response", "public/gateway.denied.response")),
    ("GET /chat/templates 401", ("public/gateway.unauthorized.response",)),
    ("POST /contacts request", ("public/contact.create.request", "public/contact.search.request")),
    ("POST /contacts 200", ("public/contact.response", "public/contact.search.response")),
    ("POST /obd-api-v1 403", ("obd/call.response", "obd/gateway.error")),
    ("GET /search/user request", ("developers/user.list.request",)),
    ("POST /contactadd 401", ("developers/error",)),
    ("POST /_mock/scenarios/obd-user/run 201", ("control/scenario.run.response",)),
    ("POST /_mock/tenants/{company_id}/inbound request", ("control/message.inbound.request",)),
    ("GET /search/recordings/0123456789abcdef0123456789abcdef.mp3 410", ("developers/error",)),
])
def test_kind_names_a_schema_an_event_or_a_side_of_an_operation(kind, names):
    assert validate.resolve(kind) == names


@pytest.mark.parametrize("kind, message", [
    ("call.ended", "did you mean call.end"),
    ("", "unknown KIND"),
    ("POST /chat/message request", "did you mean POST /chat/messages"),
    ("GET /chat/templates 201", "documents no 201 body"),
    ("POST /chat/media/upload request", "multipart form"),
    ("GET /chat/templates request", "no JSON body"),
    ("GET /_mock/clock 200", "no schema"),
    ("GET /search/recordings/{token}.mp3 200", "audio/mpeg"),
    ("GET /chat/templates 2000", "unknown KIND"),
])
def test_a_kind_that_names_nothing_is_a_usage_error_that_says_why(kind, message):
    with pytest.raises(validate.UsageError, match=message):
        validate.resolve(kind)


def test_every_webhook_event_has_its_short_name():
    assert {f"webhooks/{alias}" for alias in validate.aliases()} == {
        n for n in schemas.names() if n.startswith("webhooks/")} - {
        "webhooks/common", "webhooks/envelope", "webhooks/legacy.common", "webhooks/whatsapp.common"}


# --- problems -------------------------------------------------------------------------------------
def test_a_real_webhook_body_is_valid(call_end):
    result = validate.check("call.end", call_end)
    assert result.valid and result.problems == {"webhooks/call.end": []}
    assert result.report() == "valid: call.end (webhooks/call.end)"


def test_each_problem_says_where_what_was_expected_and_what_came(call_end):
    broken = json.loads(json.dumps(call_end))
    broken["payload"]["duration"] = "45"
    del broken["payload"]["legs"][0]["result"]
    broken["payload"]["legs"][0]["dial_status"] = "SOMETHING"
    broken["payload"]["surprise"] = [1, 2]
    broken["event_version"] = 1
    broken["session_id"] = ""
    result = validate.check("call.end", broken)
    assert not result.valid
    found = {str(p) for p in result.problems["webhooks/call.end"]}
    assert found >= {
        '$.payload.duration: expected integer; got string "45"',
        "$.payload.legs[0].result: expected a value (required); got nothing",
        "$.payload.surprise: expected no such property (the schema does not allow it); got [1, 2]",
        '$.event_version: expected "1"; got 1',
        '$.session_id: expected at least 1 character; got 0 characters: ""',
    }, found
    assert any(p.startswith("$.payload.legs[0].dial_status: expected one of ") and p.endswith('got "SOMETHING"')
               for p in found), found
    report = result.report()
    assert report.startswith(f"invalid: call.end (webhooks/call.end): {len(found)} problems\n")
    assert all(f"  {p}" in report.splitlines() for p in found)


def test_a_body_that_may_take_two_shapes_is_checked_against_each():
    result = validate.check("POST /obd-api-v1 403", {"message": "Forbidden"})
    assert result.valid  # the gateway's shape
    result = validate.check("POST /obd-api-v1 403", {"message": 3})
    assert not result.valid and set(result.problems) == {"obd/call.response", "obd/gateway.error"}
    assert "  against obd/gateway.error:" in result.report().splitlines()


def test_paths_name_odd_keys_and_long_values_are_cut():
    assert validate.json_path(["data", 0, "custom fields", "a.b"]) == '$.data[0]["custom fields"]["a.b"]'
    assert validate.snippet("x" * 500).endswith("…") and len(validate.snippet("x" * 500)) == validate.SNIPPET
    assert [validate.json_type(v) for v in (None, True, 1, 1.0, 1.5, "s", [], {})] == [
        "null", "boolean", "integer", "integer", "number", "string", "array", "object"]


def test_the_payload_must_be_strict_json():
    assert validate.parse(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}  # a BOM is tolerated
    for bad in (b"", b"{", b'{"a": NaN}', b"\xff\xfe", b"[" * 100_000):
        with pytest.raises(validate.UsageError, match="not JSON"):
            validate.parse(bad)


# --- the command ----------------------------------------------------------------------------------
def test_the_command_exits_0_for_valid_and_1_for_invalid(tmp_path, call_end, capsys):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(call_end), encoding="utf-8")
    bad.write_text(json.dumps(dict(call_end, event_version=1)), encoding="utf-8")
    assert cli.main(["validate", "call.end", str(good)]) == 0
    assert capsys.readouterr().out == "valid: call.end (webhooks/call.end)\n"
    assert cli.main(["validate", "webhooks/call.end", str(bad)]) == 1
    assert '$.event_version: expected "1"; got 1' in capsys.readouterr().out


def test_the_operation_form_needs_no_quotes_and_reads_standard_input(monkeypatch, capsys):
    body = {"status": "success", "code": "200", "message": "Templates",
            "data": {"count": 0, "next": None, "previous": None, "results": []}}
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(body).encode())))
    assert cli.main(["validate", "GET", "/chat/templates", "200", "-"]) == 0
    assert capsys.readouterr().out.startswith("valid: GET /chat/templates 200")


# --- the OBD request: the whole documented request, not only what its gateway checks ---------------
def test_the_obd_request_schema_refuses_an_empty_body_with_each_required_field(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"{}")))
    assert cli.main(["validate", "POST /obd-api-v1 request", "-"]) == 1
    out = capsys.readouterr().out
    for field in ("company_id", "secret_token", "type", "number", "public_ivr_id"):
        assert f"$.{field}: expected a value (required); got nothing" in out


OBD_EXAMPLES = [e for e in obd_support.EXAMPLES["examples"] if e["request"] == "Call"]


@pytest.mark.parametrize("example", OBD_EXAMPLES, ids=[e["example"] for e in OBD_EXAMPLES])
def test_every_documented_obd_request_is_valid_but_the_bad_request(client, tenant, example):
    body = fill_obd_body(obd_support.Obd(client, tenant), example)  # comments dropped, placeholders filled
    result = validate.check("POST /obd-api-v1 request", body)
    assert result.valid == (example["example"] != "Bad Request"), result.report()


@pytest.mark.parametrize("change, problem", [
    ({"type": "3"}, '$.type: expected one of "1", "2"; got "3"'),
    ({"number": "9876543210"}, "$.number: expected a string matching"),
    ({"max_call_duration": "300"}, '$.max_call_duration: expected integer; got string "300"'),
    ({"max_call_duration": 5401}, "$.max_call_duration: expected a number <= 5400; got 5401"),
    ({"user_id": None, "number_2": None}, "$.user_id: expected a value (required); got nothing"),
    ({"number_2": "+919812345678"}, "$.number_2"),  # the user and the anonymous dialer at once
    ({"type": "2"}, "$.user_id"),  # the IVR dialer takes no user_id
])
def test_the_obd_request_schema_states_the_dialer_rules(client, tenant, change, problem):
    body = {k: v for k, v in dict(obd_support.Obd(client, tenant).body("user"), **change).items() if v is not None}
    result = validate.check("POST /obd-api-v1 request", body)
    assert not result.valid and problem in result.report(), result.report()


def test_the_gateway_checks_less_than_the_published_request_schema():
    # {} passes the gateway (the application answers its documented 400), not the published request.
    assert schemas.field_errors("obd/gateway.request", {}) == {}
    assert schemas.field_errors("obd/call.request", {}) != {}


@pytest.mark.parametrize("argv, message", [
    (["validate", "call.ended", "x.json"], "unknown KIND 'call.ended'"),
    (["validate", "call.end", "/nonexistent/body.json"], "cannot read /nonexistent/body.json"),
    (["validate", "call.end"], "give KIND and FILE"),
])
def test_usage_errors_exit_2_with_the_reason_on_stderr(argv, message, capsys):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_file_that_is_not_json_is_a_usage_error(tmp_path, capsys):
    target = tmp_path / "body.json"
    target.write_text("status=success", encoding="utf-8")
    assert cli.main(["validate", "call.end", str(target)]) == 2
    assert "not JSON" in capsys.readouterr().err


def test_the_help_documents_the_grammar(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["validate", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "'METHOD PATH request' or 'METHOD PATH STATUS'" in text and "legacy.call_log" in text
    assert "0 valid, 1 invalid, 2 usage error" in text
