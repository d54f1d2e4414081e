"""/chat/templates: create + review on the manual clock, list filters and pagination, fetch by id and
by name, delete, tenant isolation, the control-plane review, and every documented example."""

import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server import schemas
from tests.conftest import examples
from tests.moments import moment
from tests.support import advance

URL = "/chat/templates"
REVIEW_SECONDS = 120
NOT_FOUND = {"status": "error", "code": 404, "message": "Invalid Template ID", "errors": {}}
INTERNAL_KEYS = {"waba_id", "review_job_id"}


def new_template(tenant, name="spring_launch", category="marketing", text="Hi {{name}}, our spring range is here.",
                 **extra):
    return {"name": name, "language": "en", "category": category, "waba_id": tenant.waba_id(),
            "components": [{"type": "BODY", "text": text, "example": {"name": "Asha"}}], **extra}


def create(client, tenant, **kwargs):
    r = client.post(URL, headers=tenant.headers, json=new_template(tenant, **kwargs))
    assert r.status_code == 201, r.text
    assert schemas.field_errors("public/template.create.response", r.json()) == {}
    return r.json()["data"]["id"]


def fetch(client, tenant, template_id):
    r = client.get(f"{URL}/{template_id}", headers=tenant.headers)
    if r.status_code == 200:
        assert schemas.field_errors("public/template.fetch.response", r.json()) == {}
    return r


def assert_invalid(r, errors=None):
    assert r.status_code == 400, r.text
    body = r.json()
    assert schemas.field_errors("public/template.invalid.response", body) == {}
    assert body["code"] == "invalid" and body["message"] == "Invalid input."
    if errors is not None:
        assert body["errors"] == errors


# --- create and review -----------------------------------------------------------------------
def test_create_answers_201_with_integer_code_and_stores_a_pending_template(client, tenant):
    r = client.post(URL, headers=tenant.headers, json=new_template(tenant, colour="ignored"))
    assert r.status_code == 201
    body = r.json()
    assert body["code"] == 201 and body["message"] == "Template created" and body["status"] == "success"
    data = fetch(client, tenant, body["data"]["id"]).json()["data"]
    assert data["waba_template_status"] == "pending" and data["status"] == "active"
    assert data["quality"] == "unknown" and data["failure_reason"] is None and data["link_tracking"] is False
    assert data["type"] == "template" and len(data["waba_template_id"]) == 16 and data["waba_template_id"].isdigit()
    assert data["created"] == data["modified"] == moment("2025-07-15T10:00:00.000000Z")
    assert data["components"] == [{"type": "BODY", "text": "Hi {{name}}, our spring range is here.",
                                   "example": {"name": "Asha"}}]
    assert not INTERNAL_KEYS & set(data)
    assert tenant.state["templates"].get(data["id"])["waba_id"] == tenant.waba_id()


def test_review_approves_after_the_review_delay(client, tenant):
    template_id = create(client, tenant)
    advance(client, REVIEW_SECONDS - 1)
    assert fetch(client, tenant, template_id).json()["data"]["waba_template_status"] == "pending"
    assert advance(client, 1)["fired"] == 1
    data = fetch(client, tenant, template_id).json()["data"]
    assert data["waba_template_status"] == "approved" and data["failure_reason"] is None
    assert data["modified"] == moment("2025-07-15T10:02:00.000000Z") and data["created"] == moment("2025-07-15T10:00:00.000000Z")
    assert "review_job_id" not in tenant.state["templates"].get(template_id)


def test_review_rejects_with_a_reason(client, tenant):
    starts = create(client, tenant, name="starts_with_var", text="{{name}} your spring range is here.")
    promo = create(client, tenant, name="shipped_promo", category="utility",
                   text="Hi {{name}}, your order shipped. Use code SAVE10 for a discount next time.")
    advance(client, REVIEW_SECONDS + 5)
    assert fetch(client, tenant, starts).json()["data"]["failure_reason"] == "INVALID_FORMAT"
    data = fetch(client, tenant, promo).json()["data"]
    assert (data["waba_template_status"], data["failure_reason"]) == ("rejected", "INCORRECT_CATEGORY")


