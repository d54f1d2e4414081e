"""Shared material for the call-model tests: the seeded tenant's telephony data, parties, specs."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from hypothesis import strategies as st

from mock_server import fixtures, schemas
from mock_server.clock import parse_iso
from mock_server.domain import call_builders, call_log, calls
from mock_server.domain.calls import LEG_STATES, SESSION_STATES

T0 = datetime(2025, 7, 1, 10, 0, 0, 123000, tzinfo=timezone.utc)
CUSTOMER = {"number": "+919876543210", "country_code": "91", "name": "Ravi Kumar"}
DID = "+911206544522"


@lru_cache(maxsize=1)
def tenant_state() -> tuple[str, dict]:
    tenant = fixtures.generate(20250701)["tenants"][0]
    return tenant["company_id"], tenant["state"]


def company_id() -> str:
    return tenant_state()[0]


def state(kind: str) -> list[dict]:
    return tenant_state()[1][kind]


def bits() -> dict:
    return call_log.tenant_bits(company_id(), state("users"), state("departments"))


def agents(n: int = 3, department: dict | None = None) -> tuple[dict, ...]:
    pool = [u for u in state("users") if u["receive_calls"] == 1 and not call_builders.is_anonymous_user(u)]
    return tuple(call_builders.party(u, department_id=department["id"] if department else None) for u in pool[:n])


def anonymous_user() -> dict:
    return next(u for u in state("users") if call_builders.is_anonymous_user(u))


def department() -> dict:
    d = state("departments")[0]
    return {"id": d["id"], "name": d["name"]}


def valid(name: str, instance) -> dict:
    """The schema's complaints ({} when valid); the fast and the explaining validator must agree."""
    errors = schemas.field_errors(name, instance)
    assert schemas.fast_validator(name).is_valid(instance) == (errors == {})
    return errors


def spec_for(category: str, outcome: str, **options) -> call_builders.CallSpec:
    """A CallSpec with the tenant's agents wired in the way each category needs them."""
    dept = department() if category in ("incoming", "obd") else None
    agent_count = options.pop("agent_count", 4)
    team = agents(agent_count, dept if category == "incoming" or options.get("dialer") == "ivr" else None)
    if category == "otp":
        team = ()
    if options.get("dialer") == "anonymous":
        team = (call_builders.party(anonymous_user(), phone="+919811122233"),)
    if category == "obd":
        options.setdefault("ivr_id", state("ivrs")[0]["id"])
        options.setdefault("obd_campaign", {"id": state("ivrs")[0]["id"], "job_id": ""})
        options.setdefault("ref_id", "7890c470-cc3c-11f0-9432-f7e9b3b009e3")
        if options.get("dialer") != "ivr":
            dept = None
    return call_builders.CallSpec(category=category, outcome=outcome, customer=CUSTOMER, did=DID, agents=team,
                          department=dept, **options)


