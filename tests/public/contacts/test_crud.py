"""Create, list, fetch, update (by id and by phone) and delete contacts."""

from __future__ import annotations

import pytest

from tests.public.contacts.support import advance, create, fresh_phone, valid

FIXED_KEYS = ["id", "company_id", "name", "country_code", "phone_number", "email_id", "marketing_opt_in"]
INVALID_ID = {"status": "error", "code": "404", "message": "Invalid Contact ID", "errors": {}}
PHONE_NOT_FOUND = {"status": "error", "code": "not_found", "message": "Not found.",
                   "errors": {"detail": "Contact not found for given identifier."}}
PHONE_LOCKED = {"status": "error", "code": "invalid", "message": "Invalid input.",
                "errors": {"detail": "Phone Number cannot be updated."}}


def validation_error(errors: dict) -> dict:
    return {"status": "error", "code": "400", "message": "Validation Error", "errors": errors}


def fixture_contact(tenant, with_custom_fields: bool = True) -> dict:
    return next(c for c in tenant.state["contacts"] if bool(c["custom_fields"]) == with_custom_fields)


def wire(doc: dict, custom: str = "none") -> dict:
    """A stored contact as the documented examples show it (independent of the renderer)."""
    out = {k: doc[k] for k in FIXED_KEYS}
    if custom == "before_status":
        out["custom_fields"] = doc["custom_fields"]
    out["status"] = doc["status"]
    if custom == "after_status":
        out["custom_fields"] = doc["custom_fields"]
    out.update(created=doc["created"], modified=doc["modified"])
    return out


# --- create -------------------------------------------------------------------------------------
def test_create_answers_the_documented_body_and_stores_the_contact(client, tenant):
    phone = fresh_phone()
    r = client.post("/contacts", headers=tenant.headers, json={
        "name": "John Doe", "country_code": "+91", "phone_number": phone, "email_id": "john@example.com",
        "marketing_opt_in": True})
    assert r.status_code == 200
    body = r.json()
    valid("public/contact.response", body)
    data = body["data"]
    assert data["id"][:8] == "68762" "6a0"  # an ObjectId minted at the clock's 2025-07-15T10:00:00Z
    assert body == {"status": "success", "code": "200", "message": "Contact Created", "data": {
        "id": data["id"], "company_id": tenant.company_id, "name": "John Doe", "country_code": "91",
        "phone_number": phone, "email_id": "john@example.com", "marketing_opt_in": True, "status": "active",
        "created": "2025-07-15T10:00:00.000000Z", "modified": "2025-07-15T10:00:00.000000Z"}}
    stored = tenant.state["contacts"].get(data["id"])
    assert stored["source"] == "public_api" and stored["custom_fields"] == {} and stored["country_code"] == "91"


def test_create_defaults_email_and_opt_in(client, tenant):
    data = create(client, tenant, name="  Padded Name  ")
    assert data["email_id"] is None and data["marketing_opt_in"] is False and data["name"] == "Padded Name"


def test_create_with_custom_fields_echoes_them_without_status_as_documented(client, tenant):
    custom = {"company_name": "VoiceTree Technologies Pvt Ltd", "address": "New Delhi, 110006, India",
              "secondary_number": "9815516123", "gender": "male", "multi_select": ["python", "php", "mysql"],
              "date": "2023-01-01", "date_time": "2023-01-01T20:11:11Z", "switch": True,
              "number": "1234567890", "dob": "1992-04-06", "appointment_time": "2025-02-02 20:11:11",
              "local_user": False, "age": 31.5}
    r = client.post("/contacts", headers=tenant.headers, json={
        "name": "John Doe", "country_code": "91", "phone_number": fresh_phone(), "custom_fields": custom})
    assert r.status_code == 200
    valid("public/contact.response", r.json())
    data = r.json()["data"]
    assert list(data) == [*FIXED_KEYS, "custom_fields", "created", "modified"]
    assert data["custom_fields"] == custom
    fetched = client.get(f"/contacts/{data['id']}?include=custom_fields", headers=tenant.headers).json()["data"]
    assert fetched["custom_fields"] == custom and fetched["status"] == "active"


