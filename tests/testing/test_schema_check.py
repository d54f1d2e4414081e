"""assert_matches_schema: which schema a name means, and a failure that says path, expected and got
(how each rule reads is myoperator-mock validate's, tested in tests/test_validate.py)."""

from __future__ import annotations

import copy
import json

import pytest

from mock_server.testing.schema_check import assert_matches_schema, schema_names
from tests.support import webhook_examples

EXAMPLES = webhook_examples("call")


def documented(event_type: str) -> dict:
    """The docs' own example of a call webhook, as the suite replays it."""
    return copy.deepcopy(next(e["body"] for e in EXAMPLES if e["schema"] == event_type))


@pytest.mark.parametrize(("kind", "fmt", "names"), [
    ("call.end", None, ("webhooks/call.end",)),
    ("disposition", None, ("webhooks/disposition",)),
    ("message.read", None, ("webhooks/message.read",)),
    ("legacy.call_log", None, ("webhooks/legacy.call_log",)),
    ("webhooks/envelope", None, ("webhooks/envelope",)),
    ("obd/call.request", None, ("obd/call.request",)),
    ("POST /obd-api-v1 request", None, ("obd/call.request",)),
    ("call.end", "envelope", ("webhooks/call.end",)),
    ("call.summary", "legacy_call", ("webhooks/legacy.call_log",)),
    ("disposition", "legacy_call", ("webhooks/legacy.disposition",)),
    ("message.read", "legacy_whatsapp", ("webhooks/legacy.message",)),
    ("message.link_tracking", "legacy_whatsapp", ("webhooks/legacy.link_tracking",)),
])
def test_a_schema_is_named_by_event_type_format_or_name(kind, fmt, names):
    assert schema_names(kind, fmt) == names


def test_a_name_or_format_that_names_nothing_is_refused_with_suggestions():
    with pytest.raises(ValueError, match=r"unknown KIND 'call.ned' \(did you mean .*call.end"):
        assert_matches_schema({}, "call.ned")
    with pytest.raises(ValueError, match="Unknown webhook format 'xml'; choose one of: envelope, legacy_call"):
        assert_matches_schema({}, "call.end", format="xml")
    with pytest.raises(ValueError, match="No legacy_call rendering of an event 'call.ned'"):
        assert_matches_schema({}, "call.ned", format="legacy_call")


def test_every_documented_call_webhook_matches_the_schema_its_name_gives():
    for example in EXAMPLES:  # named "call.end", "legacy.call_log"…, as a user would
        assert_matches_schema(example["body"], example["schema"])  # raises if not


def test_a_broken_payload_fails_with_one_line_per_problem():
    body = documented("call.end")
    body["payload"]["legs"][0]["leg_index"] = "1"
    del body["session_id"]
    body["payload"]["surprise"] = True
    with pytest.raises(AssertionError) as failure:
        assert_matches_schema(body, "call.end")
    assert str(failure.value).splitlines() == [
        "invalid: call.end (webhooks/call.end): 3 problems",
        "  $.session_id: expected a value (required); got nothing",
        "  $.payload.surprise: expected no such property (the schema does not allow it); got true",
        '  $.payload.legs[0].leg_index: expected integer; got string "1"',
    ]


def test_a_legacy_rendering_is_checked_against_its_own_schema():
    log = documented("legacy.call_log")
    assert_matches_schema(log, "call.summary", format="legacy_call")
    with pytest.raises(AssertionError, match=r"^invalid: call.summary \(legacy_call\) \(webhooks/legacy.call_log\)"):
        assert_matches_schema(documented("call.summary"), "call.summary", format="legacy_call")  # an envelope


def test_a_raw_body_is_parsed_and_a_non_json_one_fails_clearly():
    assert_matches_schema(json.dumps(documented("call.answered")).encode(), "call.answered")
    with pytest.raises(AssertionError, match="The payload cannot match call.answered: the payload is not JSON"):
        assert_matches_schema(b"{not json", "call.answered")