# Every shape of call the builders know, as (category, outcome, options).
SHAPES = [
    ("incoming", "bridged", {}), ("incoming", "bridged", {"hunt": 1}), ("incoming", "bridged", {"hunt": 2}),
    ("incoming", "bridged", {"transfer": True}), ("incoming", "bridged", {"hunt": 1, "transfer": True}),
    ("incoming", "bridged", {"extension_dial": True}), ("incoming", "missed", {}),
    ("incoming", "missed", {"agent_count": 0}), ("incoming", "missed", {"failure": "CANCEL"}),
    ("incoming", "missed", {"failure": "BUSY", "hunt": 1}), ("incoming", "voicemail", {}),
    ("incoming", "voicemail", {"hunt": 1}), ("incoming", "voicemail", {"agent_count": 0}),
    ("oneway", "bridged", {}), ("oneway", "missed", {}), ("oneway", "missed", {"failure": "NO CARRIER"}),
    ("oneway", "bridged", {"clickocall": True}), ("oneway", "missed", {"clickocall": True, "missed_by": "agent"}),
    ("callback", "bridged", {"first": "agent"}), ("callback", "bridged", {"first": "customer"}),
    ("callback", "missed", {"first": "customer", "missed_by": "customer"}),
    ("callback", "missed", {"first": "customer", "missed_by": "agent"}),
    ("webcall", "bridged", {}), ("webcall", "missed", {"failure": "BUSY"}),
    ("obd", "bridged", {"dialer": "user"}), ("obd", "bridged", {"dialer": "anonymous"}),
    ("obd", "bridged", {"dialer": "ivr"}), ("obd", "bridged", {"dialer": "ivr", "hunt": 1}),
    ("obd", "missed", {"dialer": "ivr", "agent_count": 0}), ("obd", "missed", {"dialer": "ivr", "missed_by": "customer"}),
    ("obd", "missed", {"dialer": "ivr", "missed_by": "agent"}), ("obd", "missed", {"dialer": "user", "missed_by": "agent"}),
    ("obd", "missed", {"dialer": "user", "missed_by": "customer", "failure": "CANCEL"}),
    ("obd", "missed", {"dialer": "anonymous", "missed_by": "customer"}),
    ("otp", "bridged", {}), ("otp", "missed", {}), ("otp", "missed", {"failure": "BUSY"}),
]


def build(category: str, outcome: str, seed: int = 1, start: datetime = T0, **options) -> dict:
    spec = spec_for(category, outcome, **options)
    return call_builders.build_call(spec, rng=random.Random(seed), start=start, company_id=company_id())


def shape_label(shape) -> str:
    category, outcome, options = shape
    return "-".join([category, outcome] + [f"{k}={v}" for k, v in options.items()])


shapes = st.sampled_from(SHAPES)
seeds = st.integers(min_value=0, max_value=2 ** 32)


def later(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)


def check_invariants(s: dict) -> None:
    """What every session must satisfy: states from the tables, durations that follow from the times."""
    assert s["state"] in SESSION_STATES
    for n, leg in enumerate(s["legs"], 1):
        assert leg["leg_index"] == n and leg["state"] in LEG_STATES
        started = parse_iso(leg["started_at"])
        assert started >= parse_iso(s["started_at"])
        if leg["answered_at"]:
            assert leg["ring_duration"] == calls.seconds_between(leg["started_at"], leg["answered_at"]) >= 0
            assert leg["dial_status"] == "ANSWER" and leg["result"] == "answered"
        if leg["state"] == "ended":
            if leg["answered_at"]:
                assert leg["talk_duration"] == calls.seconds_between(leg["answered_at"], leg["ended_at"])
            elif leg["inbound"]:
                assert leg["talk_duration"] == calls.seconds_between(leg["started_at"], leg["ended_at"])
                assert leg["ring_duration"] is None and leg["dial_status"] == ""
            else:
                assert leg["result"] == "not_answered" and leg["dial_status"] in calls.FAILURES
                assert leg["ring_duration"] == calls.seconds_between(leg["started_at"], leg["ended_at"])
                assert leg["talk_duration"] is None
        else:
            assert leg["ended_at"] is None and leg["talk_duration"] is None
    if s["state"] == "ended":
        assert all(leg["state"] == "ended" for leg in s["legs"])
        assert s["duration"] == calls.seconds_between(s["started_at"], s["ended_at"])
        assert s["status"] in calls.STATUSES
        if s["type"] == "sms":
            assert s["status"] == "bridged" and s["legs"] == [] and s["duration"] == 0
        else:
            assert (s["status"] == "bridged") == s["bridged"] or s["status"] == "voicemail"
        assert all(parse_iso(l["ended_at"]) <= parse_iso(s["ended_at"]) for l in s["legs"])
    else:
        assert s["status"] is None and s["ended_at"] is None
    if s["bridged"]:
        reached = {l["type"] for l in s["legs"] if l["answered_at"] or l["inbound"]}
        assert reached == ({"customer"} if s["category"] == "otp" else {"agent", "customer"}) or (
            s["category"] == "otp" and "customer" in reached)
