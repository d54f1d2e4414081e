"""POST /search/search against the fixtures' call history: the hits as live clients read them (long
field names), filters (brute force against filter_expr), windows, paging, search_key, errors,
in-progress calls, recordings, schemas, fuzzing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mock_server.clock import parse_iso
from mock_server.developers import filter_expr, log_search
from mock_server.domain import call_log, call_log_live, calls
from tests.developers.support import call_ids, call_key, seconds_of, token, unauthorized, valid

OK, ERROR = "developers/logs.response", "developers/logs.error.response"


def search(client, tenant, status: int = 200, **params):
    r = client.post("/search/search", params={"token": token(tenant), **params})
    assert r.status_code == status, r.text
    valid(OK if status == 200 else ERROR, r.json())
    return r.json()


def everything(client, tenant, page_size: int = 100, **params) -> list[dict]:
    """Every hit's _source the query matches, paged as the live poller does: log_from moves on by the
    hits received, until a page comes back short."""
    found: list[dict] = []
    while True:
        hits = search(client, tenant, log_from=len(found), page_size=page_size, **params)["data"]["hits"]
        found += [hit["_source"] for hit in hits]
        if len(hits) < page_size:
            return found


def ids(tenant, found) -> list[str]:
    return call_ids(tenant, found)


def after_call_logs(tenant) -> dict[str, dict]:
    """Every finished call's AfterCall log (the filters and the search key read it), by call id."""
    bits = call_log.tenant_bits(tenant.company_id, tenant.state["users"].values(), tenant.state["departments"].values())
    return {s["id"]: call_log.render(s, bits) for s in tenant.state["calls"].values() if s["state"] == "ended"}


def expected(tenant, keep=lambda session, log: True) -> list[str]:
    """Brute force: every finished call, newest first, kept by ``keep`` (given the call and its AfterCall log)."""
    logs = after_call_logs(tenant)
    sessions = sorted((s for s in tenant.state["calls"].values() if s["id"] in logs),
                      key=lambda s: (s["started_at"], s["id"]), reverse=True)
    return [s["id"] for s in sessions if keep(s, logs[s["id"]])]


def start_of(session: dict) -> int:
    return int(parse_iso(session["started_at"]).timestamp())


# --- the response ------------------------------------------------------------------------------------
def test_default_page_newest_first_each_hit_the_live_rendering(client, tenant):
    body = search(client, tenant)
    data = body["data"]
    assert (body["status"], body["code"], set(data), data["total"], len(data["hits"])) == (
        "success", 200, {"total", "hits"}, 200, 20)
    assert ids(tenant, [h["_source"] for h in data["hits"]]) == expected(tenant)[:20]
    logs = after_call_logs(tenant)
    for hit, call_id in zip(data["hits"], expected(tenant)):
        assert set(hit) == {"user_id", "_source"}
        assert hit == call_log_live.hit(logs[call_id])


def test_a_missed_calls_dashboard_reads_the_hits_by_their_long_names(client, tenant):
    """What the clinic's live poller does (OBSERVED A.3-A.8): a week's window, 100 a page until a short
    page, then status 2 = missed, event 1 = incoming, HH:MM:SS durations, the agent of each leg."""
    reference = max(parse_iso(s["ended_at"]) for s in tenant.state["calls"].values())
    window = {"from": int((reference - timedelta(days=7)).timestamp()), "to": int(reference.timestamp())}
    found = everything(client, tenant, **window)
    in_window = {s["id"]: s for s in tenant.state["calls"].values()
                 if window["from"] <= start_of(s) <= window["to"] and s["state"] == "ended"}
    assert 20 < len(found) == len(in_window) < 200
    missed_incoming = [h for h in found if h["status"] == 2 and h["event"] == 1]
    assert len(missed_incoming) == sum(1 for s in in_window.values() if s["status"] == "missed"
                                       and s["direction"] == "incoming") > 0
    assert sum(1 for h in found if h["status"] == 2) == sum(1 for s in in_window.values() if s["status"] == "missed")
    users = {u["id"]: u for u in tenant.state["users"].values()}
    for source, call_id in zip(found, ids(tenant, found)):
        call = in_window[call_id]
        assert window["from"] <= source["start_time"] <= source["end_time"] <= window["to"] + 3600
        # whole seconds between the whole-second start and end, ring time included (the call's own
        # duration is floored from the exact instants, so it may be a second less)
        assert seconds_of(source["duration"]) == source["end_time"] - source["start_time"]
        assert 0 <= seconds_of(source["duration"]) - call["duration"] <= 1
        assert source["caller_number"] == f"+{call['customer']['country_code']}{source['caller_number_raw']}"
        assert source["company_id"] == tenant.company_id
        agents = [leg for leg in call["legs"] if leg["type"] == "agent"]
        assert [a["user_id"] for leg in source["log_details"] for a in leg["received_by"]] == [
            leg["user_id"] or "" for leg in agents]
        assert all(a["name"] == users[a["user_id"]]["name"] for leg in source["log_details"]
                   for a in leg["received_by"] if a["user_id"] in users)
        received = [e["ky"] for e in source["_us"] if e["vl"] == "received"]  # who took the call
        assert received == [leg["user_id"] for leg in agents if (leg["answered_at"] or leg["inbound"])
                            and not leg["transferred_to"] and leg["user_id"]]
        if source["status"] == 2 and source["event"] == 1:
            assert {e["vl"] for e in source["_us"]} <= {"missed"} and source["filename"] == ""