@pytest.mark.parametrize("country_code, phone, ok", [
    ("91", "98765", False), ("91", "9815516", False), ("91", "987654321", False), ("91", "98765432101", False),
    ("91", "9876543210", True), ("1", "5551234", True), ("1", "555123", False), ("44", "123456789012345", True),
    ("44", "1234567890123456", False), ("+44", "7700900123", True),
])
def test_phone_number_length(client, tenant, country_code, phone, ok):
    r = client.post("/contacts", headers=tenant.headers,
                    json={"name": "Len", "country_code": country_code, "phone_number": phone})
    if ok:
        assert r.status_code == 200 and r.json()["data"]["country_code"] == country_code.lstrip("+")
    else:
        assert r.status_code == 400
        assert r.json() == validation_error({"phone_number": ["Phone Number's length should be in the range of [7,15]."]})


@pytest.mark.parametrize("body, errors", [
    ({}, {"name": ["name is required"], "country_code": ["country_code is required"],
          "phone_number": ["phone_number is required"]}),
    ({"name": "A", "country_code": "91", "phone_number": "98765abcde"},
     {"phone_number": ["Phone Number should contain digits only."]}),
    ({"name": "A", "country_code": "91", "phone_number": "98723****"},
     {"phone_number": ["Phone Number should contain digits only."]}),
    ({"name": "A", "country_code": "abc", "phone_number": "9876543210"},
     {"country_code": ["Enter a valid country code (1 to 4 digits, e.g. \"91\" or \"+91\")."]}),
    ({"name": " ", "country_code": "91", "phone_number": "9876543210"}, {"name": ["This field may not be blank."]}),
    ({"name": "A", "country_code": "91", "phone_number": "9876543210", "email_id": "not-an-email"},
     {"email_id": ["Enter a valid email address."]}),
    ({"name": "A", "country_code": "91", "phone_number": "9876543210", "marketing_opt_in": "yes"},
     {"marketing_opt_in": ["marketing_opt_in must be of type boolean."]}),
    ({"name": "A", "country_code": "91", "phone_number": "9876543210", "custom_fields": ["x"]},
     {"custom_fields": ["custom_fields must be of type object."]}),
])
def test_create_validation_errors(client, tenant, body, errors):
    r = client.post("/contacts", headers=tenant.headers, json=body)
    assert r.status_code == 400 and r.json() == validation_error(errors)
    valid("public/contact.error.response", r.json())