def test_deleted_templates_pending_review_is_a_no_op(client, tenant):
    template_id = create(client, tenant)
    assert [j["payload"] for j in client.get("/_mock/clock").json()["pending"]] == [{"template_id": template_id}]
    assert client.delete(f"{URL}/{template_id}", headers=tenant.headers).status_code == 200
    assert client.get("/_mock/clock").json()["pending"] == []
    assert len(tenant.state["jobs"]) == 0
    advance(client, REVIEW_SECONDS * 2)
    assert fetch(client, tenant, template_id).status_code == 404


def test_review_fired_for_a_template_already_gone_does_nothing(client, tenant):
    template_id = create(client, tenant)
    tenant.state["templates"].delete(template_id)  # gone without cancelling its job
    assert advance(client, REVIEW_SECONDS)["fired"] == 1
    assert fetch(client, tenant, template_id).status_code == 404


def test_duplicate_name_and_language_in_a_waba(client, tenant):
    create(client, tenant, name="twice")
    r = client.post(URL, headers=tenant.headers, json=new_template(tenant, name="twice"))
    assert_invalid(r, {"name": ['A template named "twice" already exists in language "en" in this WABA.']})
    r = client.post(URL, headers=tenant.headers, json=dict(new_template(tenant, name="twice"), language="hi"))
    assert r.status_code == 201
    r = client.post(URL, headers=tenant.headers, json=new_template(tenant, name="start_chat"))  # a seeded one
    assert_invalid(r, {"name": ['A template named "start_chat" already exists in language "en" in this WABA.']})


def test_create_validation_envelope(client, tenant):
    assert_invalid(client.post(URL, headers=tenant.headers, json={}), {
        "name": ["name is required"], "language": ["language is required"], "category": ["category is required"],
        "waba_id": ["waba_id is required"], "components": ["components is required"]})
    body = new_template(tenant, name="Bad Name")
    body.update(language="xx", category="promo", waba_id="1")
    assert_invalid(client.post(URL, headers=tenant.headers, json=body), {
        "name": ["Template name can only contain lowercase letters, digits and underscores "
                 "(no spaces or special characters)."],
        "language": ['"xx" is not a valid choice.'], "category": ['"promo" is not a valid choice.'],
        "waba_id": ["Object with waba_id=1 does not exist."]})
    body = new_template(tenant)
    body["components"] = [{"type": "HEADER", "format": "TEXT"}, {"type": "BODY"}, {"type": "STICKER"}]
    assert_invalid(client.post(URL, headers=tenant.headers, json=body), {
        "components.0.text": ["text is required"], "components.1.text": ["text is required"],
        "components.2.type": ['"STICKER" is not a valid choice. Choose one of: HEADER, BODY, FOOTER, BUTTONS, '
                              'CAROUSEL.']})
    assert_invalid(client.post(URL, headers={**tenant.headers, "Content-Type": "application/json"},
                               content=b"{not json"))
    assert_invalid(client.post(URL, headers=tenant.headers, json=new_template(tenant, type="session")),
                   {"type": ['"session" is not a valid choice. Choose one of: template.']})


# --- list, fetch, delete ---------------------------------------------------------------------
def listing(client, tenant, query=""):
    r = client.get(f"{URL}?{query}", headers=tenant.headers)
    if r.status_code == 200:
        assert schemas.field_errors("public/template.list.response", r.json()) == {}
    return r


def test_list_is_newest_first_with_pagination(client, tenant):
    first = create(client, tenant, name="first_one")
    advance(client, 1)
    second = create(client, tenant, name="second_one")
    body = listing(client, tenant, "limit=4").json()
    assert body["code"] == "200" and body["message"] == "Templates"
    data = body["data"]
    assert data["count"] == 12 and [t["id"] for t in data["results"][:2]] == [second, first]
    assert data["next"] == "http://testserver/chat/templates?limit=4&offset=4" and data["previous"] is None
    created = [t["created"] for t in data["results"]]
    assert created == sorted(created, reverse=True)
    page3 = listing(client, tenant, "limit=4&offset=8").json()["data"]
    assert len(page3["results"]) == 4 and page3["next"] is None
    assert page3["previous"] == "http://testserver/chat/templates?limit=4&offset=4"
    everything = listing(client, tenant, "limit=1000").json()["data"]
    assert len(everything["results"]) == 12 and everything["next"] is None  # limit capped at 100
    for t in everything["results"]:
        assert "link_tracking" in t and not INTERNAL_KEYS & set(t)


