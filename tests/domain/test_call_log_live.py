"""The call log as live Search Logs hits show it (OBSERVED A.5-A.7): long field names, values from the call."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from mock_server.clock import parse_iso
from mock_server.domain import call_log, call_log_live, calls
from tests.domain.call_support import CUSTOMER, SHAPES, bits, build, company_id, seeds, shape_label, shapes, valid

HEX96 = "5228226174b1fbe77a2ab23e7be2dd3560c859d4b10e98a9c2d0f02437ec42676faf05fbe832a174e843bea00693867f"
# OBSERVED A.6's example hit, its placeholders filled in (the 23_june reference, anonymised; _us from the probe).
OBSERVED_HIT = {
    "user_id": "0123456789abcdef0123456789abcdef",
    "_source": {"company_id": "6838435041a1b2c3", "caller_number_raw": "9812345631", "caller_number": "+919812345631",
                "state": "RJ,IN", "start_time": 1781618966, "end_time": 1781619032, "duration": "00:01:06",
                "event": 1, "status": 1, "filename": f"{HEX96}-v2.mp3",
                "fileurl": f"https://app.myoperator.com/audio/{HEX96}-v2", "department_name": "Appointments",
                "log_details": [{"_ds": "ANSWER", "action": "received", "duration": "00:00:43",
                                 "start_time": 1781618989, "received_by": [
                                     {"name": "Dr Agent", "extension": "14", "user_id": "6838435041d4e5f6"}]}],
                "_us": [{"ky": "6838435041d4e5f6", "vl": "received"}]}}


def hit_errors(hit: dict) -> dict:
    """The Search Logs response schema's complaints about a page holding just this hit."""
    return valid("developers/logs.response", {"status": "success", "code": 200, "data": {"total": 1, "hits": [hit]}})


def epoch(text: str) -> int:
    return int(parse_iso(text).timestamp())


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def hit_of(session: dict) -> dict:
    return call_log_live.hit(call_log.render(session, bits()))


def agent_legs(session: dict) -> list[dict]:
    return [leg for leg in session["legs"] if leg["type"] == "agent"]


# --- the schema, from the evidence ----------------------------------------------------------------------
def test_the_observed_example_hit_validates_and_the_short_field_log_does_not():
    assert hit_errors(OBSERVED_HIT) == {}
    source = OBSERVED_HIT["_source"]
    for field, wrong in (("start_time", "1781618966"), ("event", "1"), ("status", "answered"), ("duration", 66),
                         ("caller_number", "919812345631"), ("filename", "abc.mp3")):
        assert hit_errors({**OBSERVED_HIT, "_source": {**source, field: wrong}}), field
    assert hit_errors({"_id": "5db94c34447d2410", "_source": call_log.render(build("incoming", "bridged"), bits())})


# --- one call, field by field from the session ---------------------------------------------------------
def test_an_answered_recorded_incoming_call():
    s = build("incoming", "bridged", seed=4, hunt=1)
    hit = hit_of(s)
    assert hit_errors(hit) == {}
    source = hit["_source"]
    start, end = epoch(s["started_at"]), epoch(s["ended_at"])
    assert (source["company_id"], source["caller_number_raw"], source["caller_number"]) == (
        company_id(), "9876543210", "+919876543210")
    assert (source["start_time"], source["end_time"], source["duration"]) == (start, end, hms(end - start))
    assert (source["event"], source["status"], source["department_name"]) == (1, 1, s["department"]["name"])
    assert source["state"] == s["location"].replace(", ", ",")
    assert re.fullmatch(r"[0-9a-f]{96}-v2\.mp3", source["filename"]) and source["filename"] == s["recording"]
    assert source["fileurl"] == "https://app.myoperator.com/audio/" + s["recording"].removesuffix(".mp3")
    missed, answered = agent_legs(s)
    users = bits()["users"]

    def agent(leg: dict) -> list[dict]:
        user = users[leg["user_id"]]
        return [{"name": user["name"], "extension": str(user["extension"]), "user_id": user["id"]}]

    assert source["log_details"] == [
        {"_ds": missed["dial_status"].replace(" ", ""), "action": "missed", "duration": "00:00:00",
         "start_time": epoch(missed["started_at"]), "received_by": agent(missed)},
        {"_ds": "ANSWER", "action": "received", "duration": hms(answered["talk_duration"]),
         "start_time": epoch(answered["answered_at"]), "received_by": agent(answered)},
    ]
    # the call's duration counts the ring time; the answered leg's only the talk after pickup
    assert end - start > answered["talk_duration"] and epoch(answered["answered_at"]) > start
    assert source["_us"] == [{"ky": missed["user_id"], "vl": "missed"}, {"ky": answered["user_id"], "vl": "received"}]


