"""The CRM's tests, against the MyOperator simulator, with nothing but the myoperator-mock pytest
plugin's fixtures (installing myoperator-mock is all the set-up there is):

- ``myoperator``: the simulator, fresh for each test, its clock moving only when told;
- ``serve_app``: runs the CRM on a free port, so the simulator's webhooks can reach it;
- ``assert_matches_schema``: holds what the CRM sent MyOperator to the documented contract.
"""

import json

import httpx
import pytest

from crm import MyOperatorAccount, create_crm

# The CRM calls the OBD API over HTTP, from its own server: the simulator must listen on a real port.
pytestmark = pytest.mark.myoperator(server="http")

TOKEN = "a-secret-only-the-crm-and-myoperator-know"
LEADS = {"7": {"name": "Asha Rao", "phone": "+919876543210"},
         "8": {"name": "Vikram Shah", "phone": "+910000000001"}}  # a simulator magic number: always busy


@pytest.fixture
def crm(myoperator, serve_app):
    """The CRM, pointed at the simulator and subscribed to its webhooks; an HTTP client on it."""
    tenant, ivr = myoperator.tenant, myoperator.tenant.ivr("main")
    account = MyOperatorAccount(base_url=myoperator.base_url, company_id=tenant.company_id,
                                obd_api_key=tenant.obd_api_key, public_ivr_id=ivr["public_ivr_id"],
                                secret_token=ivr["secret_token"], agent_id=tenant.agent_id)
    url = serve_app(create_crm(account, webhook_token=TOKEN, leads=LEADS))
    myoperator.subscribe(f"{url}/myoperator/webhooks", events=["call.*"], headers={"X-Webhook-Token": TOKEN})
    with httpx.Client(base_url=url) as client:
        yield client


def test_a_lead_who_answers_is_marked_called(myoperator, crm, assert_matches_schema):
    assert crm.post("/leads/7/call").status_code == 202
    myoperator.advance(seconds=300)  # the call rings, is answered, talked through and hung up, now

    lead = crm.get("/leads/7").json()
    assert lead["status"] == "called"
    [call] = lead["calls"]
    assert call["events"] == ["call.initiated", "call.dial_begin", "call.answered",    # the agent's leg
                              "call.dial_begin", "call.answered", "call.end", "call.summary"]  # the lead's
    end = myoperator.expect_event("call.end", client_ref_id="lead-7")
    assert call["session_id"] == end["session_id"]
    assert call["duration"] == end["payload"]["duration"] > 0
    # What the CRM sent MyOperator is what MyOperator documents.
    [request] = myoperator.journal(path="/obd-api-v1")
    assert_matches_schema(json.loads(request["body"]), "POST /obd-api-v1 request")


def test_a_busy_lead_is_not_reached(myoperator, crm):
    crm.post("/leads/8/call")
    myoperator.advance(seconds=300)
    lead = crm.get("/leads/8").json()
    assert (lead["status"], lead["not_reached_because"]) == ("not reached", "BUSY")


def test_an_event_delivered_twice_is_handled_once(myoperator, crm):
    crm.post("/leads/7/call")
    myoperator.advance(seconds=300)
    [delivery] = myoperator.deliveries(event_type="call.end")
    myoperator.redeliver(delivery["id"])  # as MyOperator may: the same event_id and body, again
    myoperator.advance(seconds=0)  # waits for the CRM's answer
    [delivery] = myoperator.deliveries(event_type="call.end")
    assert [attempt["status_code"] for attempt in delivery["attempts"]] == [200, 200]
    assert crm.get("/leads/7").json()["calls"][0]["events"].count("call.end") == 1


def test_a_webhook_without_the_token_is_refused(crm):
    assert crm.post("/myoperator/webhooks", json={"event_id": "forged"}).status_code == 401