def test_list_filters(client, tenant):
    statuses = lambda q: {t["waba_template_status"] for t in listing(client, tenant, q).json()["data"]["results"]}
    assert statuses("waba_template_status=pending,rejected&limit=100") == {"pending", "rejected"}
    names = lambda q: {t["name"] for t in listing(client, tenant, q).json()["data"]["results"]}
    assert names("waba_template_status=rejected") == {"winter_promo"}
    assert names("category=utility,authentication") == {"order_update", "auth_temp"}
    assert names("category=utility&waba_template_status=approved") == {"order_update"}
    assert len(names(f"waba_id={tenant.waba_id()}&limit=100")) == 10
    assert names("waba_id=123") == set()
    assert names("name=auth_temp") == {"auth_temp"}
    assert names("name=auth") == set()  # exact match only


def test_list_rejects_bad_query_values(client, tenant):
    assert_invalid(listing(client, tenant, "limit=abc"), {"limit": ["A valid integer is required."]})
    assert_invalid(listing(client, tenant, "offset=-1"),
                   {"offset": ["Ensure this value is greater than or equal to 0."]})
    assert_invalid(listing(client, tenant, "waba_template_status=approved,live"),
                   {"waba_template_status": ["Select a valid choice. live is not one of the available choices."]})
    assert_invalid(listing(client, tenant, "category=promotional"),
                   {"category": ["Select a valid choice. promotional is not one of the available choices."]})


def test_fetch_by_id_and_unknown_ids(client, tenant):
    seeded = tenant.template("auth_temp")
    body = fetch(client, tenant, seeded["id"]).json()
    assert body["code"] == "200" and body["message"] == "OK" and body["data"]["name"] == "auth_temp"
    for bad in (str(uuid.uuid4()), "not-a-uuid", "1001"):
        r = fetch(client, tenant, bad)
        assert r.status_code == 404 and r.json() == NOT_FOUND
        assert schemas.field_errors("public/template.not_found.response", r.json()) == {}


def test_delete_then_404(client, tenant):
    template_id = tenant.template("welcome_customer")["id"]
    r = client.delete(f"{URL}/{template_id}", headers=tenant.headers)
    assert r.status_code == 200 and r.json() == {"status": "success", "code": "200", "message": "Template Deleted",
                                                 "data": {}}
    assert schemas.field_errors("public/template.delete.response", r.json()) == {}
    assert fetch(client, tenant, template_id).json() == NOT_FOUND
    r = client.delete(f"{URL}/{template_id}", headers=tenant.headers)
    assert r.status_code == 404 and r.json() == NOT_FOUND
    assert "welcome_customer" not in {t["name"] for t in listing(client, tenant, "limit=100").json()["data"]["results"]}


def test_tenant_isolation(client, tenant, other_tenant):
    mine = tenant.template("start_chat")["id"]
    assert fetch(client, other_tenant, mine).json() == NOT_FOUND
    assert client.delete(f"{URL}/{mine}", headers=other_tenant.headers).json() == NOT_FOUND
    assert fetch(client, tenant, mine).status_code == 200
    theirs = {t["id"] for t in listing(client, other_tenant, "limit=100").json()["data"]["results"]}
    assert mine not in theirs and len(theirs) == 10
    r = client.post(URL, headers=other_tenant.headers, json=new_template(tenant))  # my WABA, their credentials
    assert_invalid(r, {"waba_id": [f"Object with waba_id={tenant.waba_id()} does not exist."]})
    mixed = {**tenant.headers, "Authorization": f"Bearer {other_tenant.api_key}"}
    assert client.get(URL, headers=mixed).status_code == 403


# --- control plane ---------------------------------------------------------------------------
def review_url(tenant, template_id):
    return f"/_mock/tenants/{tenant.company_id}/templates/{template_id}/review"


def test_force_review_decides_now_and_cancels_the_scheduled_one(client, tenant):
    template_id = create(client, tenant)
    r = client.post(review_url(tenant, template_id), json={"outcome": "rejected", "failure_reason": "SCAM"})
    assert r.status_code == 200
    assert schemas.field_errors("control/template.review.response", r.json()) == {}
    assert (r.json()["waba_template_status"], r.json()["failure_reason"]) == ("rejected", "SCAM")
    assert client.get("/_mock/clock").json()["pending"] == [] and len(tenant.state["jobs"]) == 0
    assert advance(client, REVIEW_SECONDS * 2)["fired"] == 0
    data = fetch(client, tenant, template_id).json()["data"]
    assert (data["waba_template_status"], data["failure_reason"]) == ("rejected", "SCAM")


