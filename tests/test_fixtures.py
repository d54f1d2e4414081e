import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mock_server import fixtures
from mock_server.clock import parse_iso
from mock_server.settings import DEFAULT_SEED
from tests.conftest import make_app
from tests.support import ctx_of

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "default.json"


def test_generation_is_deterministic_and_seed_dependent():
    assert fixtures.generate(7) == fixtures.generate(7)
    assert fixtures.generate(7) != fixtures.generate(8)


def test_committed_default_fixtures_equal_the_generator_output():
    # Regenerate with: myoperator-mock fixtures export fixtures/default.json
    assert json.loads(DEFAULT_FILE.read_text(encoding="utf-8")) == fixtures.generate(DEFAULT_SEED)


def test_every_documented_phone_and_waba_state_is_seeded():
    for tenant in fixtures.generate(DEFAULT_SEED)["tenants"]:
        state = tenant["state"]
        roles = [p["role"] for p in state["phone_numbers"]]
        assert roles == [r for r, _, _ in fixtures.PHONE_STATES] + [f"connected_{n}" for n in range(1, 8)]
        primary = next(w["id"] for w in state["waba_accounts"] if w["role"] == "primary")
        assert sum(p["waba_account_id"] == primary for p in state["phone_numbers"]) == 11  # as the docs' example
        assert {t["waba_template_status"] for t in state["templates"]} == {"approved", "pending", "rejected"}
        assert {c["status"] for c in state["campaigns"]} == {"scheduled", "completed", "failed"}
        kinds = {f["type"] for f in state["custom_fields"]}
        assert kinds == {"text", "text_area", "number", "single_select", "multi_select", "date", "date_time", "switch"}
        components = {c["type"] for t in state["templates"] for c in t["components"]}
        assert components == {"HEADER", "BODY", "FOOTER", "BUTTONS", "CAROUSEL"}
        buttons = {(b["type"], b.get("format")) for t in state["templates"] for c in t["components"]
                   if c["type"] == "BUTTONS" for b in c["buttons"]}
        assert {("URL", "STATIC"), ("URL", "DYNAMIC"), ("PHONE_NUMBER", None), ("QUICK_REPLY", None),
                ("OTP", None)} <= buttons


def test_two_companies_with_distinct_credentials():
    tenants = fixtures.generate(DEFAULT_SEED)["tenants"]
    accounts = [t["state"]["account"][0] for t in tenants]
    assert len({a["company_id"] for a in accounts}) == 2 and len({a["api_key"] for a in accounts}) == 2


def test_a_users_fixtures_file_replaces_the_generated_one(tmp_path):
    data = fixtures.generate(DEFAULT_SEED)
    data["tenants"] = data["tenants"][:1]
    data["tenants"][0]["state"]["account"][0]["wallet_balance"] = 12.5
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data))
    app = make_app(fixtures_path=path)
    tenants = list(ctx_of(app).store.tenants.values())
    assert len(tenants) == 1 and tenants[0].account["wallet_balance"] == 12.5


def test_generated_fixtures_satisfy_the_fixtures_file_schema():
    from mock_server import schemas
    assert schemas.field_errors("fixtures/file", fixtures.generate(DEFAULT_SEED)) == {}


