"""A small CRM that calls its leads through MyOperator and follows each call by webhook: the kind
of app the myoperator-mock pytest plugin is for (its tests are in test_crm.py).

    POST /leads/{lead_id}/call      call the lead: an OBD call, the agent's phone first, then the lead's
    POST /myoperator/webhooks       MyOperator's call webhooks (the new envelope, JSON)
    GET  /leads/{lead_id}           the lead: its status and its calls

What it does with the webhooks, the part worth testing:
- it refuses a request without the shared token (a custom header set on the webhook);
- it keeps each event once: MyOperator may deliver an event again, and asks receivers to
  deduplicate by event_id;
- it keeps each call by session_id, with the events in the order they came;
- on call.end it marks the lead "called" when the lead answered, else "not reached" (and why);
- on call.summary it keeps the call's duration and recording file name.

State is kept in memory: this is an example, not a CRM.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass(frozen=True)
class MyOperatorAccount:
    """Where and as whom the CRM calls MyOperator (in production base_url is https://obd-api.myoperator.co)."""

    base_url: str
    company_id: str
    obd_api_key: str
    public_ivr_id: str
    secret_token: str
    agent_id: str  # the agent whose phone rings first (the OBD "user dialer")


def create_crm(account: MyOperatorAccount, webhook_token: str, leads: dict[str, dict]) -> Starlette:
    """The CRM's app; ``leads`` maps a lead's id to {"name", "phone"} (E.164)."""
    leads = {lead_id: {**lead, "id": lead_id, "status": "new", "calls": []} for lead_id, lead in leads.items()}
    calls: dict[str, dict] = {}  # by MyOperator's session_id
    seen_event_ids: set[str] = set()

    async def call_lead(request: Request) -> JSONResponse:
        lead = leads.get(request.path_params["lead_id"])
        if lead is None:
            return JSONResponse({"error": "no such lead"}, status_code=404)
        async with httpx.AsyncClient(base_url=account.base_url, timeout=10) as myoperator:
            answer = await myoperator.post("/obd-api-v1", headers={"x-api-key": account.obd_api_key}, json={
                "company_id": account.company_id, "secret_token": account.secret_token,
                "public_ivr_id": account.public_ivr_id, "type": "1", "user_id": account.agent_id,
                "number": lead["phone"],
                "reference_id": f"lead-{lead['id']}",  # comes back as client_ref_id in the call's webhooks
            })
        if answer.status_code != 200:
            return JSONResponse({"error": "MyOperator refused the call", "answer": answer.json()}, status_code=502)
        lead["status"] = "dialling"
        return JSONResponse({"lead": lead["id"], "unique_id": answer.json()["unique_id"]}, status_code=202)

    async def webhook(request: Request) -> JSONResponse:
        if not secrets.compare_digest(request.headers.get("x-webhook-token", ""), webhook_token):
            return JSONResponse({"error": "bad token"}, status_code=401)
        event = await request.json()
        if event["event_id"] in seen_event_ids:  # a redelivery: already handled, still a success
            return JSONResponse({"duplicate": True})
        seen_event_ids.add(event["event_id"])
        payload = event["payload"]
        call = calls.setdefault(event["session_id"], {"session_id": event["session_id"], "events": []})
        call["events"].append(event["event_type"])
        lead = leads.get(str(payload.get("client_ref_id") or "").removeprefix("lead-"))
        if lead is not None and call not in lead["calls"]:
            lead["calls"].append(call)
        if event["event_type"] == "call.end" and lead is not None:
            customer = next((leg for leg in payload["legs"] if leg["type"] == "customer"), {})
            if customer.get("result") == "answered":
                lead["status"] = "called"
            else:  # BUSY, NO ANSWER…; no customer leg when the agent never picked up
                lead["status"] = "not reached"
                lead["not_reached_because"] = customer.get("dial_status") or "the agent did not answer"
        if event["event_type"] == "call.summary":
            call["duration"], call["recording"] = payload["duration"], payload["recording_filename"]
        return JSONResponse({"ok": True})

    async def get_lead(request: Request) -> JSONResponse:
        lead = leads.get(request.path_params["lead_id"])
        return JSONResponse(lead) if lead else JSONResponse({"error": "no such lead"}, status_code=404)

    return Starlette(routes=[
        Route("/leads/{lead_id}/call", call_lead, methods=["POST"]),
        Route("/myoperator/webhooks", webhook, methods=["POST"]),
        Route("/leads/{lead_id}", get_lead, methods=["GET"]),
    ])
