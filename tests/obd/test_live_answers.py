"""POST /obd-api-v1 as the live service answered a production client (OBSERVED.md B11, B13, B14, B18)."""

import pytest

from tests.obd.support import Obd, application_answer

NOT_A_NUMBER = "Provide valid Number in string format"
ANONYMOUS_OFF = "Your annonymous feature is not enabled"  # sic, as the live API spells it
TWO_DAYS = 172_800


@pytest.fixture
def obd(client, tenant):
    return Obd(client, tenant)


# --- B11: number must be E.164, +91 and ten digits for India ------------------------------------------
@pytest.mark.parametrize("number", [
    "9389559274", "919389559274",  # the two the live API refused
    "+91938955927", "+9193895592741",  # +91 with nine or eleven digits
    "+91 9389559274", "00919389559274", "+",
])
def test_a_number_that_is_not_e164_is_the_live_400(obd, number):
    application_answer(obd.call(obd.body(number=number)), 400, NOT_A_NUMBER)


@pytest.mark.parametrize("number", ["+919389559274", "+911123456789", "+14155550123", "+447911123456", "+6591234567"])
def test_e164_numbers_of_india_and_other_countries_are_accepted(obd, number):
    application_answer(obd.call(obd.body(number=number)), 200)


def test_the_anonymous_dialers_agent_number_is_checked_alike(obd):
    application_answer(obd.call(obd.body("anonymous", number_2="919812345678")), 400, NOT_A_NUMBER)


def test_a_refused_number_keeps_nothing(obd):
    before = obd.ivrs["main"]["usage_count"]
    application_answer(obd.call(obd.body(number="9389559274", reference_id="kept-free")), 400)
    assert obd.tenant.state["ivrs"].get(obd.ivrs["main"]["id"])["usage_count"] == before
    application_answer(obd.call(obd.body(reference_id="kept-free")), 200)


# --- B14: the anonymous feature off ------------------------------------------------------------------
def test_the_anonymous_feature_off_for_the_company_is_the_live_403(obd, client, tenant):
    assert client.get(f"/_mock/tenants/{tenant.company_id}").json()["obd_anonymous_enabled"] is True
    application_answer(obd.call(obd.body("anonymous")), 200)
    patched = client.patch(f"/_mock/tenants/{tenant.company_id}", json={"obd_anonymous_enabled": False})
    assert patched.status_code == 200 and patched.json()["obd_anonymous_enabled"] is False
    application_answer(obd.call(obd.body("anonymous", reference_id="anon-off")), 403, ANONYMOUS_OFF)
    application_answer(obd.call(obd.body("user")), 200)  # the other dialers are not the feature
    application_answer(obd.call(obd.body("ivr")), 200)
    client.patch(f"/_mock/tenants/{tenant.company_id}", json={"obd_anonymous_enabled": True})
    application_answer(obd.call(obd.body("anonymous", reference_id="anon-off")), 200)  # the refusal took nothing


def test_an_ivr_without_the_anonymous_dialer_answers_the_same(obd):
    application_answer(obd.call(obd.body("anonymous", ivr="no_anonymous")), 403, ANONYMOUS_OFF)


def test_the_anonymous_switch_takes_only_true_or_false(client, tenant):
    r = client.patch(f"/_mock/tenants/{tenant.company_id}", json={"obd_anonymous_enabled": "no"})
    assert r.status_code == 400 and r.json()["errors"] == {"obd_anonymous_enabled": ["Must be true or false."]}
    assert client.get(f"/_mock/tenants/{tenant.company_id}").json()["obd_anonymous_enabled"] is True


# --- B13: a reference_id is locked about two days -------------------------------------------------
def duplicate(obd, reference_id, remaining):
    body = application_answer(obd.call(obd.body(reference_id=reference_id)), 403)
    assert body["remaining_ttl"] == remaining, body
    assert body["details"] == (f'Duplicate request: reference ID "{reference_id}" is already taken, '
                               f'remaining_ttl {remaining} seconds')
    assert body["reference_id"] == reference_id
    return body


def test_a_reused_reference_is_locked_two_days_on_the_servers_clock(obd, client):
    application_answer(obd.call(obd.body(reference_id="crm-1")), 200)
    duplicate(obd, "crm-1", TWO_DAYS)
    client.post("/_mock/clock/advance", json={"seconds": 1023})  # the live answer: ~171777 s left
    duplicate(obd, "crm-1", 171_777)
    client.post("/_mock/clock/advance", json={"seconds": TWO_DAYS - 1023 - 1})
    duplicate(obd, "crm-1", 1)
    client.post("/_mock/clock/advance", json={"seconds": 1})
    body = application_answer(obd.call(obd.body(reference_id="crm-1")), 200)
    assert "remaining_ttl" not in body
    duplicate(obd, "crm-1", TWO_DAYS)  # taken again, from the new call on


def test_the_lock_is_the_companys_own(obd, client, other_tenant):
    application_answer(obd.call(obd.body(reference_id="shared")), 200)
    other = Obd(client, other_tenant)
    application_answer(other.call(other.body(reference_id="shared")), 200)


# --- B18: optional fields sent as empty strings ---------------------------------------------------
def test_empty_optional_fields_count_as_not_given(obd):
    blanks = {"reference_id": "", "region": "", "caller_id": "", "group": "", "std_code": ""}
    for _ in range(2):  # "" is no reference: it takes no lock
        body = application_answer(obd.call(obd.body(**blanks)), 200, "Request accepted successfully")
        assert body["reference_id"] is None
        assert obd.tenant.state["obd_requests"].get(body["unique_id"])["reference_id"] is None


def test_an_empty_user_id_or_number_2_is_not_a_dialer(obd):
    application_answer(obd.call(obd.body("anonymous", user_id="")), 200)
    application_answer(obd.call(obd.body("user", number_2=" ")), 200)
    application_answer(obd.call(obd.body("ivr", user_id="", number_2="")), 200)
    application_answer(obd.call(obd.body("none", user_id="", number_2="")), 400,
                       "Type 1 needs user_id (user dialer) or number_2 (anonymous dialer)")


def test_a_fixtures_file_may_turn_the_anonymous_feature_off(tmp_path):
    import json

    from starlette.testclient import TestClient

    from mock_server import fixtures
    from tests.conftest import Tenant, make_app
    data = fixtures.generate(fixtures.DEFAULT_SEED)
    data["tenants"][0]["state"]["account"][0]["obd_anonymous_enabled"] = False
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data))
    app = make_app(fixtures_path=path)
    with TestClient(app) as client:
        obd = Obd(client, Tenant(app, data["tenants"][0]["company_id"]))
        application_answer(obd.call(obd.body("anonymous")), 403, ANONYMOUS_OFF)
    data["tenants"][0]["state"]["account"][0]["obd_anonymous_enabled"] = "no"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="obd_anonymous_enabled"):
        make_app(fixtures_path=path)
