"""What the scenario tests share: run a scenario through the control API, read what it emitted, check
every body against its schema, and find the call in the developers API afterwards."""

from __future__ import annotations

from mock_server import schemas
from mock_server.clock import parse_iso
from mock_server.webhooks.dispatcher import schema_name
from tests.developers.support import call_key, hit_key
from tests.support import advance


def run(client, tenant, name: str, **params) -> dict:
    response = client.post(f"/_mock/scenarios/{name}/run", json={"company_id": tenant.company_id, "params": params})
    assert response.status_code == 201, response.text
    assert schemas.field_errors("control/scenario.run.response", response.json()) == {}
    return response.json()


def reload(client, tenant, run: dict) -> dict:
    response = client.get(f"/_mock/tenants/{tenant.company_id}/scenario-runs/{run['id']}")
    assert response.status_code == 200, response.text
    return response.json()


def session(tenant, run: dict) -> dict:
    return tenant.state["calls"].get(run["state"]["session_id"])


def events(ctx, tenant, run: dict) -> list[dict]:
    """The run's call's events, oldest first."""
    uid = session(tenant, run)["uid"]
    return [e for e in ctx.webhooks.events(tenant.company_id) if e["session_id"] == uid]


def leg_of(event: dict) -> int | None:
    """The leg a dial_begin (the newest leg) or answered (the one answered at that moment) is about."""
    body = event["bodies"]["envelope"]
    if event["event_type"] == "call.dial_begin":
        return body["payload"]["legs"][-1]["leg_index"]
    if event["event_type"] == "call.answered":
        (leg,) = [l for l in body["payload"]["legs"] if l["answered_at"] == body["timestamp"]]
        return leg["leg_index"]
    return None


def offset(start, at: str) -> float:
    """Seconds from ``start`` to the instant ``at``, to the tenth: the ticking clock (tests/conftest.py) moves
    a millisecond on every reading, so a step due at 5 s happens at 5.00x s there."""
    return round((parse_iso(at) - start).total_seconds(), 1)


def timeline(events_: list[dict], run: dict) -> list[tuple]:
    start = parse_iso(run["started_at"])
    return [(e["event_type"], leg_of(e), offset(start, e["at"])) for e in events_]


def check_bodies(events_: list[dict]) -> None:
    """Every rendering valid; envelope and event agree; event_sequence strictly increasing but call.summary's 1."""
    sequences = []
    for event in events_:
        for fmt, body in event["bodies"].items():
            if body is not None:
                name = schema_name(event["event_type"], fmt)
                assert schemas.field_errors(name, body) == {}, (event["event_type"], fmt, body)
                assert schemas.fast_validator(name).is_valid(body)
        envelope = event["bodies"]["envelope"]
        assert (envelope["event_id"], envelope["event_type"], envelope["session_id"]) == (
            event["event_id"], event["event_type"], event["session_id"])
        # The envelope shows the event's moment at its documented precision (µs, ms, or whole seconds).
        assert event["at"].startswith(envelope["timestamp"].rstrip("Z")), (envelope["timestamp"], event["at"])
        assert (event["bodies"]["legacy_call"] is not None) == (event["event_type"] in ("call.summary", "disposition"))
        if event["event_type"] == "call.summary":
            assert envelope["event_sequence"] == 1
        else:
            sequences.append(envelope["event_sequence"])
    assert sequences == sorted(set(sequences)) and sequences[0] == 1, sequences
    assert len({e["event_id"] for e in events_}) == len(events_)


def search_log(client, tenant, call: dict) -> dict:
    """The call's hit as POST /search/search lists it (found as a client finds it: by its start, end
    and caller, the hit having no call id)."""
    token = tenant.state.account["developer_token"]
    start = int(parse_iso(call["started_at"]).timestamp())
    response = client.post("/search/search", data={"token": token, "from": start, "to": start, "page_size": 100})
    assert response.status_code == 200, response.text
    hits = [h for h in response.json()["data"]["hits"] if hit_key(h["_source"]) == call_key(call)]
    assert len(hits) == 1, f"call {call['id']} is not (once) in /search/search"
    return hits[0]


def recording_plays(client, tenant, file_name: str) -> None:
    token = tenant.state.account["developer_token"]
    link = client.get("/search/recordings/link", params={"token": token, "file": file_name})
    assert link.status_code == 200, link.text
    audio = client.get(link.json()["url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    assert len(audio.content) > 1000


def answers_a_failed_leg(name: str) -> str:
    """A scenario file whose 4th step, at once, answers the agent's leg after it failed: an illegal move."""
    return f"""\
name: {name}
description: The agent's leg is answered after it ended (an illegal move).
channel: call
params:
  customer: {{kind: customer, description: The customer., pick: 1}}
  did: {{kind: did, description: The DID., pick: 1}}
  agent: {{kind: agent, description: The agent., pick: 1}}
steps:
  - at: 0
    do: call.start
    with: {{category: incoming, caller: customer, customer: $customer, did: $did}}
  - at: 0
    do: call.dial
    with: {{party: agent, agent: $agent}}
  - at: 0
    do: call.fail
    with: {{leg: agent, dial_status: BUSY}}
  - at: 0
    do: call.answer
    with: {{leg: agent}}
  - after: 30
    do: call.end
"""
