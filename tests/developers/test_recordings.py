"""GET /search/recordings/link and the link it issues: the flow from a call log to playable audio,
24-hour expiry on the server clock, 404s, tenant isolation, hostile file names, restarts, schemas."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.testclient import TestClient

from mock_server import schemas
from mock_server.clock import iso, parse_iso
from mock_server.developers import audio, recordings
from tests.conftest import make_app
from tests.developers.test_audio import parse_frames
from tests.developers.support import unauthorized
from tests.moments import moment
from tests.support import advance, ctx_of

OK, ERROR = "developers/recordings.link.response", "developers/recordings.error.response"
NOW = parse_iso("2025-07-15T10:00:00Z")
DAY = 86_400


def token(tenant) -> str:
    return tenant.state.account["developer_token"]


def valid(schema: str, body) -> None:
    assert schemas.field_errors(schema, body) == {}, body
    assert schemas.fast_validator(schema).is_valid(body)


def recorded(tenant) -> dict:
    return next(c for c in tenant.state["calls"].values() if c["recording"])


def link(client, tenant, name: str, status: int = 200) -> dict:
    r = client.get(f"/search/recordings/link?token={token(tenant)}&file={quote(name, safe='')}")
    assert r.status_code == status, r.text
    valid(OK if status == 200 else ERROR, r.json())
    return r.json()


def error(r, status: int, message: str) -> None:
    assert r.status_code == status, r.text
    assert r.json() == {"status": "error", "code": status, "message": message}
    valid(ERROR, r.json())


def audio_path(url: str) -> str:
    return urlsplit(url).path


# --- the flow ----------------------------------------------------------------------------------------
def test_from_a_search_hit_to_playable_audio(client, tenant):
    hits = client.post("/search/search", json={"token": token(tenant), "page_size": 100}).json()["data"]["hits"]
    log = next(h["_source"] for h in hits if h["_source"]["filename"])
    body = link(client, tenant, log["filename"])
    assert (body["status"], body["code"], body["expires_at"]) == ("success", 200, int(NOW.timestamp()) + DAY)
    scheme, host, path, query, _ = urlsplit(body["url"])
    assert (scheme, host, query) == ("http", "testserver", "") and path.startswith("/search/recordings/")
    played = client.get(body["url"])  # no token: the link itself is the credential
    assert played.status_code == 200
    assert played.headers["content-type"] == "audio/mpeg"
    assert played.headers["content-length"] == str(len(played.content)) == "12000"
    assert played.headers["content-disposition"] == f'inline; filename="{log["filename"]}"'
    assert played.content == audio.silent_mp3()
    frames = parse_frames(played.content)
    assert len(frames) * 1152 / frames[0].sample_rate == 3.0


def test_the_link_is_kept_as_a_document(client, tenant):
    call = recorded(tenant)
    body = link(client, tenant, call["recording"])
    link_token = audio_path(body["url"]).rsplit("/", 1)[1].removesuffix(".mp3")
    assert tenant.state["recording_links"].get(link_token) == {
        "id": link_token, "token": link_token, "file": call["recording"], "call_id": call["id"],
        "issued_at": moment(iso(NOW)), "expires_at": moment(iso(NOW + timedelta(hours=24)))}


def test_each_request_issues_a_new_link_and_all_of_them_work(client, tenant):
    name = recorded(tenant)["recording"]
    first, second = link(client, tenant, name)["url"], link(client, tenant, name)["url"]
    assert first != second
    assert client.get(first).content == client.get(second).content == audio.silent_mp3()


def test_a_link_works_for_24_hours_on_the_server_clock_then_is_gone(client, tenant):
    body = link(client, tenant, recorded(tenant)["recording"])
    advance(client, DAY - 1)
    still = client.get(body["url"])
    assert (still.status_code, still.headers["cache-control"]) == (200, "private, max-age=1")
    advance(client, 1)
    expired_at = next(iter(tenant.state["recording_links"]))["expires_at"]  # 24 h after the link was issued
    assert expired_at == moment("2025-07-16T10:00:00.000000Z")
    error(client.get(body["url"]), 410, f"recording link expired at {expired_at}: links are valid "
                                        "for 24 hours; ask GET /search/recordings/link for a new one")
    fresh = link(client, tenant, recorded(tenant)["recording"])  # a new link works again, for a new day
    assert fresh["expires_at"] == int(NOW.timestamp()) + 2 * DAY
    assert client.get(fresh["url"]).status_code == 200


def test_a_link_survives_a_restart(tmp_path):
    with TestClient(make_app(data_dir=tmp_path)) as client:
        tenant_state = next(iter(ctx_of(client.app).store.tenants.values()))
        name = next(c["recording"] for c in tenant_state["calls"].values() if c["recording"])
        url = client.get("/search/recordings/link", params={"token": tenant_state.account["developer_token"],
                                                             "file": name}).json()["url"]
    with TestClient(make_app(data_dir=tmp_path)) as client:
        assert client.get(url).content == audio.silent_mp3()
        client.post("/_mock/clock/advance", json={"seconds": DAY})
    with TestClient(make_app(data_dir=tmp_path)) as client:  # and the clock that expires it is kept too
        assert client.get(url).status_code == 410


def test_unknown_and_malformed_link_tokens_are_404(client, tenant):
    message = "recording link not found"
    for path in ("/search/recordings/" + "0" * 32 + ".mp3", "/search/recordings/XYZ.mp3",
                 "/search/recordings/" + "A" * 32 + ".mp3", "/search/recordings/%00.mp3"):
        error(client.get(path), 404, message)


def test_a_link_to_a_recording_that_no_longer_exists_is_404(client, tenant):
    call = recorded(tenant)
    body = link(client, tenant, call["recording"])
    tenant.state["calls"].delete(call["id"])
    error(client.get(body["url"]), 404, "the recording of this link no longer exists")


def test_other_methods_on_the_link_and_the_audio_are_405(client, tenant):
    body = link(client, tenant, recorded(tenant)["recording"])
    for method, url in (("POST", body["url"]), ("DELETE", body["url"]),
                        ("POST", f"/search/recordings/link?token={token(tenant)}&file=x.mp3")):
        r = client.request(method, url)
        error(r, 405, f'Method "{method}" not allowed.')


# --- ranges ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("header, status, first, last", [
    ("bytes=0-9", 206, 0, 9), ("bytes=11990-", 206, 11990, 11999), ("bytes=-96", 206, 11904, 11999),
    ("bytes=100-99999", 206, 100, 11999), ("bytes=0-0", 206, 0, 0), ("bytes=-99999", 206, 0, 11999),
    ("bytes=5-1", 200, 0, 11999), ("bytes=12000-", 416, None, None), ("bytes=-0", 416, None, None),
    ("bytes=0-1,5-9", 200, 0, 11999), ("items=0-9", 200, 0, 11999), ("bytes=-", 200, 0, 11999),
])
def test_byte_ranges(client, tenant, header, status, first, last):
    url = link(client, tenant, recorded(tenant)["recording"])["url"]
    r = client.get(url, headers={"Range": header})
    assert r.status_code == status
    if status == 416:
        assert r.headers["content-range"] == "bytes */12000"
        error(r, 416, "the requested range is outside the recording (12000 bytes)")
        return
    assert r.content == audio.silent_mp3()[first:last + 1]
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers.get("content-range") == (f"bytes {first}-{last}/12000" if status == 206 else None)


# --- the file parameter ------------------------------------------------------------------------------
def test_unknown_file_names_are_404(client, tenant):
    real = recorded(tenant)["recording"]
    for name in ("4awerwf234353tgr123.mp3", real.upper(), real.removesuffix(".mp3"), real + " ", f" {real}"):
        r = client.get("/search/recordings/link", params={"token": token(tenant), "file": name})
        error(r, 404, f"recording not found: no finished call of this company has the file {name}")


def test_another_company_s_recording_is_404(client, tenant, other_tenant):
    theirs = recorded(other_tenant)["recording"]
    assert tenant.state["calls"].find(lambda c: c["recording"] == theirs) is None
    error(client.get("/search/recordings/link", params={"token": token(tenant), "file": theirs}), 404,
          f"recording not found: no finished call of this company has the file {theirs}")
    assert link(client, other_tenant, theirs)["status"] == "success"


def test_a_call_in_progress_has_no_recording_to_link(client, tenant):
    from mock_server.domain import calls
    call = recorded(tenant)
    live = {**calls.session_at(call, parse_iso(call["started_at"]) + timedelta(seconds=1)), "recording": call["recording"]}
    assert live["state"] != "ended"
    tenant.state["calls"].put(live)
    error(client.get("/search/recordings/link", params={"token": token(tenant), "file": call["recording"]}), 404,
          f"recording not found: no finished call of this company has the file {call['recording']}")


@pytest.mark.parametrize("params, message", [
    ({}, "file is required"), ({"file": ""}, "file is required"), ({"file": "   "}, "file is required"),
])
def test_the_file_parameter_is_required(client, tenant, params, message):
    error(client.get("/search/recordings/link", params={"token": token(tenant), **params}), 400, message)


def test_a_file_that_is_not_text_is_400(client, tenant):
    for value in (12, ["a.mp3"], {"a": 1}, True):
        r = client.request("GET", "/search/recordings/link", json={"token": token(tenant), "file": value})
        error(r, 400, "file must be text")


def test_the_token_is_checked_first(client, tenant):
    for params in ({"file": "../x"}, {"token": "nope", "file": "../x"}):
        unauthorized(client.get("/search/recordings/link", params=params))


PREFIX = "file must be a recording file name from the call logs (e.g. 4awerwf234353tgr123.mp3): "


@pytest.mark.parametrize("name, reason", [
    ("../../etc/passwd", "it contains a path separator"), ("/etc/passwd", "it contains a path separator"),
    ("..\\..\\win.ini", "it contains a path separator"), ("a/b.mp3", "it contains a path separator"),
    ("..", "it contains '..'"), ("x..mp3", "it contains '..'"), ("a\x00.mp3", "it contains control or invisible characters"),
    ("a\n.mp3", "it contains control or invisible characters"), ("a\u200b.mp3", "it contains control or invisible characters"),
    ("C:\\boot.ini", "it contains a path separator"), ("C:boot.ini", "it looks like a path (':' or a leading '~')"),
    ("~root", "it looks like a path (':' or a leading '~')"), (".env", "it starts with '.'"),
    ("%2e%2e%2fetc%2fpasswd", "it contains %-escapes: send the plain file name"),
    ("%252e%252e%252f", "it contains %-escapes: send the plain file name"),
    ("a" * 252 + ".mp3", "it is longer than 255 characters"),
])
def test_hostile_file_names_are_400_before_any_lookup(client, tenant, name, reason):
    assert recordings.file_name_problem(name) == reason
    error(client.get("/search/recordings/link", params={"token": token(tenant), "file": name}), 400, PREFIX + reason)


def test_the_longest_allowed_name_is_looked_up():
    assert recordings.file_name_problem("a" * 251 + ".mp3") is None


hostile_names = st.one_of(
    st.tuples(st.text(max_size=20), st.sampled_from(["/", "\\", "..", "\x00", "\x1f", "\x7f", "%2e", "%2F", "%5c",
                                                     "%00", "\u202e", ":"]), st.text(max_size=20)).map("".join),
    st.text(min_size=256, max_size=400).filter(lambda s: s.strip()),
    st.text(max_size=20).map(lambda s: "/" + s),
    st.text(max_size=20).map(lambda s: "." + s),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile_names)
def test_generated_hostile_names_are_always_400(client, tenant, name):
    if not name.strip():
        return  # blank: "file is required", checked above
    r = client.request("GET", "/search/recordings/link", json={"token": token(tenant), "file": name})
    assert r.status_code == 400, (name, r.text)
    assert r.json()["message"].startswith(PREFIX)
    valid(ERROR, r.json())
    assert len(tenant.state["recording_links"]) == 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=300))
def test_any_file_name_is_answered_without_a_5xx(client, tenant, name):
    r = client.request("GET", "/search/recordings/link", json={"token": token(tenant), "file": name})
    assert r.status_code in (400, 404), (name, r.text)
    valid(ERROR, r.json())


def test_links_expired_for_over_a_week_are_forgotten(client, tenant):
    file = recorded(tenant)["recording"]
    old = link(client, tenant, file)["url"]
    client.post("/_mock/clock/advance", json={"seconds": 8 * 86_400 + 60})
    assert client.get(old).status_code == 410  # still known: expired, not forgotten
    link(client, tenant, file)  # issuing a new link forgets links expired for over a week
    assert client.get(old).status_code == 404
    assert len(tenant.state["recording_links"]) == 1


def test_issuing_a_link_visits_only_the_links_it_forgets(client, tenant):
    """The sweep reads the links by expiry (an ordered index): live links are not visited, however many."""
    from tests.store.visits import count_visits

    file = recorded(tenant)["recording"]
    link(client, tenant, file)  # the index built
    counts = count_visits(tenant.state)
    counts.clear()
    link(client, tenant, file)
    fresh = counts["recording_links"]
    for _ in range(300):
        link(client, tenant, file)
    counts.clear()
    link(client, tenant, file)
    assert counts["recording_links"] == fresh
    client.post("/_mock/clock/advance", json={"seconds": 8 * 86_400 + 60})
    counts.clear()
    link(client, tenant, file)
    assert counts["recording_links"] == fresh + 2 * 303  # each expired link: found, then deleted
    assert len(tenant.state["recording_links"]) == 1
