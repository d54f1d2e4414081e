"""Fuzzing every operation of /openapi.json with schemathesis, in process.

Schemathesis reads the document the server serves and generates requests from it: valid ones and
invalid ones (wrong types, missing or extra fields, values outside the schema). Each request carries
the seeded tenant's real credentials where its surface reads them, and half the time the id of
something that exists, so that it gets past authentication and lookups to the business rules.
Whatever comes back: never a 5xx, every error in its surface's documented body, every success valid
against its schema (mock_server.contract), and schemathesis's own checks that the response's status,
content type and body are the ones the document promises and that invalid input is refused.

Bounded for the suite (25 examples per operation, derandomized, no example database): a run takes
seconds and is the same run every time.
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, settings, strategies as st
from schemathesis import GenerationMode

from mock_server import contract, openapi, schemas
from mock_server.control.routes import operations as control_operations
from mock_server.engine import runner
from mock_server.services import messaging
from tests.conftest import Tenant, make_app
from tests.support import ctx_of

APP = make_app()
COMPANY_ID = next(iter(ctx_of(APP).store.tenants))
CONFIG = schemathesis.Config.from_dict({
    "seed": 20250701,
    # Credentials are set by authorize(), never generated: they are what lets a request reach the rules.
    "generation": {"mode": "all", "max-examples": 25, "deterministic": True, "database": "none",
                   "with-security-parameters": False},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    # Beside our own contract check: the answer is what the document promises, and invalid input is
    # refused. Not "valid input is accepted": a schema gives a request's shape, the rules say more.
    "checks": {"enabled": False, **{name: {"enabled": True} for name in (
        "not_a_server_error", "status_code_conformance", "content_type_conformance",
        "response_schema_conformance", "negative_data_rejection")}},
})
# Not fuzzed: a subscription would send webhooks to whatever URL was generated.
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG).exclude(
    method="POST", path="/_mock/webhooks")
# Top-level body fields that name something of the tenant's, like the path parameters.
KNOWN_BODY_FIELDS = ("phone_number_id", "user_id", "uuid", "assignto", "agent_id", "by")


def fresh_tenant() -> Tenant:
    """The tenant back at its fixtures: each example starts from the same state, whatever ran before."""
    ctx_of(APP).reset(COMPANY_ID)
    return Tenant(APP, COMPANY_ID)


def known_values(tenant: Tenant, name: str, path: str) -> list[str]:
    """Ids of things the tenant has, for a parameter or body field called ``name``."""
    state = tenant.state
    if name == "id":  # of a template or a conversation, by the path it is in
        kind = next((k for k in ("templates", messaging.CONVERSATIONS) if f"/{k}/" in path), None)
        return [d["id"] for d in state[kind]] if kind else []
    if name == "name":
        return list(runner.catalog(ctx_of(APP))) if path.startswith("/_mock/scenarios") else schemas.names()
    found = {
        "campaign_id": [str(c["id"]) for c in state["campaigns"]],
        "contact_id": [c["id"] for c in state["contacts"]],
        "public_ivr_id": [i["id"] for i in state["ivrs"]],
        "phone_number_id": [p["phone_number_id"] for p in state["phone_numbers"]],
        "waba_id": [w["waba_id"] for w in state["waba_accounts"]],
        "user_id": [u["id"] for u in state["users"]], "uuid": [u["id"] for u in state["users"]],
        "assignto": [u["id"] for u in state["users"]],
    }
    return found.get(name, [])


def generated_valid(case, location: str) -> bool:
    """Whether this part of the request was generated valid (an invalid one is left as it is)."""
    info = next((i for where, i in case.meta.components.items() if where.value == location), None)
    return info is None or info.mode == GenerationMode.POSITIVE


def steer(case, data, tenant: Tenant) -> None:
    """Half the time, swap a generated id for one that exists."""
    path = case.operation.path
    if generated_valid(case, "path"):
        for name in list(case.path_parameters):
            known = known_values(tenant, name, path)
            if known and data.draw(st.booleans(), label=f"known {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(known), label=name)
    if isinstance(case.body, dict) and generated_valid(case, "body"):
        for name in KNOWN_BODY_FIELDS:
            known = known_values(tenant, name, path)
            if isinstance(case.body.get(name), str) and known and data.draw(st.booleans(), label=f"known {name}"):
                case.body[name] = data.draw(st.sampled_from(known), label=name)


def authorize(case, data, tenant: Tenant) -> None:
    """The tenant's credentials, where this operation's surface reads them."""
    path, state = case.operation.path, tenant.state
    case.headers = dict(case.headers or {})
    case.query = dict(case.query or {})
    surface = openapi.surface_of(path).tag
    if surface == "public API":
        case.headers.update(tenant.headers)
        if path.startswith("/chat/campaign") and generated_valid(case, "header"):
            case.headers["X-WABA-PHONENUMBER-ID"] = tenant.phone("primary")["phone_number_id"]
    elif surface == "OBD API":
        case.headers["x-api-key"] = state.account["obd_api_key"]
        if isinstance(case.body, dict) and generated_valid(case, "body"):  # and the company, IVR and its secret
            ivr = data.draw(st.sampled_from(list(state["ivrs"])), label="ivr")
            for key, value in (("company_id", tenant.company_id), ("public_ivr_id", ivr["id"]),
                               ("secret_token", ivr["secret_token"])):
                if isinstance(case.body.get(key), str):
                    case.body[key] = value
    elif surface == "developers API" and path not in {p for _, p in contract.AUDIO_OPERATIONS}:
        # A body generated invalid (say, without its required token) gets no token in the query either: the
        # query's would stand in for the body's, and the request would rightly be accepted.
        if case.body is None or generated_valid(case, "body"):
            case.query["token"] = state.account["developer_token"]
        if isinstance(case.body, dict) and isinstance(case.body.get("token"), str) and generated_valid(case, "body"):
            case.body["token"] = state.account["developer_token"]  # the body's token wins over the query's
    if "company_id" in case.path_parameters and generated_valid(case, "path"):
        case.path_parameters["company_id"] = tenant.company_id
    if isinstance(case.body, dict) and isinstance(case.body.get("company_id"), str) and generated_valid(case, "body"):
        case.body["company_id"] = tenant.company_id


def expected_schemas(method: str, path: str, status: int) -> tuple[str, ...]:
    """The schema(s) an answer must satisfy (any one); empty where the body is not JSON we describe."""
    if contract.operation(method, path):
        return contract.response_schemas(method, path, status)
    if path.startswith("/_mock/"):
        return openapi.control_response_schemas(method, path, status)
    return contract.surface_errors(path) if status >= 400 else ()


def contract_problems(method: str, path: str, status: int, content: bytes) -> list[str]:
    """What is wrong with an answer: a 5xx, a body that is not JSON, or one that fits none of its schemas."""
    if status >= 500:
        return [f"{method} {path} answered {status}: {content[:300]!r}"]
    names = expected_schemas(method, path, status)
    if not names:
        return []
    try:
        body = json.loads(content)
    except ValueError:
        return [f"{method} {path} {status}: the body is not JSON: {content[:300]!r}"]
    failures = {name: schemas.field_errors(name, body) for name in names}
    if any(not errors for errors in failures.values()):
        return []
    return [f"{method} {path} {status} fits none of {', '.join(names)}: {failures}"]


@SCHEMA.given(data=st.data())
@SCHEMA.parametrize()
@settings(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case, data):
    tenant = fresh_tenant()
    steer(case, data, tenant)
    authorize(case, data, tenant)
    response = case.call_and_validate()
    assert not contract_problems(case.method.upper(), case.operation.path, response.status_code, response.content)


def test_every_operation_of_the_document_is_fuzzed():
    operations = [result.ok() for result in SCHEMA.get_all_operations()]
    assert not [(op.label, op.skipped_parameters) for op in operations if op.skipped_parameters]
    fuzzed = {(op.method.upper(), op.path) for op in operations}
    documented = {(method.upper(), path) for path, item in openapi.document(control_operations)["paths"].items()
                  for method in item if method != "servers"}
    # /openapi.json itself: schemathesis leaves out the document it was loaded from.
    assert documented - fuzzed == {("GET", "/openapi.json"), ("POST", "/_mock/webhooks")}
    assert set(contract.OPERATIONS) | set(contract.AUDIO_OPERATIONS) <= fuzzed


def test_the_contract_check_refuses_what_the_fuzzer_must_never_see():
    error = b'{"status":"error","code":"400","message":"Bad","errors":{}}'
    assert contract_problems("GET", "/chat/templates/x", 500, b"Internal Server Error")
    assert contract_problems("GET", "/contacts", 400, b"<html>oops</html>")
    assert contract_problems("POST", "/search/search", 400, error)  # not the developers API's error body
    assert contract_problems("GET", "/search/filters", 200, b'{"status":"success"}')
    assert not contract_problems("GET", "/contacts", 404, error.replace(b"400", b"404"))
    assert not contract_problems("GET", "/search/recordings/%s.mp3" % ("0" * 32), 404,
                                 b'{"status":"error","code":404,"message":"recording link not found"}')


# --- what the fuzzer found, pinned -------------------------------------------------------------
def test_a_multipart_field_name_beyond_latin_1_is_no_server_error(client, tenant):
    """python-multipart re-encodes part headers to Latin-1: a UTF-8 field name used to raise (500)."""
    boundary = "0e4df8b6bec12a33"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="Ā"\r\n\r\nnull\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="application"\r\n\r\ntemplate\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="café.jpg"\r\n'
            f'Content-Type: image/jpeg\r\n\r\nJPEG\r\n--{boundary}--\r\n').encode()
    response = client.post("/chat/media/upload", content=body,
                           headers={**tenant.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 201, response.text
    media_id = response.json()["data"]["media_id"]
    assert tenant.state["media"].get(media_id)["filename"] == "café.jpg"  # the UTF-8 name, not U+FFFD


def test_a_campaign_id_with_a_line_break_gets_the_documented_404(client, tenant):
    """The 404 echoes the id; the schema's pattern did not let "." match a line break in it."""
    response = client.get("/chat/campaign/12%0A34", headers={
        **tenant.headers, "X-WABA-PHONENUMBER-ID": tenant.phone("primary")["phone_number_id"]})
    assert response.status_code == 404  # and the client fixture holds the body to campaign.not_found.response
    assert response.json()["errors"] == {"campaign_id": "Campaign 12\n34 does not exist!"}
