"""The live service's bare paths (POST /search, GET /filters, GET /recordings/link, GET|POST|PUT /user, the
recording itself) beside the collection's /search/… ones: the same endpoints, errors and journal."""

from __future__ import annotations

import pytest
from starlette.routing import Route

from mock_server.developers import routes as developer_routes
from mock_server.developer_paths import LIVE_PATHS, is_developer_path
from tests.conftest import make_app
from tests.developers.support import token, unauthorized, valid

ERROR = "developers/error"


def test_each_bare_path_is_served_by_its_twins_own_endpoint():
    served = {(route.path, frozenset(route.methods or ())): route.endpoint
              for route in make_app().routes if isinstance(route, Route)}
    twins = [route for route in developer_routes.collection_routes if route.path in LIVE_PATHS]
    assert {route.path for route in twins} == set(LIVE_PATHS)
    for route in twins:
        assert served[(LIVE_PATHS[route.path], frozenset(route.methods or ()))] is route.endpoint


@pytest.mark.parametrize("method, bare, params", [
    ("POST", "/search", {"page_size": "3"}),
    ("GET", "/filters", {}),
    ("GET", "/user", {"page-size": "2"}),
])
def test_a_bare_path_answers_what_its_twin_answers(client, tenant, method, bare, params):
    query = {"token": token(tenant), **params}
    live, collection = client.request(method, bare, params=query), client.request(method, f"/search{bare}",
                                                                                  params=query)
    assert live.status_code == collection.status_code == 200
    assert live.json() == collection.json()


def test_users_created_at_the_bare_path_are_the_same_users(client, tenant):
    created = client.post("/user", data={"token": token(tenant), "name": "Bare Path", "contact_number": "9876500099",
                                         "country_code": "91", "extension": "77"})
    assert created.status_code == 200, created.text
    uuid = created.json()["uuid"]
    assert client.put("/user", data={"token": token(tenant), "uuid": uuid, "name": "Bare Path 2"}).status_code == 200
    found = client.get("/search/user", params={"token": token(tenant), "keyword": "Bare Path 2"}).json()
    assert [u["uuid"] for u in found["data"]] == [uuid]


def test_a_recording_link_asked_at_the_bare_path_points_at_the_bare_family(client, tenant):
    name = next(c["recording"] for c in tenant.state["calls"] if c.get("state") == "ended" and c.get("recording"))
    bare = client.get("/recordings/link", params={"token": token(tenant), "file": name})
    prefixed = client.get("/search/recordings/link", params={"token": token(tenant), "file": name})
    assert bare.status_code == prefixed.status_code == 200
    assert bare.json()["url"].startswith("http://testserver/recordings/")
    assert prefixed.json()["url"].startswith("http://testserver/search/recordings/")
    audio = client.get(bare.json()["url"])
    assert (audio.status_code, audio.headers["content-type"]) == (200, "audio/mpeg")
    assert client.get(prefixed.json()["url"].replace("/search/", "/", 1)).status_code == 200  # the same links


@pytest.mark.parametrize("method, path", [("POST", "/search"), ("GET", "/filters"), ("GET", "/recordings/link"),
                                          ("GET", "/user"), ("POST", "/user"), ("PUT", "/user")])
def test_a_bad_token_at_a_bare_path_is_the_live_400(client, method, path):
    unauthorized(client.request(method, path, params={"token": "nope"}))
    unauthorized(client.request(method, path))


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/search", 405), ("DELETE", "/user", 405), ("PATCH", "/recordings/link", 405),
    ("GET", "/recordings/nope", 404), ("GET", "/user/1", 404), ("GET", "/filters/x", 404), ("GET", "/search/nope", 404),
])
def test_unknown_paths_and_methods_under_the_bare_paths_get_the_developers_error(client, method, path, status):
    r = client.request(method, path)
    assert (r.status_code, r.json()["status"], r.json()["code"]) == (status, "error", status)
    valid(ERROR, r.json())


def test_a_wrong_method_on_bare_filters_names_the_bare_path(client, tenant):
    r = client.post("/filters", params={"token": token(tenant)})
    assert (r.status_code, r.headers["allow"]) == (405, "GET, HEAD")
    assert r.json()["message"] == 'Method "POST" not allowed: use GET /filters?token=<your API token>.'


@pytest.mark.parametrize("path", ["/users", "/searches", "/filtersx", "/recordingsx", "/chat/nope"])
def test_other_surfaces_paths_are_not_swallowed_by_the_bare_prefixes(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.json()["code"] == "not_found"  # the public API's envelope
    assert not is_developer_path(path)


def test_the_journal_records_which_path_was_used(client, tenant):
    client.delete("/_mock/journal")
    client.post("/search", json={"token": token(tenant)})
    client.post("/search/search", json={"token": token(tenant)})
    entries = client.get("/_mock/journal").json()["requests"]
    assert [(e["path"], e["status"], e["company_id"]) for e in entries] == [
        ("/search", 200, tenant.company_id), ("/search/search", 200, tenant.company_id)]
