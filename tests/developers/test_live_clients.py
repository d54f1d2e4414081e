"""The developers API as real clients meet it, against a served simulator (a uvicorn process): the live bare
paths, a JSON body of strings (the live poller), the token as multipart form-data (PHP's curl with an array
CURLOPT_POSTFIELDS), a urlencoded form, the query string, the live 400 for a bad token, and paging
``POST /search`` with ``log_from``/``page_size`` until a short page, as the clinic's poller does."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.conftest import check_contract
from tests.developers.support import UNAUTHORIZED
from tests.developers.test_request_params import BOUNDARY, multipart
from tests.server import free_port, start_server, stop


@pytest.fixture(scope="module")
def live():
    port = free_port()
    process = start_server(port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", event_hooks={"response": [check_contract]}) as client:
            yield client
    finally:
        stop(process)


@pytest.fixture(autouse=True)
def fresh(live):
    """Each test starts from the fixtures (the module's server serves both clock runs)."""
    assert live.post("/_mock/reset").status_code == 200


@pytest.fixture(scope="module")
def token(live) -> str:
    return live.get("/_mock/tenants").json()["tenants"][0]["developer_token"]


def php_curl_post(client: httpx.Client, path: str, fields: dict[str, str]) -> httpx.Response:
    return client.post(path, content=multipart(list(fields.items())),
                       headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Expect": ""})


def test_search_with_a_json_body_of_strings_on_the_bare_path(live, token):
    r = live.post("/search", headers={"Content-Type": "application/json"},
                  content=json.dumps({"token": token, "from": "0", "to": "4102444799", "log_from": "0",
                                      "page_size": "100"}))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["code"], len(body["data"]["hits"])) == ("success", 200, 100)
    assert body["data"]["total"] >= 100


def test_the_token_as_php_multipart_form_data(live, token):
    r = php_curl_post(live, "/search", {"token": token, "page_size": "5"})
    assert (r.status_code, len(r.json()["data"]["hits"])) == (200, 5)
    created = php_curl_post(live, "/user", {"token": token, "name": "Php Client", "contact_number": "9876500123",
                                            "country_code": "91", "extension": "88"})
    assert (created.status_code, created.json()["message"]) == (200, "user added successfully")
    found = live.get("/user", params={"token": token, "keyword": "Php Client"}).json()["data"]
    assert [u["uuid"] for u in found] == [created.json()["uuid"]]


def test_form_urlencoded_and_the_query_string(live, token):
    r = live.post("/search", data={"token": token, "page_size": "2", "log_from": "1"})
    every = live.post("/search", json={"token": token, "page_size": "100"}).json()["data"]["hits"]
    assert (r.status_code, r.json()["data"]["hits"]) == (200, every[1:3])
    filters = live.get("/filters", params={"token": token})
    assert filters.status_code == 200 and filters.json()["filters"]
    users = live.get("/user", params={"token": token})
    uuid = users.json()["data"][-1]["uuid"]
    updated = live.put("/user", data={"token": token, "uuid": uuid, "extension": "89"})
    assert (updated.status_code, updated.json()["message"]) == (200, "user updated successfully")


def test_a_recording_link_and_its_download_on_the_bare_paths(live, token):
    hits = live.post("/search", json={"token": token, "page_size": "100"}).json()["data"]["hits"]
    names = [v for hit in hits for v in hit["_source"].values()
             if isinstance(v, str) and v.endswith(".mp3") and "/" not in v]  # the recording's file name
    link = live.get("/recordings/link", params={"token": token, "file": names[0]})
    assert link.status_code == 200, link.text
    assert link.json()["url"].startswith(str(live.base_url).rstrip("/") + "/recordings/")
    audio = httpx.get(link.json()["url"])
    assert (audio.status_code, audio.headers["content-type"]) == (200, "audio/mpeg")


@pytest.mark.parametrize("send", ["query", "json", "form", "multipart"])
def test_a_bad_token_is_the_live_400(live, token, send):
    fields = {"token": token[:-1], "page_size": "1"}  # truncated by one character, as in the live case
    if send == "query":
        r = live.post("/search", params=fields)
    elif send == "json":
        r = live.post("/search", json=fields)
    elif send == "form":
        r = live.post("/search", data=fields)
    else:
        r = php_curl_post(live, "/search", fields)
    assert (r.status_code, r.text) == (400, UNAUTHORIZED)


def test_paging_post_search_until_a_short_page(live, token):
    pages, offset, size = [], 0, 30
    while True:
        r = live.post("/search", json={"token": token, "log_from": str(offset), "page_size": str(size)})
        assert r.status_code == 200, r.text
        hits = r.json()["data"]["hits"]
        pages.append(hits)
        if len(hits) < size:
            break
        offset += len(hits)
    total = r.json()["data"]["total"]
    everything = [json.dumps(hit, sort_keys=True) for page in pages for hit in page]
    assert len(everything) == len(set(everything)) == total
    assert [len(p) for p in pages] == [size] * (total // size) + [total % size]


def test_the_journal_shows_the_bare_paths_clients_used(live, token):
    live.delete("/_mock/journal")
    live.get("/filters", params={"token": token})
    php_curl_post(live, "/search", {"token": token})
    assert [(e["method"], e["path"], e["status"]) for e in live.get("/_mock/journal").json()["requests"]] == [
        ("GET", "/filters", 200), ("POST", "/search", 200)]


def test_a_missed_calls_dashboard_reads_every_hit_by_its_long_names(live, token):
    # What the clinic's poller and a Node CRM route read (OBSERVED.md A.6): a client of the short names sees nothing.
    hits = live.post("/search", json={"token": token, "from": "0", "to": "4102444799", "page_size": "100"}
                     ).json()["data"]["hits"]
    assert len(hits) == 100
    for hit in hits:
        source = hit["_source"]
        assert re.fullmatch(r"[0-9a-f]{32}", hit["user_id"])
        assert source["caller_number"] == "+91" + source["caller_number_raw"]
        assert isinstance(source["start_time"], int) and source["end_time"] >= source["start_time"]
        hours, minutes, secs = (int(part) for part in source["duration"].split(":"))
        assert hours * 3600 + minutes * 60 + secs == source["end_time"] - source["start_time"]
        assert source["event"] in (1, 2) and source["status"] in (1, 2, 3)
        assert (source["filename"] == "") == (source["fileurl"] == "")
        assert source["filename"] == "" or re.fullmatch(r"[0-9a-f]{96}-v2\.mp3", source["filename"])
        for leg in source["log_details"]:  # the Node route that crashed on a missing log_details
            assert leg["action"] in ("received", "missed", "transferred") and isinstance(leg["received_by"], list)
    missed = [h for h in hits if h["_source"]["status"] == 2]
    answered = [h for h in hits if h["_source"]["status"] == 1]
    assert missed and answered  # the dashboard that counted 0 missed calls over 200 counts them now
    assert any(h["_source"]["filename"] == "" for h in answered)  # connected calls without a recording (A.7)