def test_answered_calls_with_and_without_a_recording_and_the_file_names_the_link_takes(client, tenant):
    found = everything(client, tenant)
    answered = [h for h in found if h["status"] == 1 and h["log_details"]]
    recorded = [h for h in answered if h["filename"]]
    unrecorded = [h for h in answered if not h["filename"]]
    assert recorded and unrecorded  # OBSERVED A.7: connected calls without a recording
    assert all(h["fileurl"] == "" for h in unrecorded) and all(h["filename"] == "" for h in found if h["status"] == 2)
    for hit in recorded:
        assert hit["fileurl"] == "https://app.myoperator.com/audio/" + hit["filename"].removesuffix(".mp3")
    for source in (recorded[0], recorded[-1]):
        link = client.get("/search/recordings/link", params={"token": token(tenant), "file": source["filename"]})
        assert link.status_code == 200 and link.json()["url"].endswith(".mp3")
        valid("developers/recordings.link.response", link.json())
    # OBSERVED A.9: pass filename, not fileurl
    by_url = client.get("/search/recordings/link", params={"token": token(tenant), "file": recorded[0]["fileurl"]})
    assert by_url.status_code == 400 and by_url.json()["message"].endswith("it contains a path separator")


def test_parameters_in_a_json_or_form_body_or_the_query_string(client, tenant):
    params = {"token": token(tenant), "page_size": 3, "log_from": 2, "filters": "12"}
    via_query = client.post("/search/search", params=params).json()
    via_json = client.post("/search/search", json=params).json()
    via_form = client.post("/search/search", data={k: str(v) for k, v in params.items()}).json()
    assert via_query == via_json == via_form
    assert ids(tenant, [h["_source"] for h in via_json["data"]["hits"]]) == expected(
        tenant, lambda s, log: log["_su"] == 1)[2:5]


def test_the_documented_url_with_every_parameter_empty_means_defaults(client, tenant):
    r = client.post(f"/search/search?token={token(tenant)}&from&to&log_from&page_size&search_key&filters")
    assert r.status_code == 200
    assert r.json() == search(client, tenant)


def test_the_fixture_calls_are_told_apart_by_start_end_and_caller(tenant):
    """So the tests can name the call each hit is (the hit carries no call id)."""
    ended = [s for s in tenant.state["calls"].values() if s["state"] == "ended"]
    assert len({call_key(s) for s in ended}) == len(ended) == 200


# --- filters -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("expression", [
    "12", "13", "14", "12 AND (5 OR 8)", "2 AND 4", "9", "5 OR 6", "22", "39", "23 OR 24", "37", "38",
    "40", "41", "42", "26 OR 29", "(13 AND 6) OR (14 AND 3)", "11", "21 AND 15", "30 and 12 or 34", "1 AND 7",
])
def test_filters_select_exactly_the_logs_filter_expr_accepts(client, tenant, expression):
    tree = filter_expr.parse(expression)
    wanted = expected(tenant, lambda s, log: filter_expr.evaluate(tree, log))
    assert ids(tenant, everything(client, tenant, filters=expression)) == wanted


def test_the_fixture_history_exercises_every_selectable_filter(tenant):
    """So the brute-force comparisons above compare non-trivial selections."""
    for filter_id in filter_expr.SELECTABLE:
        tree = filter_expr.parse(filter_id)
        assert 0 < len(expected(tenant, lambda s, log: filter_expr.evaluate(tree, log))) < 200, filter_id


@pytest.mark.parametrize("expression, message", [
    ("12 AND", "Invalid filter expression at position 7: expected a filter id or '(' after 'AND', found the end "
               "of the expression"),
    ("99", "Invalid filter expression at position 1: unknown filter id 99 (GET /search/filters lists the filter ids)"),
    ("(12", "Invalid filter expression at position 1: this '(' is never closed"),
    ("12 5", "Invalid filter expression at position 4: missing AND or OR before filter id 5"),
    ("NOT 12", "Invalid filter expression at position 1: unknown word 'NOT': the only operators are AND and OR"),
    ("12 && 5", "Invalid filter expression at position 4: unexpected character '&'"),
])
def test_a_bad_expression_is_a_400_with_the_parser_s_message(client, tenant, expression, message):
    assert search(client, tenant, 400, filters=expression) == {"status": "error", "code": 400, "message": message}


