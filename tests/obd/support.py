"""Helpers for OBD API tests: credentials from the fixtures and a valid request of each dialer."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mock_server import schemas

EXAMPLES = json.loads((Path(__file__).resolve().parent.parent / "data" / "telephony_examples.json").read_text("utf-8"))


class Obd:
    def __init__(self, client, tenant):
        self.client, self.tenant = client, tenant
        state = tenant.state
        self.key = state.account["obd_api_key"]
        self.ivrs = {i["label"]: i for i in state["ivrs"]}
        self.agent = next(u for u in state["users"] if u["role"] == "agent")

    def body(self, dialer: str = "user", ivr: str = "main", **fields) -> dict:
        ivr_doc = self.ivrs[ivr]
        body = {"company_id": self.tenant.company_id, "secret_token": ivr_doc["secret_token"],
                "type": "2" if dialer == "ivr" else "1", "number": "+919876543210",
                "public_ivr_id": ivr_doc["id"]}
        if dialer == "user":
            body["user_id"] = self.agent["id"]
        if dialer == "anonymous":
            body["number_2"] = "+919812345678"
        body.update(fields)
        return {k: v for k, v in body.items() if v is not None}

    def call(self, body=None, key=None, **kwargs):
        headers = {"x-api-key": self.key if key is None else key}
        if isinstance(body, (bytes, str)):
            return self.client.post("/obd-api-v1", content=body, headers={**headers, "Content-Type": "application/json"})
        return self.client.post("/obd-api-v1", json=body if body is not None else self.body(**kwargs), headers=headers)


def application_answer(response, status, details=None):
    """The application's answer (details/status/code/unique_id/reference_id) of ``status``; its body."""
    body = response.json()
    assert response.status_code == status, body
    assert schemas.field_errors("obd/call.response", body) == {}
    assert body["code"] == str(status) and body["status"] == ("success" if status == 200 else "error")
    if details is not None:
        assert body["details"] == details
    return body


def without_comments(text: str) -> str:
    """The collection's OBD bodies carry // comments, which no JSON parser (nor the gateway) accepts."""
    return re.sub(r"//[^\n]*", "", text)
