"""GET /chat/campaigns and GET /chat/campaign(s)/{id}: filters, shapes, the sending-number header,
isolation, and every saved example."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from mock_server import schemas
from tests.conftest import examples

LIST = "public/campaign.list.response"
DETAIL = "public/campaign.detail.response"
NOT_FOUND = "public/campaign.not_found.response"


def headers(tenant, role="primary"):
    return dict(tenant.headers, **{"X-WABA-PHONENUMBER-ID": tenant.phone(role)["phone_number_id"]})


def listing(client, tenant, query="", status=200, **kw):
    r = client.get(f"/chat/campaigns{query}", headers=kw.get("hdrs") or headers(tenant))
    assert r.status_code == status, r.json()
    assert schemas.field_errors(LIST if status == 200 else "public/error.response", r.json()) == {}
    return r.json()


def names(body):
    return [c["name"] for c in body["data"]["results"]]


def fetch(client, tenant, campaign_id, path="campaign", hdrs=None):
    r = client.get(f"/chat/{path}/{campaign_id}", headers=hdrs or headers(tenant))
    schema = {200: DETAIL, 404: NOT_FOUND}.get(r.status_code, "public/error.response")
    assert schemas.field_errors(schema, r.json()) == {}, r.json()
    return r


# --- list ------------------------------------------------------------------------------------
def test_lists_the_numbers_campaigns_newest_first(client, tenant):
    body = listing(client, tenant)
    assert (body["status"], body["code"], body["message"]) == ("success", "200", "OK")
    assert body["data"]["count"] == 4 and body["data"]["next"] is None and body["data"]["previous"] is None
    assert names(body) == ["diwali_preview", "order_followup", "welcome_wave", "june_18_sale"]


def test_list_item_shape_and_stats_keys(client, tenant):
    items = {c["name"]: c for c in listing(client, tenant)["data"]["results"]}
    completed = items["june_18_sale"]
    assert list(completed) == ["id", "scheduled_at", "created_by", "variables_mapping", "template", "audience", "status",
                               "name", "created_at", "modified_at", "scheduled_type", "stats"]
    assert set(completed["stats"]) == {"count", "sent", "delivered", "read", "failed", "reply", "started_at",
                                       "finished_at", "billable_count", "modified_at"}
    doc = tenant.state["campaigns"].get(1001)
    assert completed["stats"]["count"] == doc["stats"]["total"] and completed["stats"]["reply"] == doc["stats"]["replied"]
    assert completed["stats"]["billable_count"] == doc["stats"]["billable"]
    template = tenant.template("sale_announcement")
    assert completed["template"] == {"template_id": template["id"], "name": "sale_announcement", "category": "marketing",
                                     "template_body": template["components"]}
    assert set(completed["audience"]) == {"file_url", "file_headers", "count", "file_size", "filename"}
    assert items["diwali_preview"]["stats"] is None


@pytest.mark.parametrize("query, expected", [
    ("?search=JUNE_18", ["june_18_sale"]),
    ("?search=w", ["diwali_preview", "order_followup", "welcome_wave"]),
    ("?search=nothing", []),
    ("?status=completed", ["welcome_wave", "june_18_sale"]),
    ("?status=completed,failed", ["order_followup", "welcome_wave", "june_18_sale"]),
    ("?status=scheduled&status=failed", ["diwali_preview", "order_followup"]),
    ("?status=draft", []),
    ("?ordering=created", ["june_18_sale", "welcome_wave", "order_followup", "diwali_preview"]),
    ("?ordering=name", ["diwali_preview", "june_18_sale", "order_followup", "welcome_wave"]),
    ("?ordering=-name", ["welcome_wave", "order_followup", "june_18_sale", "diwali_preview"]),
    ("?ordering=-scheduled_at", ["diwali_preview", "order_followup", "welcome_wave", "june_18_sale"]),
    ("?ordering=scheduled_at", ["june_18_sale", "welcome_wave", "order_followup", "diwali_preview"]),
    ("?created_at_after=2025-07-05T08:00:00Z", ["diwali_preview", "order_followup", "welcome_wave"]),  # inclusive
    ("?created_at_before=2025-07-05T08:00:00Z", ["welcome_wave", "june_18_sale"]),
    ("?created_at_after=2025-07-01&created_at_before=2025-07-12T00:00:00%2B05:30", ["order_followup", "welcome_wave"]),
    ("?search=june&status=completed&ordering=-created&created_at_after=2025-06-25T07:00:00Z"
     "&created_at_before=2025-06-25T09:00:00Z&limit=10&offset=0", ["june_18_sale"]),
])
def test_filters_and_ordering(client, tenant, query, expected):
    assert names(listing(client, tenant, query)) == expected


def test_pagination(client, tenant):
    body = listing(client, tenant, "?limit=3")
    assert body["data"]["count"] == 4 and len(body["data"]["results"]) == 3
    assert body["data"]["next"].endswith("/chat/campaigns?limit=3&offset=3")
    second = client.get(body["data"]["next"], headers=headers(tenant)).json()["data"]
    assert names({"data": second}) == ["june_18_sale"] and second["previous"].endswith("/chat/campaigns?limit=3")
    assert len(listing(client, tenant, "?limit=1000")["data"]["results"]) == 4  # capped at 100, not refused


@pytest.mark.parametrize("query, field", [
    ("?ordering=bogus", "ordering"), ("?ordering=created,-id", "ordering"), ("?ordering=--name", "ordering"),
    ("?created_at_after=yesterday", "created_at_after"), ("?created_at_before=2025-13-01", "created_at_before"),
    ("?limit=abc", "limit"), ("?limit=0", "limit"), ("?offset=-1", "offset"),
])
def test_bad_query_parameters_are_400(client, tenant, query, field):
    body = listing(client, tenant, query, status=400)
    assert (body["code"], body["message"]) == ("invalid", "Invalid input.")
    assert field in body["errors"]


def test_only_the_header_numbers_campaigns_are_listed(client, tenant):
    assert listing(client, tenant, hdrs=headers(tenant, "disabled"))["data"]["count"] == 0
    moved = dict(tenant.state["campaigns"].get(1002), phone_number_id=tenant.phone("disabled")["phone_number_id"])
    tenant.state["campaigns"].put(moved)
    assert names(listing(client, tenant, hdrs=headers(tenant, "disabled"))) == ["welcome_wave"]
    assert "welcome_wave" not in names(listing(client, tenant))
    assert fetch(client, tenant, 1002).status_code == 404
    assert fetch(client, tenant, 1002, hdrs=headers(tenant, "disabled")).status_code == 200


@pytest.mark.parametrize("value, detail", [
    (None, "X-WABA-PHONENUMBER-ID header is required."),
    ("", "X-WABA-PHONENUMBER-ID header is required."),
    ("123456789012345", "X-WABA-PHONENUMBER-ID is not a phone number of this company."),
])
def test_the_sending_number_header_is_required(client, tenant, value, detail):
    hdrs = dict(tenant.headers)
    if value is not None:
        hdrs["X-WABA-PHONENUMBER-ID"] = value
    for path in ("/chat/campaigns", "/chat/campaign/1001", "/chat/campaigns/1001"):
        r = client.get(path, headers=hdrs)
        assert r.status_code == 403
        assert r.json() == {"status": "error", "code": "403", "message": "Forbidden", "errors": {"detail": detail}}


def test_authentication_comes_first(client, tenant):
    r = client.get("/chat/campaigns", headers={"X-WABA-PHONENUMBER-ID": tenant.phone("primary")["phone_number_id"]})
    assert r.status_code == 401 and r.json() == {"message": "Unauthorized"}


# --- detail ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["campaign", "campaigns"])
def test_both_documented_paths_fetch_the_same_campaign(client, tenant, path):
    r = fetch(client, tenant, 1001, path=path)
    assert r.status_code == 200 and r.json()["data"]["id"] == 1001


def test_completed_detail(client, tenant):
    body = fetch(client, tenant, 1001).json()
    assert (body["status"], body["code"], body["message"]) == ("success", "200", "OK")
    data = body["data"]
    doc = tenant.state["campaigns"].get(1001)
    assert data["status"] == "completed" and "failure_reason" not in data
    assert data["stats"] == {k: doc["stats"][k] for k in ("total", "sent", "delivered", "replied", "failed", "read", "billable")}
    assert data["link_stats"] == doc["link_stats"]
    assert data["audience"] == {k: doc["audience"][k] for k in ("count", "file_url", "filename")}
    template = tenant.template("sale_announcement")
    assert data["template"] == {"template_id": template["id"], "template_body": template["components"]}
    assert data["variables_mapping"] == doc["variables_mapping"]


def test_failed_and_scheduled_detail(client, tenant):
    failed = fetch(client, tenant, 1003).json()["data"]
    assert failed["status"] == "failed" and failed["failure_reason"] == "daily_limit_reached"
    assert failed["stats"]["total"] == 0 and "link_stats" not in failed
    scheduled = fetch(client, tenant, 1004).json()["data"]
    assert scheduled["status"] == "scheduled"
    assert not {"stats", "link_stats", "failure_reason"} & set(scheduled)


def test_a_deleted_template_renders_as_an_empty_object(client, tenant):
    tenant.state["templates"].delete(tenant.template("order_update")["id"])
    assert fetch(client, tenant, 1003).json()["data"]["template"] == {}
    item = next(c for c in listing(client, tenant)["data"]["results"] if c["id"] == 1003)
    assert item["template"] == {}


@pytest.mark.parametrize("campaign_id", ["9359", "abc", "0", "1001.0", "99999999999999999999999", "%E0%A5%A7"])
def test_unknown_campaign_is_404(client, tenant, campaign_id):
    r = fetch(client, tenant, campaign_id)
    assert r.status_code == 404
    body = r.json()
    assert (body["code"], body["message"]) == ("not_found", "Not found.")
    assert body["errors"]["campaign_id"].endswith(" does not exist!")
    if campaign_id == "9359":
        assert body == {"status": "error", "code": "not_found", "message": "Not found.",
                        "errors": {"campaign_id": "Campaign 9359 does not exist!"}}


def test_leading_zeros_name_the_same_campaign(client, tenant):
    assert fetch(client, tenant, "01001").json()["data"]["id"] == 1001


# --- isolation -------------------------------------------------------------------------------
def test_other_tenant_cannot_see_this_tenants_campaigns(client, tenant, other_tenant):
    extra = dict(tenant.state["campaigns"].get(1001), id=1005, name="only_mine")
    tenant.state["campaigns"].put(extra)
    assert fetch(client, tenant, 1005).status_code == 200
    assert fetch(client, other_tenant, 1005).status_code == 404
    assert "only_mine" not in names(listing(client, other_tenant, "?limit=100"))
    # this tenant's number in the other tenant's request is not theirs
    r = client.get("/chat/campaigns", headers=dict(other_tenant.headers, **{
        "X-WABA-PHONENUMBER-ID": tenant.phone("primary")["phone_number_id"]}))
    assert r.status_code == 403
    theirs = fetch(client, other_tenant, 1001).json()["data"]
    assert theirs["template"]["template_id"] == other_tenant.template("sale_announcement")["id"]
    assert theirs["audience"]["file_url"] != fetch(client, tenant, 1001).json()["data"]["audience"]["file_url"]


# --- documented examples ---------------------------------------------------------------------
def test_list_examples_validate_and_replay(client, tenant):
    [example] = examples("List Campaign")
    documented = json.loads(example["response"])
    assert schemas.field_errors(LIST, documented) == {}
    body = listing(client, tenant, urlsplit(example["url"]).query and "?" + urlsplit(example["url"]).query)
    assert set(body) == set(documented) and set(body["data"]) == set(documented["data"])
    for item in body["data"]["results"]:
        assert set(item) == set(documented["data"]["results"][0])
        if item["stats"] is not None:
            assert set(item["stats"]) == set(documented["data"]["results"][0]["stats"])
    # the collection request's own query (search=june_18&status=completed&...), its window moved to the fixture's
    query = ("?search=june_18&status=completed&ordering=-created&created_at_after=2025-06-25T07:00:00Z"
             "&created_at_before=2025-06-25T09:00:00Z&limit=10&offset=0")
    assert names(listing(client, tenant, query)) == ["june_18_sale"]
    with_example_window = listing(client, tenant, "?search=june_18&status=completed&ordering=-created"
                                                  "&created_at_after=2025-07-10T09:00:00Z"
                                                  "&created_at_before=2025-07-10T10:00:00Z&limit=10&offset=0")
    assert with_example_window["data"]["count"] == 0  # no fixture campaign was created in that hour


FETCH_EXAMPLES = examples("Fetch Campaign By ID")
# documented example -> the fixture campaign in that state
BY_STATE = {"scheduled": 1004, "completed": 1001, "failed": 1003}


@pytest.mark.parametrize("example", FETCH_EXAMPLES, ids=[e["example"] for e in FETCH_EXAMPLES])
def test_fetch_examples_validate_and_replay(client, tenant, example):
    documented = json.loads(example["response"])
    if example["status"] == 404:
        assert schemas.field_errors(NOT_FOUND, documented) == {}
        r = fetch(client, tenant, 9359, path="campaigns")
        assert r.status_code == 404 and r.json() == documented
        return
    assert schemas.field_errors(DETAIL, documented) == {}
    r = fetch(client, tenant, BY_STATE[documented["data"]["status"]], path="campaigns")
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["status"] == documented["data"]["status"]
    assert set(data) == set(documented["data"])
    if "stats" in documented["data"]:
        assert set(data["stats"]) == set(documented["data"]["stats"])


def test_there_are_six_fetch_examples_and_one_list_example():
    assert len(FETCH_EXAMPLES) == 6 and len(examples("List Campaign")) == 1