@pytest.mark.parametrize("breakage,complaint", [
    (lambda d: d.update(tenants=[{"state": {}}]), "tenants.0.company_id"),
    (lambda d: d["tenants"][0]["state"]["account"][0].pop("api_key"), "api_key is required"),
    (lambda d: d["tenants"][0]["state"]["phone_numbers"][0].pop("profile"), "phone_numbers.0.profile: profile is required"),
    (lambda d: d["tenants"][0]["state"]["custom_fields"][8].pop("options"), "options is required"),
    (lambda d: d["tenants"][1].update(company_id=d["tenants"][0]["company_id"]), "differs"),
    (lambda d: d["tenants"][1]["state"]["account"][0].update(  # a token names one company (the store's index)
        developer_token=d["tenants"][0]["state"]["account"][0]["developer_token"]), "share a developer_token"),
])
def test_a_malformed_fixtures_file_is_refused_with_a_clear_message(tmp_path, breakage, complaint):
    data = fixtures.generate(DEFAULT_SEED)
    breakage(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=re.escape(complaint)):
        fixtures.load_file(path)


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{nope")
    with pytest.raises(ValueError, match="not a readable JSON file"):
        fixtures.load_file(path)


def test_each_company_is_seeded_with_its_call_history(app):
    for tenant in ctx_of(app).store.tenants.values():
        calls = tenant["calls"].values()
        assert len(calls) == fixtures.CALL_HISTORY
        assert {c["category"] for c in calls} >= {"incoming", "oneway", "callback", "webcall", "obd", "otp"}
        assert {c["status"] for c in calls if c["type"] == "call"} >= {"bridged", "missed", "voicemail"}
    again = make_app().state.ctx.store.tenants
    assert [c["id"] for c in again[tenant.company_id]["calls"]] == [c["id"] for c in calls]


def _history_args(seed=DEFAULT_SEED):
    data = fixtures.for_seed(seed)
    tenant = data["tenants"][0]
    inputs = {kind: tenant["state"].get(kind, []) for kind in ("users", "departments", "dids", "ivrs", "contacts")}
    return (tenant["company_id"], data.get("reference_time", fixtures.iso(fixtures.REFERENCE_TIME)),
            tenant["call_history"]["count"], tenant["call_history"]["seed"], json.dumps(inputs, sort_keys=True))


def test_a_call_history_is_kept_between_runs_and_regenerated_when_what_made_it_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(fixtures, "_HISTORY_CACHE", tmp_path / "cache")
    args = _history_args()
    fixtures._history.cache_clear()
    made = fixtures._history(*args)
    (kept,) = (tmp_path / "cache").iterdir()
    assert json.loads(kept.read_text())["calls"] == made
    fixtures._history.cache_clear()
    assert fixtures._history(*args) == made  # read back from the file
    stale = json.loads(kept.read_text())
    kept.write_text(json.dumps({"key": stale["key"], "calls": []}))
    fixtures._history.cache_clear()
    assert fixtures._history(*args) == []  # what the file says, for the same key...
    kept.write_text(json.dumps({"key": "made by other code", "calls": []}))
    fixtures._history.cache_clear()
    assert fixtures._history(*args) == made  # ...and generated again for another one
    assert json.loads(kept.read_text())["calls"] == made
    kept.write_text("{not json")
    fixtures._history.cache_clear()
    assert fixtures._history(*args) == made
    fixtures._history.cache_clear()


@pytest.mark.parametrize("where", ["under a file", "no home"])
def test_a_call_history_is_generated_where_it_cannot_be_kept(tmp_path, monkeypatch, where):
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(fixtures, "_HISTORY_CACHE", tmp_path / "file" / "cache" if where == "under a file" else None)
    fixtures._history.cache_clear()
    assert len(fixtures._history(*_history_args())) == fixtures.CALL_HISTORY
    fixtures._history.cache_clear()
    assert (tmp_path / "file").read_text() == ""


def test_without_a_home_directory_no_cache_folder_is_named(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def homeless():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", homeless)
    assert fixtures._cache_folder() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert fixtures._cache_folder() == Path("/somewhere/myoperator-mock")


# --- no wall clock in generation ---------------------------------------------------------------------
# Run in a fresh interpreter whose "today" is argv[1]: datetime, date and time.time are replaced before
# faker or the fixtures are imported, so every `from datetime import datetime` sees the frozen ones.
FROZEN_TODAY = """
import datetime, hashlib, sys, time
today = datetime.datetime.fromisoformat(sys.argv[1])

class FrozenDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return today.astimezone(tz) if tz else today.replace(tzinfo=None)

    @classmethod
    def utcnow(cls):
        return today.replace(tzinfo=None)

    @classmethod
    def today(cls):
        return cls.now()

class FrozenDate(datetime.date):
    @classmethod
    def today(cls):
        return today.date()

datetime.datetime, datetime.date = FrozenDatetime, FrozenDate
time.time = today.timestamp

import faker.providers.date_time
import orjson
from mock_server import fixtures

data = fixtures.generate(int(sys.argv[2]))
data["calls"] = [fixtures.tenant_state(t, data["reference_time"])["calls"] for t in data["tenants"]]
print(faker.providers.date_time.datetime.now().date(), hashlib.sha256(orjson.dumps(data)).hexdigest())
"""


def generated_on(today: str, seed: int) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as cache:  # an empty history cache: the call history is generated here
        done = subprocess.run([sys.executable, "-c", FROZEN_TODAY, today, str(seed)], capture_output=True, text=True,
                              cwd=DEFAULT_FILE.parent.parent, timeout=120, env={**os.environ, "XDG_CACHE_HOME": cache})
    assert done.returncode == 0, done.stderr
    seen_today, digest = done.stdout.split()
    return seen_today, digest


def test_generation_does_not_depend_on_todays_date():
    first = generated_on("2026-12-03T11:00:00+00:00", DEFAULT_SEED)
    second = generated_on("2031-02-28T23:30:00+00:00", DEFAULT_SEED)
    assert (first[0], second[0]) == ("2026-12-03", "2031-02-28")  # the freeze reached faker
    assert first[1] == second[1]


# --- what a server loads -----------------------------------------------------------------------------
def test_a_server_on_the_default_seed_loads_the_committed_file_without_generating(monkeypatch):
    def refuse(seed):
        raise AssertionError(f"generated seed {seed} instead of loading fixtures/default.json")

    monkeypatch.setattr(fixtures, "_generate", refuse)
    assert fixtures.default_file() == DEFAULT_FILE  # in a checkout; in the wheel, the copy inside the package
    assert make_app().state.ctx.fixtures == json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_a_server_on_another_seed_generates_its_fixtures():
    assert make_app(seed=7).state.ctx.fixtures == fixtures.generate(7)


# --- dates on the real clock -------------------------------------------------------------------------
def by_id(documents) -> dict[str, dict]:
    return {d["id"]: d for d in documents}


def test_on_the_real_clock_every_fixture_date_keeps_its_distance_from_the_servers_start():
    real, manual = make_app(clock="real").state.ctx, make_app().state.ctx
    start, reference = real.started_at, parse_iso(real.fixtures["reference_time"])
    for company_id, tenant in real.store.tenants.items():
        before = manual.store.tenants[company_id]
        for kind, field in (("calls", "started_at"), ("calls", "ended_at"), ("campaigns", "scheduled_at"),
                            ("contacts", "created"), ("templates", "modified"), ("ivrs", "billing_expires_at")):
            now_docs, then_docs = by_id(tenant[kind]), by_id(before[kind])
            assert now_docs.keys() == then_docs.keys()  # same ids, contact ids that embed a time included
            for doc_id, doc in now_docs.items():
                assert parse_iso(doc[field]) - start == parse_iso(then_docs[doc_id][field]) - reference
        legs = [leg["answered_at"] for call in tenant["calls"] for leg in call["legs"] if leg["answered_at"]]
        assert legs and all(parse_iso(t) < start for t in legs)
        newest = max(parse_iso(c["ended_at"]) for c in tenant["calls"])
        assert start - timedelta(days=2) < newest < start
        dobs = {c["id"]: c["custom_fields"].get("dob") for c in tenant["contacts"]}
        assert dobs == {c["id"]: c["custom_fields"].get("dob") for c in before["contacts"]}  # not relative to now


def test_on_the_real_clock_a_last_seven_days_log_search_finds_the_fixture_calls():
    app = make_app(clock="real")
    ctx = ctx_of(app)
    tenant = next(iter(ctx.store.tenants.values()))
    with TestClient(app) as client:
        now = ctx.now()
        window = {"from": int((now - timedelta(days=7)).timestamp()), "to": int(now.timestamp())}
        response = client.post("/search/search", params={"token": tenant.account["developer_token"], **window})
    assert response.status_code == 200, response.text
    expected = [c for c in tenant["calls"] if window["from"] <= parse_iso(c["started_at"]).timestamp() <= window["to"]]
    assert response.json()["data"]["total"] == len(expected) > 20


def test_on_the_manual_clock_the_fixture_dates_are_the_reference_ones():
    ctx = make_app().state.ctx
    reference = ctx.fixtures["reference_time"]
    assert ctx.now() == parse_iso(reference)
    for tenant in ctx.fixtures["tenants"]:
        assert list(ctx.store.tenants[tenant["company_id"]]["calls"]) == fixtures.tenant_state(tenant, reference)["calls"]


def test_a_reset_on_the_real_clock_anchors_to_the_servers_start_again():
    ctx = make_app(clock="real").state.ctx
    first = [c["started_at"] for t in ctx.store.tenants.values() for c in t["calls"]]
    ctx.reset()
    assert [c["started_at"] for t in ctx.store.tenants.values() for c in t["calls"]] == first


def test_a_users_fixtures_file_on_the_real_clock_is_anchored_from_its_own_reference_time(tmp_path):
    data = fixtures.generate(DEFAULT_SEED)
    data["reference_time"] = "2025-07-20T10:00:00.000000Z"  # five days after the contacts' generation instant
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data))
    ctx = make_app(clock="real", fixtures_path=path).state.ctx
    contact = data["tenants"][0]["state"]["contacts"][0]
    seeded = ctx.store.tenants[data["tenants"][0]["company_id"]]["contacts"].get(contact["id"])
    assert ctx.started_at - parse_iso(seeded["created"]) == parse_iso(data["reference_time"]) - parse_iso(contact["created"])


def test_shifting_moves_timestamps_only():
    doc = {"id": "6851f2c0a1b2c3d4e5f6a7b8", "uid": "s4.1752573600.000", "created": "2025-07-15T10:00:00.000000Z",
           "legs": [{"started_at": "2025-07-14T23:59:59.500000Z", "phone": "+919876543210"}], "day": "2025-07-15",
           "custom_fields": {"dob": "1990-01-01", "seen": "2025-07-15T10:00:00.000000Z"}, "count": 1752573600}
    shifted = fixtures.shift_times(doc, timedelta(days=1, seconds=1))
    assert shifted == {**doc, "created": "2025-07-16T10:00:01.000000Z",
                       "legs": [{"started_at": "2025-07-16T00:00:00.500000Z", "phone": "+919876543210"}]}
    assert doc["created"] == "2025-07-15T10:00:00.000000Z"  # a copy: the cached fixtures stay as they are