def test_force_review_outcomes(client, tenant):
    clean = create(client, tenant, name="clean_one")
    approved = client.post(review_url(tenant, clean), json={"outcome": "approved"}).json()
    assert approved["waba_template_status"] == "approved"
    bad = create(client, tenant, name="bad_one", text="{{name}} starts with a variable.")
    decided = client.post(review_url(tenant, bad), json={}).json()  # no outcome: the rules decide
    assert (decided["waba_template_status"], decided["failure_reason"]) == ("rejected", "INVALID_FORMAT")
    other = create(client, tenant, name="other_one")
    decided = client.post(review_url(tenant, other), json={"outcome": "rejected"}).json()
    assert decided["failure_reason"] == "NONE"
    # An already decided template can be re-decided (e.g. Meta rejecting an approved one later).
    assert client.post(review_url(tenant, clean), json={"outcome": "rejected", "failure_reason": "ABUSIVE_CONTENT"}) \
        .json()["failure_reason"] == "ABUSIVE_CONTENT"


def test_force_review_errors(client, tenant, other_tenant):
    template_id = create(client, tenant)
    r = client.post(review_url(tenant, template_id), json={"outcome": "approved", "failure_reason": "X"})
    assert_invalid(r, {"failure_reason": ["Only a rejected review has a failure_reason."]})
    assert_invalid(client.post(review_url(tenant, template_id), json={"outcome": "maybe"}))
    assert_invalid(client.post(review_url(tenant, template_id), json={"verdict": "approved"}))
    assert client.post(review_url(other_tenant, template_id), json={}).status_code == 404
    assert client.post(f"/_mock/tenants/nope/templates/{template_id}/review", json={}).status_code == 404
    assert fetch(client, tenant, template_id).json()["data"]["waba_template_status"] == "pending"


# --- documented examples ---------------------------------------------------------------------
def upload_image(client, tenant, name):
    r = client.post("/chat/media/upload", headers=tenant.headers, data={"application": "template"},
                    files={"file": (name, b"\xff\xd8\xff" + b"0" * 1000, "image/jpeg")})
    return r.json()["data"]["media_id"]


def _fill_media(components, client, tenant):
    for component in components:
        if component.get("format") == "MEDIA":
            component["media_id"] = upload_image(client, tenant, "header.jpg")
        for card in component.get("cards", []):
            _fill_media(card["components"], client, tenant)


def test_create_examples_replay(client, tenant):
    saved = examples("Create Template")
    assert len(saved) == 5
    for n, example in enumerate(saved):
        documented = json.loads(example["response"])
        assert schemas.field_errors("public/template.create.response", documented) == {}
        body = json.loads(example["body"].replace("{{waba_id}}", tenant.waba_id()))
        body["name"] = f"{body['name']}_{n}"  # the examples reuse names (and crousel_template_1 is seeded)
        _fill_media(body["components"], client, tenant)
        r = client.post(URL, headers=tenant.headers, json=body)
        assert r.status_code == example["status"], (example["example"], r.text)
        assert schemas.field_errors("public/template.create.response", r.json()) == {}
        envelope = {k: v for k, v in r.json().items() if k != "data"}
        assert envelope == {k: v for k, v in documented.items() if k != "data"}
        stored = fetch(client, tenant, r.json()["data"]["id"]).json()["data"]
        assert stored["category"] == body["category"] and stored["name"] == body["name"]
    advance(client, REVIEW_SECONDS)
    results = listing(client, tenant, "waba_template_status=approved&limit=100").json()["data"]["results"]
    assert {f"{json.loads(e['body'])['name']}_{n}" for n, e in enumerate(saved)} <= {t["name"] for t in results}


def test_create_example_names_clash_as_documented(client, tenant):
    """Replayed verbatim, the second 'vipan_sales_2' and the seeded 'crousel_template_1' are duplicates."""
    by_name = {e["example"]: json.loads(e["body"].replace("{{waba_id}}", tenant.waba_id()))
               for e in examples("Create Template")}
    first = by_name["Dynamic URL & Body"]
    assert client.post(URL, headers=tenant.headers, json=first).status_code == 201
    second = by_name["Media Header, Body &  Button"]
    _fill_media(second["components"], client, tenant)
    assert_invalid(client.post(URL, headers=tenant.headers, json=second),
                   {"name": ['A template named "vipan_sales_2" already exists in language "en" in this WABA.']})


