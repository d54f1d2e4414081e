"""What the developers API's tests share: its token, its answer to a bad token, a schema check, and
telling which stored call a Search Logs hit is (the hit carries no call id)."""

from mock_server import schemas
from mock_server.clock import parse_iso

# The live answer to a missing or unknown token (OBSERVED A.4), byte for byte.
UNAUTHORIZED = '{"status":"error","message":"This not an authorized request","code":400}'


def unauthorized(response) -> None:
    assert (response.status_code, response.text) == (400, UNAUTHORIZED), response.text
    valid("developers/error", response.json())


def token(tenant) -> str:
    return tenant.state.account["developer_token"]


def valid(schema: str, body) -> None:
    assert schemas.field_errors(schema, body) == {}, body
    assert schemas.fast_validator(schema).is_valid(body)


def hit_key(source: dict) -> tuple:
    """What tells one call of a company from another in a hit, as a client sees it: start, end, caller."""
    return source["start_time"], source["end_time"], source["caller_number"]


def call_key(session: dict) -> tuple:
    """``hit_key`` of a stored call."""
    return (int(parse_iso(session["started_at"]).timestamp()), int(parse_iso(session["ended_at"]).timestamp()),
            session["customer"]["number"])


def call_ids(tenant, sources) -> list[str]:
    """The stored calls the hits' ``_source``s are, in their order (every key must name exactly one call)."""
    ended = [s for s in tenant.state["calls"].values() if s["state"] == "ended"]
    by_key = {call_key(s): s["id"] for s in ended}
    assert len(by_key) == len(ended), "two finished calls share start, end and caller"
    return [by_key[hit_key(source)] for source in sources]


def seconds_of(hms: str) -> int:
    """A log's "HH:MM:SS" as whole seconds, as a client reads it."""
    hours, minutes, secs = (int(part) for part in hms.split(":"))
    return hours * 3600 + minutes * 60 + secs
