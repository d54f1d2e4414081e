"""POST /obd-api-v1: the gateway's checks, the application's, and the documented examples."""

import json

import pytest

from mock_server import schemas
from tests.obd.support import EXAMPLES, Obd, application_answer, without_comments
from tests.conftest import seeded_tenant


@pytest.fixture
def obd(client, tenant):
    return Obd(client, tenant)


@pytest.mark.parametrize("dialer", ["user", "anonymous", "ivr"])
def test_each_dialer_is_accepted_and_echoes_the_reference(obd, dialer):
    body = application_answer(obd.call(obd.body(dialer, reference_id=f"ref-{dialer}")), 200,
                              "Request accepted successfully")
    assert body["reference_id"] == f"ref-{dialer}" and body["unique_id"]
    stored = obd.tenant.state["obd_requests"].get(body["unique_id"])
    assert stored["dialer"] == dialer and stored["reference_id"] == f"ref-{dialer}"


def test_without_a_reference_the_answer_carries_null(obd):
    assert application_answer(obd.call(), 200)["reference_id"] is None


def test_call_hold_false_is_accepted_with_the_documented_warning(obd):
    application_answer(obd.call(obd.body(call_hold=False)), 200,
                       "This call might get cancelled due to unavailability of UDC(User/Department/Channels)!!")


def test_accepted_calls_count_against_the_ivr_usage(obd):
    before = obd.ivrs["main"]["usage_count"]
    obd.call()
    assert obd.tenant.state["ivrs"].get(obd.ivrs["main"]["id"])["usage_count"] == before + 1


# --- the gateway -----------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["", "wrong"])
def test_a_missing_or_wrong_api_key_is_the_gateways_403(obd, key):
    response = obd.call(key=key)
    assert response.status_code == 403 and response.json() == {"message": "Forbidden"}
    assert schemas.field_errors("obd/gateway.error", response.json()) == {}


def test_another_companys_key_cannot_place_this_companys_call(obd, other_tenant):
    body = application_answer(obd.call(key=other_tenant.state.account["obd_api_key"]), 403)
    assert body["details"] == "Invalid company_id for this x-api-key"


@pytest.mark.parametrize("raw", [b"{not json", b'{"type": "1" // comment\n}', b""])
def test_bodies_that_are_not_json_are_the_gateways_400(obd, raw):
    response = obd.call(raw)
    assert response.status_code == 400 and response.json() == {"message": "Invalid request body"}


def wrong_type(got: str, allowed: str) -> str:
    return f'instance type ({got}) does not match any allowed primitive type (allowed: ["{allowed}"])'


@pytest.mark.parametrize("raw,problem", [
    (b"[]", wrong_type("array", "object")), (b'"text"', wrong_type("string", "object")),
    (b'{"type": 1}', wrong_type("integer", "string")), (b'{"max_call_duration": 3.5}', wrong_type("number", "integer")),
    # OBSERVED.md B12: the live gateway refuses an integer written as text, in these words.
    (b'{"max_call_duration": "300"}', wrong_type("string", "integer")),
    (b'{"max_call_duration": "3.5"}', wrong_type("string", "integer")),
    (b'{"call_hold": "false"}', wrong_type("string", "boolean")), (b'{"custom_1": 5}', wrong_type("integer", "string")),
    (b'{"user_id": null}', wrong_type("null", "string")),
])
def test_fields_of_the_wrong_type_are_the_gateways_400_in_its_validators_words(obd, raw, problem):
    response = obd.call(raw)
    assert response.status_code == 400 and response.json() == {"message": f"[{problem}]"}
    assert schemas.field_errors("obd/gateway.error", response.json()) == {}


def test_the_gateway_lists_every_wrong_type(obd):
    response = obd.call(obd.body(max_call_duration="300", call_hold="yes"))
    assert response.json() == {"message": f'[{wrong_type("string", "boolean")}, {wrong_type("string", "integer")}]'}


# --- the application: the OBD guide's errors and the doc's causes ------------------------------
def test_the_guides_error_list_is_reachable(obd, client, tenant):
    # 400 Invalid Number Format
    application_answer(obd.call(obd.body(number="9876543210")), 400, "Provide valid Number in string format")
    # 403 Invalid API Key
    assert obd.call(key="nope").status_code == 403
    # 403 Anonymous Feature Not Enabled
    application_answer(obd.call(obd.body("anonymous", ivr="no_anonymous")), 403, "Your annonymous feature is not enabled")
    # 403 Duplicate Reference ID
    application_answer(obd.call(obd.body(reference_id="same")), 200)
    application_answer(obd.call(obd.body(reference_id="same")), 403,
                       'Duplicate request: reference ID "same" is already taken, remaining_ttl 172800 seconds')
    # 500 Company Config Missing
    client.patch(f"/_mock/tenants/{tenant.company_id}", json={"obd_configured": False})
    application_answer(obd.call(), 500, "Company config missing")