def test_list_example_replays(client, tenant):
    (example,) = examples("List Templates")
    assert schemas.field_errors("public/template.list.response", json.loads(example["response"])) == {}
    query = example["url"].split("?", 1)[1].replace("{{waba_id}}", tenant.waba_id())
    r = listing(client, tenant, query)
    assert r.status_code == example["status"]
    results = r.json()["data"]["results"]
    assert results and all(t["category"] == "marketing" and t["waba_template_status"] == "approved" for t in results)
    assert set(results[0]) - {"link_tracking"} == set(json.loads(example["response"])["data"]["results"][0])


def test_fetch_by_name_example_replays(client, tenant):
    (example,) = examples("Fetch Template By Name")
    documented = json.loads(example["response"])
    assert schemas.field_errors("public/template.list.response", documented) == {}
    name = documented["data"]["results"][0]["name"]  # testing_template_36784
    create(client, tenant, name=name)
    r = listing(client, tenant, f"name={name}")
    assert r.status_code == example["status"]
    data = r.json()["data"]
    assert (data["count"], data["next"], data["previous"]) == (1, None, None)
    assert set(data["results"][0]) == set(documented["data"]["results"][0])


def test_fetch_and_delete_examples_replay(client, tenant):
    for request in ("Fetch Template By ID", "Delete Template By ID"):
        for example in examples(request):
            documented = json.loads(example["response"])
            ok = example["status"] == 200
            name = ("public/template.fetch.response" if request.startswith("Fetch") else
                    "public/template.delete.response") if ok else "public/template.not_found.response"
            assert schemas.field_errors(name, documented) == {}
            template_id = tenant.template("media_offer")["id"] if ok else str(uuid.uuid4())
            r = client.request(example["method"], f"{URL}/{template_id}", headers=tenant.headers)
            assert r.status_code == example["status"], (request, example["example"])
            assert schemas.field_errors(name, r.json()) == {}
            assert set(r.json()) == set(documented)
            if ok:
                assert set(r.json()["data"]) == set(documented["data"])
            else:
                assert r.json() == documented


# --- property: bad input never yields a 5xx ---------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20)
component_types = st.sampled_from(["HEADER", "BODY", "FOOTER", "BUTTONS", "CAROUSEL", "OTHER"])
components = st.lists(st.fixed_dictionaries(
    {"type": component_types},
    optional={"format": st.sampled_from(["TEXT", "MEDIA", "IMAGE"]) | json_values,
              "text": st.text(max_size=80) | json_values, "media_id": st.text(max_size=10),
              "example": st.dictionaries(st.text(max_size=5), st.text(max_size=5)) | json_values,
              "buttons": st.lists(st.fixed_dictionaries({"type": st.sampled_from(["URL", "OTP", "QUICK_REPLY"])},
                                                        optional={"text": json_values, "url": json_values}),
                                  max_size=3) | json_values,
              "cards": json_values, "code_expiration_minutes": json_values}), max_size=4)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values)
def test_random_json_bodies_get_the_drf_envelope(client, tenant, body):
    r = client.post(URL, headers={**tenant.headers, "Content-Type": "application/json"}, content=json.dumps(body))
    assert r.status_code == 400, r.text
    assert schemas.field_errors("public/template.invalid.response", r.json()) == {}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=12) | json_values, language=st.sampled_from(["en", "hi", "xx"]) | json_values,
       category=st.sampled_from(["marketing", "utility", "authentication"]) | json_values,
       waba=st.sampled_from(["primary", "unknown"]), components=components | json_values)
def test_template_shaped_bodies_never_give_a_5xx(client, tenant, name, language, category, waba, components):
    body = {"name": name, "language": language, "category": category, "components": components,
            "waba_id": tenant.waba_id() if waba == "primary" else "42"}
    r = client.post(URL, headers={**tenant.headers, "Content-Type": "application/json"}, content=json.dumps(body))
    assert r.status_code in (201, 400), r.text
    if r.status_code == 400:
        assert schemas.field_errors("public/template.invalid.response", r.json()) == {}
    else:
        assert schemas.field_errors("public/template.create.response", r.json()) == {}
