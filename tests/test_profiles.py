"""The two fidelity profiles end to end (mock_server/profiles.py): the same flows under each differ in
exactly the documented places — Send Message's answer and an OBD call.end's category — and nowhere else."""

import pytest
from starlette.testclient import TestClient

from mock_server import create_app, profiles
from mock_server.settings import Settings
from tests.testing.test_plugin import run
from tests.conftest import seeded_tenant

pytest_plugins = ["pytester"]

DIFFERENCES = {
    "documented": ({"message": "Message Sent", "data": ["message_id", "conversaton_id"]}, "outgoing"),
    "observed": ({"message": "Accepted", "data": ["conversation_id", "message_id"]}, "obd"),
}


def play(profile: str) -> tuple[dict, list[dict]]:
    """On a fresh simulator of ``profile``: a template sent, then an OBD call played to its end; the
    send's answer and every webhook event's bodies."""
    app = create_app(Settings(clock="manual", strict=True, profile=profile))
    tenant = seeded_tenant(app)
    with TestClient(app) as client:
        assert client.get("/_mock/health").json()["profile"] == profile
        body = {"phone_number_id": tenant.phone("primary")["phone_number_id"], "customer_country_code": "91",
                "customer_number": "9876543210", "reply_to": None, "myop_ref_id": None,
                "data": {"type": "template", "context": {"template_name": "start_chat", "language": "en"}}}
        sent = client.post("/chat/messages", json=body, headers=tenant.headers)
        assert sent.status_code == 200, sent.json()
        run_ = client.post("/_mock/scenarios/obd-user/run", json={"company_id": tenant.company_id})
        assert run_.status_code == 201
        assert client.post("/_mock/clock/advance", json={"seconds": 3600}).status_code == 200
        events = client.get("/_mock/events", params={"company_id": tenant.company_id}).json()["events"]
    return sent.json(), events


def test_the_profiles_differ_exactly_where_the_docs_and_the_live_service_do():
    (documented, documented_events), (observed, observed_events) = play("documented"), play("observed")
    for profile, answer, events in (("documented", documented, documented_events),
                                    ("observed", observed, observed_events)):
        shape, category = DIFFERENCES[profile]
        assert answer["message"] == shape["message"] and list(answer["data"]) == shape["data"], profile
        [end] = [e for e in events if e["event_type"] == "call.end"]
        assert end["bodies"]["envelope"]["payload"]["category"] == category
    # Everything else is the same, value for value: the ids, the conversation, every other event and field.
    assert documented["data"]["conversaton_id"] == observed["data"]["conversation_id"]
    assert documented["data"]["message_id"] == observed["data"]["message_id"]

    def without_the_category(events):
        for event in events:
            if event["event_type"] == "call.end":
                event["bodies"]["envelope"]["payload"]["category"] = "-"
        return events
    assert without_the_category(documented_events) == without_the_category(observed_events)


def test_the_default_profile_is_the_live_services():
    assert Settings().profile == profiles.DEFAULT == "observed"


@pytest.mark.parametrize("option,expected", [((), "Accepted"), (("--myoperator-profile=documented",), "Message Sent")])
def test_the_plugin_runs_a_users_suite_under_either_profile(pytester, option, expected):
    pytester.makepyfile(f"""
        def test_send(myoperator):
            tenant = myoperator.tenant
            body = {{"phone_number_id": tenant.phone_number_id(), "customer_country_code": "91",
                     "customer_number": "9876543210", "reply_to": None, "myop_ref_id": None,
                     "data": {{"type": "template", "context": {{"template_name": "start_chat", "language": "en"}}}}}}
            answer = myoperator.client.post("/chat/messages", json=body, headers=tenant.headers).json()
            assert answer["message"] == {expected!r}
    """)
    run(pytester, *option).assert_outcomes(passed=1)