def test_a_reference_id_is_free_again_after_its_time_window(obd, client):
    application_answer(obd.call(obd.body(reference_id="again")), 200)
    client.post("/_mock/clock/advance", json={"seconds": 172_800})
    application_answer(obd.call(obd.body(reference_id="again")), 200)


@pytest.mark.parametrize("fields,status,details", [
    ({"company_id": ""}, 400, "Missing required field(s): company_id"),
    ({"type": "3"}, 400, "Type 3 dialer is deprecated and no longer supported"),
    ({"type": "abc"}, 400, 'Invalid type "abc": allowed values are "1" and "2"'),
    ({"public_ivr_id": "nope"}, 404, 'IVR nope not found'),
    ({"secret_token": "wrong"}, 403, "Invalid secret_token"),
    ({"max_call_duration": 5401}, 400, "max_call_duration must be between 1 and 5400 seconds"),
    ({"max_call_duration": 0}, 400, "max_call_duration must be between 1 and 5400 seconds"),
    ({"user_id": "0000000000000000"}, 400, 'Invalid user_id "0000000000000000"'),
    ({"number_2": "+919812345678"}, 403,
     "user_id (user dialer) and number_2 (anonymous dialer) cannot be used together"),
    ({"std_code": "999"}, 400, 'Invalid std_code "999"'),
    ({"region": "Atlantis"}, 400, 'Invalid region "Atlantis"'),
    ({"caller_id": "+910000000000"}, 400, 'Invalid caller_id "+910000000000": not a DID of this company'),
])
def test_user_dialer_refusals(obd, fields, status, details):
    application_answer(obd.call(obd.body("user", **fields)), status, details)


def test_dialer_field_matrix(obd):
    application_answer(obd.call(obd.body("ivr", user_id=obd.agent["id"])), 403,
                       "user_id is not allowed for the IVR dialer (type 2)")
    application_answer(obd.call(obd.body("ivr", number_2="+919812345678")), 403,
                       "number_2 is not allowed for the IVR dialer (type 2)")
    application_answer(obd.call(obd.body("none")), 400,
                       "Type 1 needs user_id (user dialer) or number_2 (anonymous dialer)")
    application_answer(obd.call(obd.body("anonymous", number_2="12345")), 400, "Provide valid Number in string format")


def test_ivr_state_refusals(obd, client, tenant):
    application_answer(obd.call(obd.body(ivr="expired")), 403, "Billing expired for this IVR")
    application_answer(obd.call(obd.body(ivr="over_threshold")), 403, "Usage threshold exceeded")
    application_answer(obd.call(obd.body(ivr="ip_locked")), 403, "Source IP testclient is not whitelisted for this IVR")
    ivr = obd.ivrs["main"]["id"]
    client.patch(f"/_mock/tenants/{tenant.company_id}/ivrs/{ivr}", json={"dialers": {"user": False}})
    application_answer(obd.call(), 403, "The user dialer is not enabled for this IVR")
    client.patch(f"/_mock/tenants/{tenant.company_id}/ivrs/{ivr}", json={"dialers": {"user": True}, "did_ids": []})
    application_answer(obd.call(), 404, "Routing configuration not available: no DID is mapped to this IVR")


def test_std_code_and_caller_id_choose_a_mapped_did(obd, client, tenant):
    dids = {d["std_code"]: d for d in tenant.state["dids"]}
    body = application_answer(obd.call(obd.body(std_code="22")), 200)
    assert tenant.state["obd_requests"].get(body["unique_id"])["did"] == dids["22"]["number"]
    body = application_answer(obd.call(obd.body(region="Bangalore")), 200)
    assert tenant.state["obd_requests"].get(body["unique_id"])["did"] == dids["80"]["number"]
    body = application_answer(obd.call(obd.body(caller_id=dids["33"]["number"])), 200)
    assert tenant.state["obd_requests"].get(body["unique_id"])["did"] == dids["33"]["number"]
    ivr = obd.ivrs["main"]["id"]
    client.patch(f"/_mock/tenants/{tenant.company_id}/ivrs/{ivr}", json={"did_ids": [dids["11"]["id"]]})
    application_answer(obd.call(obd.body(std_code="22")), 404, "No DID mapped to this IVR for std_code 22")
    application_answer(obd.call(obd.body(caller_id=dids["33"]["number"])), 404,
                       f"caller_id {dids['33']['number']} is not mapped to this IVR")