# --- windows and paging ------------------------------------------------------------------------------
def test_from_and_to_bound_the_call_s_start_inclusively(client, tenant):
    sessions = sorted(tenant.state["calls"].values(), key=lambda s: s["started_at"])
    low, high = start_of(sessions[50]), start_of(sessions[120])
    found = everything(client, tenant, **{"from": low, "to": high})
    assert ids(tenant, found) == expected(tenant, lambda s, log: low <= start_of(s) <= high)
    assert {found[0]["start_time"], found[-1]["start_time"]} == {high, low}
    assert ids(tenant, everything(client, tenant, **{"from": high + 1})) == expected(tenant, lambda s, log: start_of(s) > high)
    assert ids(tenant, everything(client, tenant, to=low - 1)) == expected(tenant, lambda s, log: start_of(s) < low)
    assert search(client, tenant, **{"from": high, "to": high})["data"]["total"] >= 1
    assert search(client, tenant, **{"from": 0, "to": 1000})["data"] == {"total": 0, "hits": []}


@pytest.mark.parametrize("size", [1, 7, 20, 33, 100])
def test_paging_covers_every_match_exactly_once(client, tenant, size):
    seen, pages = [], 0
    while True:
        data = search(client, tenant, log_from=len(seen), page_size=size, filters="5 OR 9")["data"]
        assert len(data["hits"]) <= size
        seen += ids(tenant, [h["_source"] for h in data["hits"]])
        pages += 1
        if len(data["hits"]) < size:
            break
    assert seen == expected(tenant, lambda s, log: log["_ev"] == 1 or log["_ty"] == 2)
    assert data["total"] == len(seen)
    assert len(seen) == len(set(seen)) and pages == len(seen) // size + 1


def test_page_size_is_capped_at_100_and_an_offset_past_the_end_is_empty(client, tenant):
    data = search(client, tenant, page_size=500)["data"]
    assert (data["total"], len(data["hits"])) == (200, 100)
    assert search(client, tenant, log_from=200)["data"] == {"total": 200, "hits": []}


# --- search_key --------------------------------------------------------------------------------------
def with_comment(tenant) -> dict:
    return next(s for s in tenant.state["calls"].values() if s["comments"] and any(l["type"] == "agent" and l["user_id"]
                                                                                     for l in s["legs"]))


def keys_of(tenant) -> dict[str, str]:
    """One key per searchable field, each taken from a fixture call."""
    call = with_comment(tenant)
    named = next(s for s in tenant.state["calls"].values() if s["customer"]["name"])
    agent = tenant.state["users"].get(next(l["user_id"] for l in call["legs"] if l["type"] == "agent" and l["user_id"]))
    return {"caller name": named["customer"]["name"].upper(), "caller number": named["customer"]["number"],
            "caller number without +": named["customer"]["number"][1:],
            "caller national number": calls.national_number(named["customer"]),
            "agent name": agent["name"].lower(), "agent email": agent["email"].upper(),
            "agent number": agent["contact_number"], "agent number with code": f"+{agent['country_code']}{agent['contact_number']}",
            "comment": call["comments"][0]["text"].swapcase()}


@pytest.mark.parametrize("field", ["caller name", "caller number", "caller number without +", "caller national number",
                                   "agent name", "agent email", "agent number", "agent number with code", "comment"])
def test_search_key_finds_each_field_case_insensitively(client, tenant, field):
    key = keys_of(tenant)[field]
    found = everything(client, tenant, search_key=key)
    assert found, (field, key)
    assert ids(tenant, found) == expected(tenant, lambda s, log: log_search.matches_key(s, log, key.strip()))
    wanted = key.casefold()
    logs = after_call_logs(tenant)
    for call_id in ids(tenant, found):
        texts, _ = log_search.haystacks(tenant.state["calls"].get(call_id), logs[call_id])
        assert any(wanted in t for t in texts), (field, key, call_id)


def test_a_comment_added_to_a_call_makes_it_findable(client, tenant):
    call = next(s for s in tenant.state["calls"].values() if not s["comments"] and s["type"] == "call")
    assert search(client, tenant, search_key="Callback about the Zephyr order")["data"]["total"] == 0
    noted = calls.add_comment(call, parse_iso(call["last_event_at"]) + timedelta(minutes=5), comment_id="c0ffee0000000001",
                              text="Callback about the Zephyr order", user_id=tenant.state["users"].values()[0]["id"])
    tenant.state["calls"].put(noted)
    found = search(client, tenant, search_key="zephyr ORDER")["data"]
    assert ids(tenant, [h["_source"] for h in found["hits"]]) == [call["id"]]


