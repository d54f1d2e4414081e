"""The filters mean what their names say over the fixtures' call history (the legacy rendering)."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mock_server.developers import filter_expr
from mock_server.domain import call_log
from tests.developers.support import call_ids
from tests.developers.test_filter_expr import ORACLE, printed, trees


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


# --- random expressions through POST /search/search, against brute force over the fixtures ------
def every_hit(client, params) -> list[dict]:
    """Every hit, 100 a page until a short page."""
    hits = []
    while True:
        response = client.post("/search/search", data={**params, "log_from": len(hits), "page_size": 100})
        assert response.status_code == 200, response.text
        page = response.json()["data"]["hits"]
        hits += page
        if len(page) < 100:
            return hits


def leaf(filter_id: str, log: dict) -> bool:
    try:
        return ORACLE[filter_id](log)
    except IndexError:  # an oracle reading the first leg of a log without agent legs: no match
        return False


def brute_force(tree, log) -> bool:
    """The tree evaluated by Python's own any/all over the oracles (a category: any of its children)."""
    kind, content = tree
    if kind == "id":
        return any(leaf(child, log) for child in filter_expr.CHILDREN.get(content) or [content])
    combine = all if kind == "and" else any
    return combine(brute_force(child, log) for child in content)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), tree=trees)
def test_random_expressions_select_what_brute_force_selects_over_the_history(client, tenant, history, data, tree):
    text = data.draw(printed(tree))
    if len(text) > 1000:
        return
    hits = every_hit(client, {"token": tenant.state.account["developer_token"], "filters": text})
    found = set(call_ids(tenant, [hit["_source"] for hit in hits]))
    assert found == {session["id"] for session, log in history if brute_force(tree, log)}, text