@pytest.mark.parametrize("field_id, good, bad, message", [
    ("text", "Acme", 12, "Not a valid string."),
    ("text_area", "Line one, line two", ["x"], "Not a valid string."),
    ("number", "1234567890", "12a", "A valid number is required."),
    ("age", 42, True, "A valid number is required."),
    ("gender", "female", "alien", "\"alien\" is not a valid choice. Choose one of: male, female, other."),
    ("skills", ["python", "golang"], ["python", "cobol"],
     "\"cobol\" is not a valid choice. Choose one of: python, php, mysql, golang."),
    ("skills", [], "python", "Expected a list of items but got type \"str\"."),
    ("dob", "1992-04-06", "06-04-1992", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ("dob", "2024-02-29", "2023-02-29", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ("appointment_time", "2025-02-02 20:11:11", "2025-02-02",
     "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DD HH:MM:SS, "
     "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."),
    ("date_time", "2023-01-01T20:11:11Z", "2023-01-01T25:11:11Z",
     "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DD HH:MM:SS, "
     "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."),
    ("local_user", False, "false", "Must be a valid boolean."),
])
def test_custom_field_values_are_checked_by_type(client, tenant, field_id, good, bad, message):
    data = create(client, tenant, custom_fields={field_id: good})
    assert data["custom_fields"] == {field_id: good}
    r = client.post("/contacts", headers=tenant.headers, json={
        "name": "A", "country_code": "91", "phone_number": fresh_phone(), "custom_fields": {field_id: bad}})
    assert r.status_code == 400 and r.json() == validation_error({f"custom_fields.{field_id}": [message]})


def test_unknown_custom_field_is_rejected_on_its_key(client, tenant):
    r = client.post("/contacts", headers=tenant.headers, json={
        "name": "A", "country_code": "91", "phone_number": fresh_phone(), "custom_fields": {"shoe_size": "9"}})
    assert r.status_code == 400
    assert r.json() == validation_error({"custom_fields.shoe_size": [
        "Unknown custom field ID \"shoe_size\". Use the ID column of Contacts -> Custom Fields."]})


def test_malformed_json_and_non_objects_are_validation_errors(client, tenant):
    r = client.post("/contacts", headers={**tenant.headers, "content-type": "application/json"}, content=b"{oops")
    assert r.status_code == 400 and r.json()["message"] == "Validation Error"
    assert r.json()["errors"]["non_field_errors"][0].startswith("JSON parse error")
    r = client.post("/contacts", headers=tenant.headers, json=[1, 2])
    assert r.json() == validation_error({"non_field_errors": ["Invalid data. Expected a JSON object."]})


def test_duplicate_phone_in_the_same_company_is_rejected(client, tenant, other_tenant):
    phone = fresh_phone()
    create(client, tenant, phone_number=phone)
    r = client.post("/contacts", headers=tenant.headers,
                    json={"name": "Again", "country_code": "+91", "phone_number": phone})
    assert r.status_code == 400
    assert r.json() == validation_error({"phone_number": ["Contact with this phone number already exists."]})
    existing = fixture_contact(tenant)
    r = client.post("/contacts", headers=tenant.headers, json={
        "name": "Dup", "country_code": existing["country_code"], "phone_number": existing["phone_number"]})
    assert r.status_code == 400
    # Another country code, or another company, may hold the same digits.
    create(client, tenant, country_code="44", phone_number=phone)
    create(client, other_tenant, phone_number=phone)


# --- list ---------------------------------------------------------------------------------------
def test_list_is_newest_first_with_the_documented_default_limit(client, tenant):
    r = client.get("/contacts", headers=tenant.headers)
    body = r.json()
    assert r.status_code == 200 and body["message"] == "Data" and body["code"] == "200"
    valid("public/contact.list.response", body)
    ordered = sorted(tenant.state["contacts"], key=lambda c: (c["created"], c["id"]), reverse=True)
    assert body["data"]["count"] == len(ordered) == 24
    assert body["data"]["results"] == [wire(c) for c in ordered[:10]]
    assert body["data"]["next"] == "http://testserver/contacts?limit=10&offset=10"
    assert body["data"]["previous"] is None
    newest = create(client, tenant)
    assert client.get("/contacts?limit=1", headers=tenant.headers).json()["data"]["results"][0]["id"] == newest["id"]


def test_list_offset_and_include_custom_fields(client, tenant):
    ordered = sorted(tenant.state["contacts"], key=lambda c: (c["created"], c["id"]), reverse=True)
    r = client.get("/contacts?include=custom_fields&limit=5&offset=5", headers=tenant.headers)
    data = r.json()["data"]
    valid("public/contact.list.response", r.json())
    assert data["results"] == [wire(c, "after_status") for c in ordered[5:10]]
    assert list(data["results"][0]) == [*FIXED_KEYS, "status", "custom_fields", "created", "modified"]
    assert data["next"] == "http://testserver/contacts?include=custom_fields&limit=5&offset=10"
    assert data["previous"] == "http://testserver/contacts?include=custom_fields&limit=5"


def test_list_limit_is_capped_at_100(client, tenant):
    for _ in range(80):
        create(client, tenant)
    data = client.get("/contacts?limit=500", headers=tenant.headers).json()["data"]
    assert data["count"] == 104 and len(data["results"]) == 100
    assert data["next"] == "http://testserver/contacts?limit=100&offset=100"


@pytest.mark.parametrize("query, field", [("limit=abc", "limit"), ("limit=0", "limit"), ("offset=-1", "offset"),
                                          ("include=owner", "include")])
def test_list_rejects_bad_query_parameters(client, tenant, query, field):
    r = client.get(f"/contacts?{query}", headers=tenant.headers)
    assert r.status_code == 400 and r.json()["message"] == "Validation Error" and field in r.json()["errors"]


def test_filter_by_phone_number_with_or_without_country_code(client, tenant):
    target = fixture_contact(tenant)
    for query in (f"country_code=91&phone_number=91{target['phone_number']}",
                  f"country_code=91&phone_number={target['phone_number']}",
                  f"country_code=%2B91&phone_number={target['phone_number']}",
                  f"phone_number=91{target['phone_number']}"):
        r = client.get(f"/contacts?{query}", headers=tenant.headers)
        assert r.json()["data"] == {"count": 1, "next": None, "previous": None, "results": [wire(target)]}, query
    assert client.get(f"/contacts?country_code=44&phone_number={target['phone_number']}",
                      headers=tenant.headers).json()["data"]["count"] == 0
    assert client.get("/contacts?country_code=91", headers=tenant.headers).json()["data"]["count"] == 24


# --- fetch --------------------------------------------------------------------------------------
def test_fetch_by_id_with_and_without_custom_fields(client, tenant):
    target = fixture_contact(tenant)
    r = client.get(f"/contacts/{target['id']}", headers=tenant.headers)
    assert r.status_code == 200
    assert r.json() == {"status": "success", "code": "200", "message": "Contact Fetched", "data": wire(target)}
    r = client.get(f"/contacts/{target['id']}?include=custom_fields", headers=tenant.headers)
    assert r.json()["data"] == wire(target, "before_status")
    assert list(r.json()["data"]) == [*FIXED_KEYS, "custom_fields", "status", "created", "modified"]
    valid("public/contact.response", r.json())


@pytest.mark.parametrize("contact_id", ["67a1f59b1e0abbf2e03aa40b", "not-an-id", "919876543210"])
def test_fetch_unknown_id_is_the_documented_404(client, tenant, contact_id):
    r = client.get(f"/contacts/{contact_id}", headers=tenant.headers)
    assert r.status_code == 404 and r.json() == INVALID_ID
    valid("public/contact.error.response", r.json())


# --- update -------------------------------------------------------------------------------------
def test_update_by_id_changes_only_given_fields_and_merges_custom_fields(client, tenant):
    target = fixture_contact(tenant)
    before = dict(target)
    advance(client, 90)
    r = client.patch(f"/contacts/{target['id']}", headers=tenant.headers, json={
        "name": "Kuldeep Kumar Malhotra", "email_id": "kuldeep@example.com",
        "custom_fields": {"text": "VoiceTree Technologies Pvt Ltd", "secondary_number": "9815516123",
                          "customer_type": None}})
    assert r.status_code == 200
    valid("public/contact.response", r.json())
    expected_custom = {k: v for k, v in before["custom_fields"].items() if k != "customer_type"}
    expected_custom.update(text="VoiceTree Technologies Pvt Ltd", secondary_number="9815516123")
    after = {**before, "name": "Kuldeep Kumar Malhotra", "email_id": "kuldeep@example.com",
             "custom_fields": expected_custom, "modified": "2025-07-15T10:01:30.000000Z"}
    assert r.json() == {"status": "success", "code": "200", "message": "Contact Updated",
                        "data": wire(after, "before_status")}
    assert tenant.state["contacts"].get(target["id"]) == after


def test_update_by_id_shows_custom_fields_only_when_sent_or_included(client, tenant):
    target = fixture_contact(tenant)
    r = client.patch(f"/contacts/{target['id']}", headers=tenant.headers, json={"marketing_opt_in": False})
    assert r.status_code == 200 and "custom_fields" not in r.json()["data"]
    assert r.json()["data"]["marketing_opt_in"] is False
    r = client.patch(f"/contacts/{target['id']}?include=custom_fields", headers=tenant.headers, json={})
    assert r.json()["data"]["custom_fields"] == target["custom_fields"]


def test_update_by_phone_number_follows_its_example(client, tenant):
    target = fixture_contact(tenant)
    identifier = f"91{target['phone_number']}"
    r = client.patch(f"/contacts/{identifier}", headers=tenant.headers, json={
        "name": "John Doe", "email_id": "john@example.com", "custom_fields": {"text_area": "New Delhi, 110006"}})
    assert r.status_code == 200
    updated = tenant.state["contacts"].get(target["id"])
    assert updated["custom_fields"]["text_area"] == "New Delhi, 110006"
    assert updated["custom_fields"]["gender"] == target["custom_fields"]["gender"]
    # The by-phone example answers without custom_fields even though the request sent some.
    assert r.json() == {"status": "success", "code": "200", "message": "Contact Updated", "data": wire(updated)}
    r = client.patch(f"/contacts/{identifier}?include=custom_fields", headers=tenant.headers,
                     json={"marketing_opt_in": True})
    assert r.json()["data"]["custom_fields"] == updated["custom_fields"]
    assert client.patch(f"/contacts/+{identifier}", headers=tenant.headers, json={}).status_code == 200


@pytest.mark.parametrize("body", [{"country_code": "91", "phone_number": "7737237437"}, {"country_code": "44"},
                                  {"phone_number": "abc"}])
def test_changing_the_phone_number_is_refused(client, tenant, body):
    target = fixture_contact(tenant)
    for identifier in (target["id"], f"91{target['phone_number']}"):
        r = client.patch(f"/contacts/{identifier}", headers=tenant.headers, json=body)
        assert r.status_code == 400 and r.json() == PHONE_LOCKED
        valid("public/contact.error.response", r.json())
    assert tenant.state["contacts"].get(target["id"]) == target


def test_resending_the_same_phone_number_is_allowed(client, tenant):
    target = fixture_contact(tenant)
    r = client.patch(f"/contacts/{target['id']}", headers=tenant.headers,
                     json={"country_code": "+91", "phone_number": target["phone_number"], "name": "Same Phone"})
    assert r.status_code == 200 and r.json()["data"]["name"] == "Same Phone"


def test_update_unknown_contact(client, tenant):
    r = client.patch("/contacts/67a1f59b1e0abbf2e03aa40b", headers=tenant.headers, json={"name": "X"})
    assert r.status_code == 404 and r.json() == INVALID_ID
    for identifier in ("919999999999", "12345", "someone"):
        r = client.patch(f"/contacts/{identifier}", headers=tenant.headers, json={"name": "X"})
        assert r.status_code == 404 and r.json() == PHONE_NOT_FOUND
        valid("public/contact.error.response", r.json())


def test_update_validates_fields(client, tenant):
    target = fixture_contact(tenant)
    r = client.patch(f"/contacts/{target['id']}", headers=tenant.headers,
                     json={"email_id": "bad@", "custom_fields": {"age": "old"}, "name": ""})
    assert r.status_code == 400
    assert r.json() == validation_error({"name": ["This field may not be blank."]})
    r = client.patch(f"/contacts/{target['id']}", headers=tenant.headers,
                     json={"email_id": "bad@", "custom_fields": {"age": "old"}})
    assert r.json() == validation_error({"email_id": ["Enter a valid email address."],
                                         "custom_fields.age": ["A valid number is required."]})
    assert tenant.state["contacts"].get(target["id"]) == target


# --- delete -------------------------------------------------------------------------------------
def test_delete_then_the_contact_is_gone(client, tenant):
    target = fixture_contact(tenant)
    r = client.delete(f"/contacts/{target['id']}", headers=tenant.headers)
    assert r.status_code == 200
    assert r.json() == {"status": "success", "code": "200", "message": "Contact Deleted", "data": {}}
    valid("public/contact.delete.response", r.json())
    assert tenant.state["contacts"].get(target["id"]) is None
    assert client.get(f"/contacts/{target['id']}", headers=tenant.headers).json() == INVALID_ID
    r = client.delete(f"/contacts/{target['id']}", headers=tenant.headers)
    assert r.status_code == 404 and r.json() == INVALID_ID
    # Its number is free again.
    create(client, tenant, phone_number=target["phone_number"])


# --- tenants and auth ---------------------------------------------------------------------------
def test_another_company_cannot_see_or_change_a_contact(client, tenant, other_tenant):
    target = fixture_contact(tenant)
    mine = create(client, tenant)
    for doc in (target, mine):
        path = f"/contacts/{doc['id']}"
        assert client.get(path, headers=other_tenant.headers).json() == INVALID_ID
        r = client.patch(path, headers=other_tenant.headers, json={"name": "Hijack"})
        assert r.status_code == 404 and r.json() == INVALID_ID
        r = client.delete(path, headers=other_tenant.headers)
        assert r.status_code == 404 and r.json() == INVALID_ID
        r = client.patch(f"/contacts/{doc['country_code']}{doc['phone_number']}", headers=other_tenant.headers,
                         json={"name": "Hijack"})
        assert r.status_code == 404 and r.json() == PHONE_NOT_FOUND
    listed = client.get("/contacts?limit=100", headers=other_tenant.headers).json()["data"]["results"]
    assert not {target["id"], mine["id"]} & {c["id"] for c in listed}
    assert {c["company_id"] for c in listed} == {other_tenant.company_id}
    found = client.post("/contacts?limit=100", headers=other_tenant.headers, json={}).json()["data"]["results"]
    assert not {target["id"], mine["id"]} & {c["id"] for c in found}
    assert tenant.state["contacts"].get(target["id"]) == target


def test_requests_without_valid_credentials_are_403(client, tenant, other_tenant):
    bad = {"Authorization": f"Bearer {other_tenant.api_key}", "X-MYOP-COMPANY-ID": tenant.company_id}
    for method, path in (("GET", "/contacts"), ("POST", "/contacts"), ("GET", "/contacts/x"),
                         ("PATCH", "/contacts/x"), ("DELETE", "/contacts/x")):
        r = client.request(method, path, headers=bad, json={})
        assert r.status_code == 403 and r.json()["code"] == "403", (method, path)
        valid("public/contact.error.response", r.json())
