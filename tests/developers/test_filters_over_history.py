"""The filters mean what their names say over the fixtures' call history (the legacy rendering)."""

import pytest

from mock_server.developers import filter_expr
from mock_server.domain import call_log


@pytest.fixture
def history(tenant):
    bits = call_log.tenant_bits(tenant.company_id, tenant.state["users"].values(), tenant.state["departments"].values())
    return [(session, call_log.render(session, bits)) for session in tenant.state["calls"]]


@pytest.mark.parametrize("expression,meaning", [
    ("42", lambda s: s["category"] == "callback"),
    ("41", lambda s: s["category"] == "obd"),
    ("5", lambda s: s["direction"] == "incoming"),
    ("6", lambda s: s["direction"] == "outgoing"),
    ("9", lambda s: s["type"] == "sms"),
    ("12 AND 8", lambda s: s["type"] == "call" and s["status"] == "bridged"),
    ("13 AND 8", lambda s: s["type"] == "call" and s["status"] == "missed"),
    ("14", lambda s: s["status"] == "voicemail"),
    ("24", lambda s: s["starred"]),
    ("23", lambda s: s["archived"]),
    ("22", lambda s: bool(s["comments"])),
    ("3", lambda s: s["source"] == "mobile"),
])
def test_each_filter_selects_what_its_name_says(history, expression, meaning):
    matches = filter_expr.compile(expression)
    selected = {s["id"] for s, log in history if matches(log)}
    assert selected == {s["id"] for s, _ in history if meaning(s)}
    assert selected, f"the fixtures' history has no call for filter {expression}"