# --- the documented examples -----------------------------------------------------------------
def fill(obd, example) -> dict:
    """The example's body with its comments dropped and its placeholders filled from the fixtures."""
    body = json.loads(without_comments(example["body"]))
    ivr = obd.ivrs["main"]
    values = {"<company_id>": obd.tenant.company_id, "<secret_token>": ivr["secret_token"],
              "<public_ivr_id>": ivr["id"], "<uuid>": obd.agent["id"], "<agent_number>": "+919812345678"}
    for key, value in list(body.items()):
        if value in values:
            body[key] = values[value]
        elif key in ("number",) and str(value).startswith("<"):
            body[key] = "+919876543210"
        elif key in ("region", "std_code", "caller_id") and str(value).startswith("<"):
            del body[key]
        elif key == "reference_id" and str(value).startswith(("<", "optional")):
            body[key] = f"ref-{example['example']}"
        elif key == "max_call_duration" and isinstance(value, str) and value.startswith("optional"):
            body[key] = 300
    return body


OBD_EXAMPLES = [e for e in EXAMPLES["examples"] if e["request"] == "Call"]


def test_all_eight_examples_are_here():
    assert len(OBD_EXAMPLES) == 8


@pytest.mark.parametrize("example", OBD_EXAMPLES, ids=[e["example"] for e in OBD_EXAMPLES])
def test_documented_examples_replay(obd, client, tenant, example):
    body = fill(obd, example)
    status = int(example["status"] or example["example"].split()[0])
    if status == 400:  # the example's own causes: empty ids, type "abc", max_call_duration "5401"
        assert body["max_call_duration"] == "5401" and body["company_id"] == ""
        # The collection answers it with the application's body, but the live gateway refuses a max_call_duration
        # written as text before the application runs (OBSERVED.md B12): as saved, the example gets the gateway's
        # 400; with the integer 5401 (still over the limit), the application's documented one.
        response = obd.call(body)
        assert response.status_code == 400 and response.json() == {"message": f'[{wrong_type("string", "integer")}]'}
        body["max_call_duration"] = 5401
    elif status == 403:
        body["public_ivr_id"], body["secret_token"] = obd.ivrs["expired"]["id"], obd.ivrs["expired"]["secret_token"]
    elif status == 404:
        body["public_ivr_id"] = "000000000000000000000000"
    elif status == 500:
        client.patch(f"/_mock/tenants/{tenant.company_id}", json={"obd_configured": False})
    documented = json.loads(example["response"])
    answer = application_answer(obd.call(body), status)
    assert set(answer) == set(documented) and answer["status"] == documented["status"]
    if status == 200:
        assert answer["details"] == documented["details"]
    assert answer["reference_id"] == body.get("reference_id")


@pytest.mark.parametrize("example", OBD_EXAMPLES, ids=[e["example"] for e in OBD_EXAMPLES])
def test_documented_responses_validate(example):
    assert schemas.field_errors("obd/call.response", json.loads(example["response"])) == {}


def test_the_reference_window_is_configurable():
    from starlette.testclient import TestClient

    from tests.conftest import make_app
    app = make_app(obd_reference_ttl_seconds=60)
    with TestClient(app) as client:
        obd = Obd(client, seeded_tenant(app))
        application_answer(obd.call(obd.body(reference_id="short")), 200)
        application_answer(obd.call(obd.body(reference_id="short")), 403)
        client.post("/_mock/clock/advance", json={"seconds": 61})
        application_answer(obd.call(obd.body(reference_id="short")), 200)


def test_users_that_cannot_be_rung_are_refused(obd, client, tenant):
    token = tenant.state.account["developer_token"]
    sip = client.post("/search/user", data={"token": token, "name": "Desk", "contact_number": "1234",
                                            "country_code": "91", "extension": 501, "contact_type": "sip"})
    assert sip.status_code == 200, sip.text
    application_answer(obd.call(obd.body(user_id=sip.json()["uuid"])), 400,
                       "The user's contact number cannot be dialled: it is no E.164 number with its country code")
    quiet = next(u for u in tenant.state["users"] if u["role"] == "no_calls")
    application_answer(obd.call(obd.body(user_id=quiet["id"])), 403,
                       "The user does not receive calls (receive_calls is 2)")


def test_the_ivr_dialer_needs_an_agent_who_receives_calls(obd, client, tenant):
    token = tenant.state.account["developer_token"]
    for user in tenant.state["users"]:
        if user["role"] != "anonymous":
            client.put("/search/user", data={"token": token, "uuid": user["id"], "receive_calls": 2})
    application_answer(obd.call(obd.body("ivr")), 404,
                       "Routing configuration not available: no agent of the IVR's department receives calls")


@pytest.mark.parametrize("caller_id", ["0", "1", "8", "+91", "91"])
def test_caller_id_must_be_a_whole_did(obd, caller_id):
    application_answer(obd.call(obd.body(caller_id=caller_id)), 400)


def test_caller_id_may_be_written_without_plus_or_country_code(obd, tenant):
    did = next(d for d in tenant.state["dids"] if d["std_code"] == "22")["number"]
    for written in (did, did[1:], did[3:]):
        body = application_answer(obd.call(obd.body(caller_id=written)), 200)
        assert tenant.state["obd_requests"].get(body["unique_id"])["did"] == did