def test_search_key_filters_and_window_combine(client, tenant):
    named = next(s for s in tenant.state["calls"].values() if s["customer"]["name"])
    key = named["customer"]["number"]
    found = everything(client, tenant, search_key=key, filters="12 OR 13 OR 14", **{"from": start_of(named)})
    assert named["id"] in ids(tenant, found)
    assert ids(tenant, found) == expected(tenant, lambda s, log: log_search.matches_key(s, log, key)
                                  and start_of(s) >= start_of(named))


# --- in-progress calls ----------------------------------------------------------------------------------
def test_a_call_in_progress_is_absent_until_it_ends(client, tenant):
    newest = max((s for s in tenant.state["calls"].values() if len(s["legs"]) >= 2), key=lambda s: s["started_at"])
    moment = parse_iso(newest["started_at"]) + timedelta(seconds=1)
    live = calls.session_at(newest, moment)
    assert live["state"] != "ended"
    tenant.state["calls"].put(live)
    found = everything(client, tenant)
    assert newest["id"] not in ids(tenant, found) and len(found) == 199
    number = newest["customer"]["number"]
    assert newest["id"] not in ids(tenant, everything(client, tenant, search_key=number))
    tenant.state["calls"].put(newest)  # the call ends: its log is written
    found = everything(client, tenant)
    assert newest["id"] in ids(tenant, found) and len(found) == 200
    assert newest["id"] in ids(tenant, everything(client, tenant, search_key=number))


# --- errors ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("params, message", [
    ({"from": "yesterday"}, "from must be a UTC unix timestamp in whole seconds, e.g. 1752573600"),
    ({"to": "-5"}, "to must be a UTC unix timestamp in whole seconds, e.g. 1752573600"),
    ({"from": "1752600001", "to": "1752600000"}, "from must not be later than to"),
    ({"log_from": "x"}, "log_from must be a whole number of at least 0"),
    ({"page_size": "0"}, "page_size must be a whole number of at least 1"),
    ({"page_size": "2.5"}, "page_size must be a whole number of at least 1"),
    ({"search_key": "k" * 256}, "search_key must be at most 255 characters"),
])
def test_bad_parameters_are_400s_with_exact_messages(client, tenant, params, message):
    assert search(client, tenant, 400, **params) == {"status": "error", "code": 400, "message": message}


def test_json_values_of_the_wrong_type_are_400s(client, tenant):
    r = client.post("/search/search", json={"token": token(tenant), "from": True, "search_key": ["x"], "filters": {"a": 1}})
    assert r.status_code == 400
    assert r.json()["message"] == ("from must be a UTC unix timestamp in whole seconds, e.g. 1752573600; "
                                   "search_key must be text; Invalid filter expression at position 1: "
                                   "the expression must be a string such as 12 AND (5 OR 8)")


def test_the_token_is_checked_first(client, tenant):
    for params in ({}, {"token": ""}, {"token": "nope"}):
        r = client.post("/search/search", params={**params, "from": "x"})
        unauthorized(r)
        valid(ERROR, r.json())


def test_other_methods_are_405_in_the_developers_body(client, tenant):
    r = client.get("/search/search", params={"token": token(tenant)})
    assert r.status_code == 405
    assert r.json() == {"status": "error", "code": 405, "message": 'Method "GET" not allowed.'}
    valid(ERROR, r.json())


def test_tenants_see_only_their_own_logs(client, tenant, other_tenant):
    mine, theirs = set(ids(tenant, everything(client, tenant))), set(ids(other_tenant, everything(client, other_tenant)))
    assert mine == {s["id"] for s in tenant.state["calls"].values()} and not mine & theirs
    assert {log["company_id"] for log in everything(client, other_tenant)} == {other_tenant.company_id}


# --- fuzzing -----------------------------------------------------------------------------------------
odd = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10 ** 20), max_value=10 ** 20),
                st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                st.lists(st.integers(), max_size=2),
                st.sampled_from(["", "0", "-1", "1e3", "12 AND", "((((", "\x00", "%00", "9" * 30, "1752600000"]))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(["from", "to", "log_from", "page_size", "search_key", "filters"]), odd,
                            max_size=6))
def test_hostile_parameters_never_yield_a_5xx(client, tenant, body):
    r = client.post("/search/search", json={"token": token(tenant), **body})
    assert r.status_code in (200, 400), r.text
    valid(OK if r.status_code == 200 else ERROR, r.json())
