"""The legacy call log (AfterCall / Disposition webhooks): exact short fields, types and quirks."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings

from mock_server.clock import parse_iso
from mock_server.domain import call_builders, call_log, calls
from tests.domain.call_support import SHAPES, T0, bits, build, company_id, seeds, shape_label, shapes, state, valid
from tests.support import webhook_examples

EXAMPLES = webhook_examples("call")

LEGACY = [e for e in EXAMPLES if e["schema"].startswith("legacy.")]


@pytest.mark.parametrize("example", LEGACY, ids=lambda e: f"{e['schema']}-{e['title']}")
def test_the_documented_examples_validate(example):
    assert valid(f"webhooks/{example['schema']}", example["body"]) == {}


def test_the_schemas_tell_the_two_webhooks_apart():
    after_call = next(e["body"] for e in LEGACY if e["schema"] == "legacy.call_log")
    disposition = next(e["body"] for e in LEGACY if e["schema"] == "legacy.disposition")
    assert valid("webhooks/legacy.call_log", disposition)  # _dsp and legs without _wr
    assert valid("webhooks/legacy.disposition", after_call)  # no _dsp
    table_style = copy.deepcopy(after_call)
    table_style["_pm"] = [{"_ky": p["ky"], "_vl": p["vl"]} for p in after_call["_pm"]]
    assert valid("webhooks/legacy.call_log", table_style)  # the examples say ky / vl
    for field, wrong in (("_so", 1), ("_su", "2"), ("_ns", 0), ("_ty", "1"), ("_dr", "24"), ("_ts", "1572424762")):
        assert valid("webhooks/legacy.call_log", after_call | {field: wrong}), field


def session_with_everything() -> dict:
    """A transferred incoming call with a note, two dispositions, starred and archived."""
    s = build("incoming", "bridged", seed=3, transfer=True)
    end = parse_iso(s["ended_at"])
    users = state("users")
    s = calls.add_comment(s, end + timedelta(seconds=5), comment_id="c" * 16, text="call back", user_id=users[0]["id"])
    s = calls.add_disposition(s, end + timedelta(seconds=9), type=1, name="Support", user_id=users[0]["id"])
    s = calls.add_disposition(s, end + timedelta(seconds=9), type=2, name="Resolved", user_id=users[1]["id"])
    s = calls.set_flag(s, end + timedelta(seconds=20), "starred")
    return calls.set_flag(s, end + timedelta(seconds=30), "archived")


def test_a_transferred_call_renders_every_field_as_documented():
    s = session_with_everything()
    log = call_log.render(s, bits())
    assert valid("webhooks/legacy.call_log", log) == {}
    start, end = int(parse_iso(s["started_at"]).timestamp()), int(parse_iso(s["ended_at"]).timestamp())
    assert (log["_ai"], log["_ci"], log["_so"], log["_ty"], log["_ev"], log["_su"], log["_ns"]) == (
        s["id"], company_id(), "1", 1, 1, 1, "0")
    assert (log["_cl"], log["_cr"], log["_cy"], log["_cm"]) == ("+919876543210", "9876543210", "91", "Ravi Kumar")
    assert log["_st"] == start and log["_et"] == end and log["_ms"] == start * 1000
    assert log["_dr"] == "%02d:%02d:%02d" % ((end - start) // 3600, (end - start) % 3600 // 60, (end - start) % 60)
    assert log["_drm"] == round((end - start) / 60, 2)
    assert log["_se"] == s["location"].replace(" ", "") and "," in log["_se"]
    assert (log["_dn"], log["_di"]) == (s["department"]["name"], s["department"]["id"])
    assert log["_fn"] == s["recording"] and log["_fu"] == f"http://myoperator.co/audio/{s['recording'][:-4]}"
    assert log["_pm"] == [{"ky": "ui", "vl": s["uid"]}, {"ky": "is", "vl": "1"}, {"ky": "vt", "vl": "2"},
                          {"ky": "ic", "vl": "1"}, {"ky": "ia", "vl": "1"}, {"ky": "ib", "vl": "1"}]
    assert log["_an"] == 0 and log["_ri"] == log["_cri"] == log["_ivid"] == log["_ji"] == ""
    first, second = log["_ld"]  # the agent legs only; the caller's leg is not one
    users = {u["id"]: u for u in state("users")}
    agent = users[s["legs"][1]["user_id"]]
    assert first["_rr"] == [{"_id": agent["id"], "_na": agent["name"], "_em": agent["email"],
                             "_ex": str(agent["extension"]), "_ct": agent["contact_number"],
                             "_nr": f"+91{agent['contact_number']}"}]
    assert first["_ac"] == "transferred" and first["_tt"] == second["_rr"] and second["_tt"] == []
    assert second["_ac"] == "received" and first["_su"] == second["_su"] == "1" and first["_wr"] is True
    assert first["_ds"] == "ANSWER" and first["_did"] == s["did"]
    leg = s["legs"][1]
    assert first["_st"] == int(parse_iso(leg["answered_at"]).timestamp())
    assert first["_dr"] == "00:%02d:%02d" % divmod(leg["talk_duration"], 60)
    ist = parse_iso(leg["started_at"]).astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert first["_rst"] == ist.strftime("%Y-%m-%d %H:%M:%S")
    assert log["_us"] == [{"ky": s["legs"][1]["user_id"], "vl": "transferred"},
                          {"ky": s["legs"][2]["user_id"], "vl": "received"}]
    assert log["_cn"] == [] and log["_tc"] == []


def test_the_disposition_log_adds_dsp_and_drops_wr():
    s = session_with_everything()
    log = call_log.render_disposition(s, bits())
    assert valid("webhooks/legacy.disposition", log) == {}
    assert [list(log).index(k) for k in ("_drm", "_dsp", "_ty")] == sorted(list(log).index(k) for k in
                                                                            ("_drm", "_dsp", "_ty"))
    users = state("users")
    at = int(parse_iso(s["dispositions"][0]["at"]).timestamp())
    assert log["_dsp"] == [{"_lb": 1, "_na": "Support", "_ag": users[0]["id"], "_ts": at},
                           {"_lb": 2, "_na": "Resolved", "_ag": users[1]["id"], "_ts": at}]
    assert all("_wr" not in leg for leg in log["_ld"])
    without = {k: v for k, v in log.items() if k != "_dsp"}
    after_call = call_log.render(s, bits())
    assert without == after_call | {"_ld": [{k: v for k, v in leg.items() if k != "_wr"} for leg in after_call["_ld"]]}


def test_the_seconds_field_is_the_starts_second_of_the_utc_day():
    # The AfterCall example: _st 1572424731 (08:38:51 UTC) has _ss 31131.
    start = datetime.fromtimestamp(1572424731, timezone.utc)
    s = build("incoming", "missed", start=start)
    log = call_log.render(s, bits())
    assert log["_st"] == 1572424731 and log["_ss"] == 31131 and log["_ms"] == 1572424731000 and log["_su"] == 2


def test_codes_for_sources_directions_types_and_notifications():
    obd = build("obd", "bridged", dialer="anonymous", client_ref_id="abc-1")
    log = call_log.render(obd, bits())
    assert (log["_ev"], log["_ns"], log["_an"], log["_ri"], log["_cri"], log["_ivid"]) == (
        2, "2", 1, obd["ref_id"], "abc-1", obd["ivr_id"])
    assert log["_ld"][0]["_rr"][0]["_na"] == "Anonymous User" and log["_ld"][0]["_rr"][0]["_ex"] == "0"
    assert log["_ld"][0]["_rr"][0]["_em"] == ""  # the anonymous user has no email: "" as documented
    assert call_log.render(build("webcall", "bridged"), bits())["_ns"] == "3"
    assert call_log.render(build("oneway", "bridged", clickocall=True), bits())["_ns"] == "1"
    voicemail = call_log.render(build("incoming", "voicemail"), bits())
    assert voicemail["_su"] == 3 and all(leg["_su"] == "2" and leg["_ac"] == "missed" for leg in voicemail["_ld"])
    busy = call_log.render(build("oneway", "missed", failure="BUSY", source="mobile"), bits())
    assert busy["_so"] == "2" and busy["_su"] == 2 and busy["_fn"] == busy["_fu"] == ""
    assert busy["_ld"][0]["_ac"] == "received"  # the oneway agent placed the call: reached


def test_a_failed_legs_dial_string_has_no_space():
    log = call_log.render(build("incoming", "missed", hunt=1, failure="BUSY"), bits())
    assert {leg["_ds"] for leg in log["_ld"]} <= {"NOANSWER", "BUSY"} and log["_ld"][-1]["_ds"] == "BUSY"


def test_an_sms_log_and_a_recording_link_maker():
    import random
    sms = call_builders.build_sms(rng=random.Random(2), start=T0, company_id=company_id(), customer={
        "number": "+447700900123", "country_code": "44", "name": ""}, did="+911206544522", direction="incoming")
    log = call_log.render(sms, bits())
    assert valid("webhooks/legacy.call_log", log) == {}
    assert (log["_ty"], log["_ev"], log["_ld"], log["_cr"], log["_cy"], log["_se"]) == (2, 1, [], "7700900123", "44", "")
    linked = call_log.tenant_bits(company_id(), state("users"), state("departments"),
                                  recording_url=lambda name: f"http://127.0.0.1:8800/recordings/{name}")
    call = build("oneway", "bridged")
    assert call_log.render(call, linked)["_fu"] == f"http://127.0.0.1:8800/recordings/{call['recording']}"


def test_a_log_needs_a_finished_call_and_a_disposition_log_a_disposition():
    s = build("incoming", "bridged")
    with pytest.raises(ValueError, match="ended"):
        call_log.render(calls.session_at(s, parse_iso(s["started_at"]) + timedelta(seconds=1)), bits())
    with pytest.raises(ValueError, match="needs a disposition"):
        call_log.render_disposition(s, bits())


@pytest.mark.parametrize("shape", SHAPES, ids=shape_label)
def test_every_shape_of_call_renders_valid_logs(shape):
    category, outcome, options = shape
    s = build(category, outcome, **options)
    s = calls.add_disposition(s, parse_iso(s["ended_at"]), type=2, name="Done", user_id=state("users")[0]["id"])
    assert valid("webhooks/legacy.call_log", call_log.render(s, bits())) == {}
    assert valid("webhooks/legacy.disposition", call_log.render_disposition(s, bits())) == {}


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=seeds)
def test_any_seed_renders_a_valid_log_whose_legs_are_the_agent_legs(shape, seed):
    category, outcome, options = shape
    s = build(category, outcome, seed=seed, **options)
    log = call_log.render(s, bits())
    assert valid("webhooks/legacy.call_log", log) == {}
    agent_legs = [l for l in s["legs"] if l["type"] == "agent"]
    assert len(log["_ld"]) == len(agent_legs)
    assert [leg["_ac"] for leg in log["_ld"]] == [calls.leg_outcome(l) for l in agent_legs]
    assert log["_su"] == {"bridged": 1, "missed": 2, "voicemail": 3}[outcome]
