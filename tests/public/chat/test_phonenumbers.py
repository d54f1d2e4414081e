from mock_server import schemas
from tests.conftest import examples


def test_lists_every_number_of_the_company_with_pagination(client, tenant):
    r = client.get("/chat/phonenumbers?limit=4&offset=0", headers=tenant.headers)
    assert r.status_code == 200
    body = r.json()
    assert schemas.field_errors("public/phonenumbers.list.response", body) == {}
    assert body["data"]["count"] == 13 and len(body["data"]["results"]) == 4
    assert body["data"]["next"].endswith("/chat/phonenumbers?limit=4&offset=4")
    assert body["data"]["previous"] is None
    second = client.get(body["data"]["next"], headers=tenant.headers).json()["data"]
    assert len(second["results"]) == 4 and second["next"].endswith("/chat/phonenumbers?limit=4&offset=8")
    assert second["previous"].endswith("/chat/phonenumbers?limit=4")
    last = client.get("/chat/phonenumbers?limit=4&offset=12", headers=tenant.headers).json()["data"]
    assert len(last["results"]) == 1 and last["next"] is None


def test_expand_adds_waba_profile_and_settings(client, tenant):
    r = client.get(f"/chat/phonenumbers?expand=settings,profile,waba_account&waba_id={tenant.waba_id()}",
                   headers=tenant.headers)
    results = r.json()["data"]["results"]
    assert r.status_code == 200 and len(results) == 10  # the first page of the primary WABA's eleven
    assert {n["waba_account"]["waba_id"] for n in results} == {tenant.waba_id()}
    assert all({"profile", "settings"} <= set(n) for n in results)
    assert schemas.field_errors("public/phonenumbers.list.response", r.json()) == {}


def test_the_documented_example_pages_the_primary_wabas_eleven_numbers(client, tenant):
    # List Phone Numbers' examples: limit=10&offset=0 under the primary WABA, "count": 11, a next page at offset 10.
    data = client.get(f"/chat/phonenumbers?limit=10&offset=0&waba_id={tenant.waba_id()}", headers=tenant.headers).json()["data"]
    assert (data["count"], len(data["results"])) == (11, 10)
    assert data["next"].endswith(f"/chat/phonenumbers?waba_id={tenant.waba_id()}&limit=10&offset=10")
    assert data["previous"] is None  # the example shows a link to offset 0 on the first page: DRF gives none
    rest = client.get(data["next"], headers=tenant.headers).json()["data"]
    assert len(rest["results"]) == 1 and rest["next"] is None and rest["previous"] is not None


def test_documented_states_are_listed(client, tenant):
    results = client.get("/chat/phonenumbers", headers=tenant.headers).json()["data"]["results"]
    states = {(n["phone_number_status"], n["onboarding_status"], n["status"]) for n in results}
    assert ("otp_verified", "pending", "active") in states
    assert ("connected", "success", "active") in states
    assert ("connected", "success", "disabled") in states


def test_unknown_expansion_and_bad_limit_are_clear_400s(client, tenant):
    r = client.get("/chat/phonenumbers?expand=owner", headers=tenant.headers)
    assert r.status_code == 400 and r.json()["code"] == "invalid" and "expand" in r.json()["errors"]
    r = client.get("/chat/phonenumbers?limit=abc", headers=tenant.headers)
    assert r.status_code == 400 and r.json()["errors"] == {"limit": ["A valid integer is required."]}


def test_documented_examples_validate_and_replay(client, tenant):
    for example in examples("List Phone Numbers"):
        if example["response"].startswith('{\n  "status": "<string>"'):
            continue  # the placeholder example ("<integer>" etc.) is not a real body
        import json
        assert schemas.field_errors("public/phonenumbers.list.response", json.loads(example["response"])) == {}
        query = example["url"].split("?", 1)[1].replace("{{waba_id}}", tenant.waba_id()).replace("waba_id=string", "")
        r = client.get(f"/chat/phonenumbers?{query}", headers=tenant.headers)
        assert r.status_code == int(example["status"])
        assert schemas.field_errors("public/phonenumbers.list.response", r.json()) == {}