def test_a_missed_incoming_call_has_no_recording_and_only_missed_entries():
    source = hit_of(build("incoming", "missed", hunt=1))["_source"]
    assert (source["status"], source["filename"], source["fileurl"]) == (2, "", "")
    assert {leg["action"] for leg in source["log_details"]} == {"missed"}
    assert {leg["_ds"] for leg in source["log_details"]} <= {"NOANSWER", "CANCEL", "BUSY", "NOCARRIER"}
    assert source["_us"] and {entry["vl"] for entry in source["_us"]} == {"missed"}


def test_an_answered_call_without_a_recording_has_empty_file_fields():
    s = build("incoming", "bridged", recording=False)
    assert s["status"] == "bridged" and s["recording"] is None
    source = hit_of(s)["_source"]
    assert (source["status"], source["filename"], source["fileurl"]) == (1, "", "")
    assert source["log_details"][0]["action"] == "received"


def test_a_voicemail_is_status_3_with_its_recording_and_an_outgoing_call_is_event_2():
    voicemail = hit_of(build("incoming", "voicemail"))["_source"]
    assert voicemail["status"] == 3 and voicemail["filename"].endswith("-v2.mp3")
    outgoing = hit_of(build("obd", "bridged", dialer="user"))["_source"]
    assert (outgoing["event"], outgoing["status"], outgoing["caller_number"]) == (2, 1, CUSTOMER["number"])


def test_a_transfer_shows_both_agents_each_on_its_own_leg():
    s = build("incoming", "bridged", transfer=True)
    source = hit_of(s)["_source"]
    first, second = agent_legs(s)
    assert [leg["action"] for leg in source["log_details"]] == ["transferred", "received"]
    assert [leg["received_by"][0]["user_id"] for leg in source["log_details"]] == [first["user_id"], second["user_id"]]


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=seeds)
def test_any_call_renders_a_valid_hit_whose_legs_are_the_agents_never_the_caller(shape, seed):
    category, outcome, options = shape
    s = build(category, outcome, seed=seed, **options)
    hit = hit_of(s)
    assert hit_errors(hit) == {}
    source = hit["_source"]
    legs = agent_legs(s)
    assert len(source["log_details"]) == len(legs)
    assert [agent["user_id"] for leg in source["log_details"] for agent in leg["received_by"]] == [
        leg["user_id"] or "" for leg in legs]
    assert all(agent["name"] != CUSTOMER["name"] for leg in source["log_details"] for agent in leg["received_by"])
    assert source["status"] == {"bridged": 1, "missed": 2, "voicemail": 3}[s["status"]]
    assert bool(source["filename"]) == bool(s["recording"]) and bool(source["fileurl"]) == bool(s["recording"])
    assert (s["status"] != "missed") or source["filename"] == ""


# --- the same call through the AfterCall webhook and the search -----------------------------------------
# (long name, AfterCall field): the README's field table, checked here for every shape of call.
SAME_VALUE = [("company_id", "_ci"), ("caller_number_raw", "_cr"), ("caller_number", "_cl"), ("state", "_se"),
              ("start_time", "_st"), ("end_time", "_et"), ("duration", "_dr"), ("event", "_ev"), ("status", "_su"),
              ("filename", "_fn"), ("department_name", "_dn"), ("_us", "_us")]


@pytest.mark.parametrize("shape", SHAPES, ids=shape_label)
def test_each_long_field_has_the_value_of_its_after_call_field(shape):
    category, outcome, options = shape
    log = call_log.render(build(category, outcome, **options), bits())
    source = call_log_live.source(log)
    assert {long: source[long] for long, _ in SAME_VALUE} == {long: log[short] for long, short in SAME_VALUE}
    assert [(leg["_ds"], leg["action"], leg["duration"], leg["start_time"],
             [(a["name"], a["extension"], a["user_id"]) for a in leg["received_by"]])
            for leg in source["log_details"]] == [
        (leg["_ds"], leg["_ac"], leg["_dr"], leg["_st"], [(a["_na"], a["_ex"], a["_id"]) for a in leg["_rr"]])
        for leg in log["_ld"]]


# --- the hit's user_id ----------------------------------------------------------------------------------
def test_the_hit_user_id_names_the_caller_not_the_call():
    one, two = build("incoming", "bridged", seed=1), build("oneway", "missed", seed=2)
    assert one["id"] != two["id"]
    assert hit_of(one)["user_id"] == hit_of(two)["user_id"]  # the same caller, CUSTOMER
    assert re.fullmatch(r"[0-9a-f]{32}", hit_of(one)["user_id"])
    other = {**one, "customer": {**one["customer"], "number": "+919811100000"}}
    assert hit_of(other)["user_id"] != hit_of(one)["user_id"]
    assert call_log_live.caller_id("0" * 16, CUSTOMER["number"]) != hit_of(one)["user_id"]  # another company


def test_the_panel_link_is_empty_without_a_file():
    assert call_log_live.panel_link("") == ""
    assert call_log_live.panel_link(f"{HEX96}-v2.mp3") == f"https://app.myoperator.com/audio/{HEX96}-v2"
    assert calls.recording_file_name(build("incoming", "bridged")).endswith("-v2.mp3")
