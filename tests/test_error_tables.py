"""The docs' error tables are the code's errors, both ways.

Every row of every error table (docs/public-api.md, docs/obd-api.md, docs/developers-api.md: "| Error | How |",
"| status and details | how to provoke it |") is provoked as its "How" says, here one function per row, and the
answers must have the row's status (its leading number; a CHAT_ code is the body's ``code``) and carry each text
the row quotes (in backticks or double quotes; ``…`` stands for anything; a JSON object must be part of the body).
A row without a provocation here, or a provocation without its row, fails. The other way, every error message the
code defines for a table's endpoints (the modules' message constants, the OBD rules' refusals, every CHAT_ code)
must be in one of that table's rows, so a new refusal is documented before it ships.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mock_server import fixtures
from mock_server.obd import rules as obd_rules
from mock_server.services import contacts
from tests import doc_tables
from tests.conftest import check_contract, make_app, seeded_tenant
from tests.public.chat.messaging import CUSTOMER, TEXT, template

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ("| Error | How |", "| status and details | how to provoke it |")
ROLES = "| role | state | Send Message from it answers |"


@dataclass(frozen=True)
class Row:
    table: str  # "<page> #<n>": the page's n-th error table
    cell: str  # the first cell: status and texts

    @property
    def statuses(self) -> set[int]:
        lead = re.match(r"(\d{3}(?: / \d{3})*)\b", self.cell)
        return {int(s) for s in lead.group(1).split(" / ")} if lead else set()

    @property
    def texts(self) -> list[str]:
        quoted = re.findall(r"`([^`]+)`", self.cell)
        rest = re.sub(r"`[^`]+`", "", self.cell)
        return [*quoted, *re.findall(r'"([^"]+)"', rest), *re.findall(r"\b(CHAT_\d{4})\b", rest)]


def table_rows(header: str | tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    """The rows of every table with one of these header rows, by "<page> #<n>" (the page's n-th such table)."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for table in doc_tables.tables():
        if table.header in ((header,) if isinstance(header, str) else header):
            page = Path(table.page).name
            found[f"{page} #{sum(name.startswith(page + ' #') for name in found)}"] = list(table.rows)
    return found


TABLES = {name: [Row(name, cells[0]) for cells in rows] for name, rows in table_rows(HEADERS).items()}


# --- what an answer carries ----------------------------------------------------------------------------------------
def strings(value: Any) -> list[str]:
    """Every key and text of a JSON value."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def objects(value: Any) -> list[Any]:
    """A JSON value and every value inside it."""
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [value, *(o for v in inner for o in objects(v))]


def part_of(small: Any, big: Any) -> bool:
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and part_of(v, big[k]) for k, v in small.items())
    return small == big


def wildcard(text: str) -> str:
    return ".*?".join(re.escape(part) for part in text.split("…"))


def carries(response, text: str) -> bool:
    """Whether the answer carries ``text``: a JSON object (or "key": value) inside its body, else a text of it."""
    try:
        body = response.json()
    except ValueError:
        body = None
    for candidate in (text, "{" + text + "}"):
        try:
            wanted = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(wanted, dict):
            return any(part_of(wanted, o) for o in objects(body))
    pattern = wildcard(text)
    return any(re.search(pattern, s) for s in [*strings(body), response.text])


# --- the provocations, one per row ---------------------------------------------------------------------------------
class World:
    """One app with both seeded companies, and the requests the rows need."""

    def __init__(self, client: TestClient, app):
        self.client, self.app = client, app
        self.tenant, self.other = seeded_tenant(app), seeded_tenant(app, 1)
        self.company = self.tenant.company_id
        self.token = self.tenant.state.account["developer_token"]

    # control plane
    def patch(self, path: str = "", **fields):
        r = self.client.patch(f"/_mock/tenants/{self.company}{path}", json=fields)
        assert r.status_code == 200, r.text

    def advance(self, seconds: int):
        assert self.client.post("/_mock/clock/advance", json={"seconds": seconds}).status_code == 200

    # developers API
    def dev(self, method: str, path: str, token: str | None = "", **params):
        params = {"token": self.token if token == "" else token, **params}
        params = {k: v for k, v in params.items() if v is not None}
        if method in ("GET", "DELETE"):
            return self.client.request(method, path, params=params)
        return self.client.request(method, path, data=params)

    def new_user(self, **fields):
        return self.dev("POST", "/search/user", **{"name": "Ravi Kumar", "contact_number": "9876512345",
                                                    "country_code": "91", "extension": "45", **fields})

    def user(self, role: str) -> dict:
        return next(u for u in self.tenant.state["users"] if u["role"] == role)

    def recorded(self) -> str:
        return next(c["recording"] for c in self.tenant.state["calls"].values() if c["recording"])

    def link(self) -> str:
        r = self.dev("GET", "/search/recordings/link", file=self.recorded())
        assert r.status_code == 200, r.text
        return r.json()["url"]

    # OBD API
    def obd(self, dialer: str = "user", ivr: str = "main", key: str | None = None, **fields):
        body = self.tenant.obd_request(dialer=dialer, ivr=ivr, **fields)
        return self.client.post("/obd-api-v1", json=body, headers={"x-api-key": key or self.tenant.obd_api_key})

    def ivr_id(self, label: str = "main") -> str:
        return self.tenant.ivr(label)["public_ivr_id"]

    def dids(self) -> list[dict]:
        return list(self.tenant.state["dids"])

    # public API
    def send(self, data=TEXT, role: str = "primary", **fields):
        body = {"phone_number_id": self.tenant.phone_number_id(role), **CUSTOMER, "data": data, **fields}
        body = {k: v for k, v in body.items() if v is not None}
        return self.client.post("/chat/messages", json=body, headers=self.tenant.headers)

    def inbound(self):
        r = self.client.post(f"/_mock/tenants/{self.company}/inbound", json={
            "phone_number_id": self.tenant.phone_number_id(), **CUSTOMER, "text": "Hi"})
        assert r.status_code == 201, r.text

    def campaigns(self, path: str = "/chat/campaigns", number: str | None = "primary", **query):
        headers = dict(self.tenant.headers)
        if number:
            headers["X-WABA-PHONENUMBER-ID"] = self.tenant.phone_number_id(number)
        return self.client.get(path, params=query, headers=headers)

    def contacts(self, method: str, path: str = "/contacts", body: Any = None, **query):
        return self.client.request(method, path, json=body, params=query, headers=self.tenant.headers)

    def contact(self, **fields):
        return self.contacts("POST", body={"name": "John Doe", "country_code": "91", "phone_number": "9872312345",
                                           **fields})


Provocation = Callable[[World], list]
START = "start_chat"
ANSWERS: dict[str, dict[str, Provocation]] = {}

ANSWERS["developers-api.md #0"] = {
    "400 `This not an authorized request`":
        lambda w: [w.dev("GET", "/search/user", token=None), w.dev("GET", "/search/user", token="nope")],
    "400 `page must be a whole number of at least 1`": lambda w: [w.dev("GET", "/search/user", page="0")],
    "400 `_all must be 1 or 0`": lambda w: [w.dev("GET", "/search/user", _all="maybe")],
    "400 `name is required; contact_number is required; …`": lambda w: [w.dev("POST", "/search/user")],
    "400 `name must be text` / `name must be at most 255 characters`":
        lambda w: [w.client.post("/search/user", json={"token": w.token, "name": ["x"], "contact_number": "9876512345",
                                                       "country_code": "91", "extension": "45"}),
                   w.new_user(name="x" * 256)],
    "400 `country_code must be 1 to 4 digits, e.g. 91 or +91`": lambda w: [w.new_user(country_code="12345")],
    "400 `contact_number must have 4 to 15 digits` / `contact_number with its country code must not exceed 15 "
    "digits`": lambda w: [w.new_user(country_code="44", contact_number="123"),
                          w.new_user(country_code="9999", contact_number="12345678901234")],
    "400 `contact_number must have 10 digits for country code 91`":
        lambda w: [w.new_user(contact_number="919876512345")],
    "400 `contact_number must contain digits only (without the country code)`":
        lambda w: [w.new_user(contact_number="+919876512345")],
    "400 `extension must be an integer between 1 and 9999`":
        lambda w: [w.new_user(extension="0"), w.new_user(extension="abc")],
    "400 `extension 11 is already assigned to another user`": lambda w: [w.new_user(extension="11")],
    "400 `contact_number is already the contact number of another user`":
        lambda w: [w.new_user(contact_number=w.user("agent")["contact_number"])],
    "400 `email must be a valid email address`": lambda w: [w.new_user(email="bad@")],
    "400 `alternate_cc is required when alternate_contact_number is given`":
        lambda w: [w.new_user(alternate_contact_number="9811100000")],
    "400 `alternate_cc is given but the user has no alternate_contact_number`":
        lambda w: [w.new_user(alternate_cc="91")],
    "400 `alternate_contact_number must differ from contact_number`":
        lambda w: [w.new_user(alternate_contact_number="9876512345", alternate_cc="91")],
    "400 `panel_access must be 1 or 2` / `receive_calls must be 1 or 2`":
        lambda w: [w.new_user(panel_access="3"), w.new_user(receive_calls="3")],
    "400 `contact_type must be one of Mobile, SIP, Landline`": lambda w: [w.new_user(contact_type="fax")],
    "400 `uuid is required`": lambda w: [w.dev("PUT", "/search/user", name="Ravi K")],
    "404 `user not found`": lambda w: [w.dev("PUT", "/search/user", uuid="0000000000000000", name="Ravi K")],
    "400 `uuid belongs to the Anonymous User, which cannot be changed`":
        lambda w: [w.dev("PUT", "/search/user", uuid=w.user("anonymous")["id"], name="Ravi K")],
    "400 `contactname is required` / `phonenumber is required`": lambda w: [w.dev("POST", "/contactadd")],
    "400 `phonenumber: Contact with this phone number already exists.`":
        lambda w: [w.dev("POST", "/contactadd", contactname="Meera", phonenumber="+91" + next(
            iter(w.tenant.state["contacts"]))["phone_number"])],
    "400 `phonenumber: Phone Number's length should be in the range of [7,15].`":
        lambda w: [w.dev("POST", "/contactadd", contactname="Meera", phonenumber="98765")],
    "400 `phonenumber must be digits, optionally with a leading + and the country code`":
        lambda w: [w.dev("POST", "/contactadd", contactname="Meera", phonenumber="abc")],
    "400 `assignto must be the uuid of a user of this company`":
        lambda w: [w.dev("POST", "/contactadd", contactname="Meera", phonenumber="+919876511111",
                         assignto="0000000000000000")],
    "405 `Method \"DELETE\" not allowed.`":
        lambda w: [w.dev("DELETE", "/search/user"), w.dev("GET", "/contactadd")],
}

ANSWERS["developers-api.md #1"] = {
    "400 `This not an authorized request`":
        lambda w: [w.dev("POST", "/search/search", token=None), w.dev("POST", "/search/search", token="nope")],
    "400 `from must be a UTC unix timestamp in whole seconds, e.g. 1752573600` (same for `to`)":
        lambda w: [w.dev("POST", "/search/search", **{"from": "yesterday"}), w.dev("POST", "/search/search", to="-5"),
                   w.dev("POST", "/search/search", **{"from": "1.5"})],
    "400 `from must not be later than to`":
        lambda w: [w.dev("POST", "/search/search", to="1752600000", **{"from": "1752600001"})],
    "400 `log_from must be a whole number of at least 0`": lambda w: [w.dev("POST", "/search/search", log_from="-1")],
    "400 `page_size must be a whole number of at least 1`":
        lambda w: [w.dev("POST", "/search/search", page_size="0")],
    "400 `search_key must be text` / `search_key must be at most 255 characters`":
        lambda w: [w.client.post("/search/search", json={"token": w.token, "search_key": ["x"]}),
                   w.dev("POST", "/search/search", search_key="x" * 256)],
    "400 `Invalid filter expression at position 7: expected a filter id or '(' after 'AND', found the end of the "
    "expression`": lambda w: [w.dev("POST", "/search/search", filters=f) for f in
                              ("12 AND", "(12", "12 5", "NOT 12", "99")],
    "several at once, joined by `; `":
        lambda w: [w.dev("POST", "/search/search", page_size="0", filters="12 AND", **{"from": "x"})],
    "405 `Method \"GET\" not allowed.`":
        lambda w: [w.dev("GET", "/search/search"), w.dev("POST", "/search/recordings/link"),
                   w.client.delete(w.link())],
    "400 `file is required`":
        lambda w: [w.dev("GET", "/search/recordings/link"), w.dev("GET", "/search/recordings/link", file="")],
    "400 `file must be text`":
        lambda w: [w.client.request("GET", "/search/recordings/link", json={"token": w.token, "file": 12})],
    "400 `file must be a recording file name from the call logs (e.g. 4awerwf234353tgr123.mp3): it contains a path "
    "separator`": lambda w: [w.dev("GET", "/search/recordings/link", file="../../etc/passwd")],
    "404 `recording not found: no finished call of this company has the file x.mp3`":
        lambda w: [w.dev("GET", "/search/recordings/link", file="x.mp3")],
    "404 `recording link not found`": lambda w: [w.client.get("/search/recordings/" + "0" * 32 + ".mp3")],
    "404 `the recording of this link no longer exists`": lambda w: gone_recording(w),
    "410 `recording link expired at 2025-07-16T10:00:00.000000Z: links are valid for 24 hours; ask GET "
    "/search/recordings/link for a new one`": lambda w: expired_link(w),
    "416 `the requested range is outside the recording (12000 bytes)`":
        lambda w: [w.client.get(w.link(), headers={"Range": "bytes=12000-"})],
}


def gone_recording(w: World) -> list:
    url = w.link()
    calls = w.tenant.state["calls"]
    calls.delete(next(c["id"] for c in calls.values() if c["recording"] == w.recorded()))  # no API deletes a call
    return [w.client.get(url)]


def expired_link(w: World) -> list:
    url = w.link()
    w.advance(86_400)
    return [w.client.get(url)]


def dropped_did(w: World) -> dict:
    """The main IVR's DIDs cut to the first one: a DID of the company it no longer uses."""
    kept, dropped = w.dids()[0], w.dids()[1]
    w.patch(f"/ivrs/{w.ivr_id()}", did_ids=[kept["id"]])
    return dropped


def taken_reference(w: World) -> list:
    first = w.obd(reference_id="crm-42")
    assert first.status_code == 200, first.text
    w.advance(172_800 - 171_777)
    return [w.obd(reference_id="crm-42")]


ANSWERS["obd-api.md #0"] = {
    "400 `Missing required field(s): company_id, …`": lambda w: [w.obd(company_id=None, number="")],
    "400 `Type 3 dialer is deprecated and no longer supported` / `Invalid type …`":
        lambda w: [w.obd(type="3"), w.obd(type="abc")],
    "400 `Provide valid Number in string format` (live)":
        lambda w: [w.obd(number=n) for n in ("9389559274", "919389559274", "+9193895592")]
        + [w.obd(dialer="anonymous", number_2="9812345678")],
    "400 `max_call_duration must be between 1 and 5400 seconds`": lambda w: [w.obd(max_call_duration=5401)],
    "400 `Type 1 needs user_id (user dialer) or number_2 (anonymous dialer)`":
        lambda w: [w.obd(dialer="ivr", type="1")],
    "400 `Invalid user_id \"…\"`": lambda w: [w.obd(user_id="nope")],
    "400 `The user's contact number cannot be dialled: it is no E.164 number with its country code`":
        lambda w: [w.obd(user_id=w.new_user(country_code="44", contact_number="1234").json()["uuid"])],
    "400 `Invalid std_code …` / `Invalid region …` / `Invalid caller_id …`":
        lambda w: [w.obd(std_code="999"), w.obd(region="Atlantis"), w.obd(caller_id="+911100000000")],
    "403 `Invalid company_id for this x-api-key`":
        lambda w: [w.obd(company_id=w.other.company_id), w.obd(key=w.other.obd_api_key)],
    "403 `Invalid secret_token`": lambda w: [w.obd(secret_token="nope")],
    "403 `Source IP … is not whitelisted for this IVR`": lambda w: [w.obd(ivr="ip_locked")],
    "403 `Billing expired for this IVR`": lambda w: [w.obd(ivr="expired")],
    "403 `Usage threshold exceeded`": lambda w: [w.obd(ivr="over_threshold")],
    "403 `The user dialer is not enabled for this IVR` (the same for `ivr`)": lambda w: dialers_off(w),
    "403 `The user does not receive calls (receive_calls is 2)`": lambda w: [w.obd(user_id=w.user("no_calls")["id"])],
    "403 `Your annonymous feature is not enabled` (live, sic)":
        lambda w: [w.obd(dialer="anonymous", ivr="no_anonymous"), no_anonymous(w)],
    "403 `user_id (user dialer) and number_2 (anonymous dialer) cannot be used together` / `… is not allowed for "
    "the IVR dialer (type 2)`":
        lambda w: [w.obd(number_2="+919812345678"), w.obd(dialer="ivr", user_id=w.tenant.agent_id)],
    "403 `Duplicate request: reference ID \"…\" is already taken, remaining_ttl 171777 seconds`, with "
    "`\"remaining_ttl\": 171777`": taken_reference,
    "404 `IVR … not found`": lambda w: [w.obd(public_ivr_id="nope")],
    "404 `No DID mapped to this IVR for std_code …` / `caller_id … is not mapped to this IVR` / `Routing "
    "configuration not available: …`": lambda w: unmapped(w),
    "500 `Company config missing`": lambda w: [w.patch(obd_configured=False), w.obd()][1:],
    "200 `This call might get cancelled due to unavailability of UDC(User/Department/Channels)!!`":
        lambda w: [w.obd(call_hold=False)],
}


def no_anonymous(w: World):
    w.patch(obd_anonymous_enabled=False)
    return w.obd(dialer="anonymous")


def unmapped(w: World) -> list:
    dropped = dropped_did(w)
    answers = [w.obd(std_code=dropped["std_code"]), w.obd(caller_id=dropped["number"])]
    w.patch(f"/ivrs/{w.ivr_id()}", did_ids=[])
    answers.append(w.obd())
    w.client.post("/_mock/reset")
    for user in World(w.client, w.app).tenant.state["users"]:  # nobody takes calls: the IVR dialer has no agent to hunt
        if user["role"] != "anonymous":
            assert w.dev("PUT", "/search/user", uuid=user["id"], receive_calls="2").status_code == 200
    return [*answers, w.obd(dialer="ivr")]


def dialers_off(w: World) -> list:
    w.patch(f"/ivrs/{w.ivr_id()}", dialers={"user": False, "anonymous": True, "ivr": False})
    return [w.obd(), w.obd(dialer="ivr")]


def fault(w: World) -> list:
    r = w.client.post("/_mock/faults", json={"method": "POST", "path": "/chat/messages", "status": 500})
    assert r.status_code == 201, r.text
    return [w.send(template(START))]


ANSWERS["public-api.md #0"] = {
    "400 \"Missing required fields or Invalid Input\"": lambda w: [w.send(phone_number_id=None)],
    "CHAT_0306 \"Phone Number does not exist\"":
        lambda w: [w.send(template(START), phone_number_id=w.other.phone_number_id())],
    "CHAT_0004 \"Service Inactive\"": lambda w: [w.patch(service_active=False), w.send(template(START))][1:],
    "CHAT_0301 \"Waba is not approved by Meta\"": lambda w: [w.send(template(START), role="waba_not_approved")],
    "CHAT_0302 \"Waba is Disabled\"": lambda w: [w.send(template(START), role="waba_disabled")],
    "CHAT_0303 \"Phone Number is Disabled\"": lambda w: [w.send(template(START), role="disabled")],
    "CHAT_0304 \"Phone Number is not connected\"": lambda w: [w.send(template(START), role="not_connected")],
    "CHAT_0305 \"Phone Number is not onboarded yet\"":
        lambda w: [w.send(template(START), role="onboarding_pending")],
    "400 \"Template not associated with this company\" (`errors`)":
        lambda w: [w.send(template("no_such_template")), w.send(template(START, language="fr"))],
    "400 \"Template is not approved\"": lambda w: [w.send(template("festive_offer_draft")),
                                                  w.send(template("winter_promo"))],
    "CHAT_3001 \"Message Sending Failed\" `{\"WABA_131047\":…}`": lambda w: [w.send()],
    "CHAT_3001 `{\"WABA_131026\":\"Message undeliverable\"}`":
        lambda w: [w.send(template(START), customer_number="12345")],
    "CHAT_4001 \"Insufficient Balance\"": lambda w: [w.patch(wallet_balance=0), w.send(template(START))][1:],
    "400 `{\"reply_to\":[\"Message not found\"]}`": lambda w: [w.inbound(), w.send(reply_to="nope")][1:],
    "500 \"Internal Server Error\"": fault,
}

ANSWERS["public-api.md #1"] = {
    "404 `{\"code\":\"not_found\",\"errors\":{\"campaign_id\":\"Campaign 9359 does not exist!\"}}`":
        lambda w: [w.campaigns("/chat/campaigns/9359")],
    "403 \"Forbidden\"": lambda w: [w.campaigns(number=None), w.campaigns("/chat/campaign/1001", number=None)],
    "400 `invalid`": lambda w: [w.campaigns(ordering="bogus"), w.campaigns(created_at_after="yesterday"),
                                w.campaigns(limit="abc")],
}

ANSWERS["public-api.md #2"] = {
    "400 `Validation Error`, `Phone Number's length should be in the range of [7,15].` / `Phone Number should "
    "contain digits only.`": lambda w: [w.contact(phone_number="98723"), w.contact(phone_number="987231234"),
                                        w.contact(country_code="44", phone_number="123456"),
                                        w.contact(phone_number="98a7231234")],
    "400 `Validation Error`, other fields":
        lambda w: [w.contacts("POST", body={"country_code": "91", "phone_number": "9872312345"}),
                   w.contact(email_id="bad@"), w.contact(custom_fields={"gender": "alien"}),
                   w.contact(custom_fields={"unknown_id": 1})],
    "400 `Contact with this phone number already exists.`": lambda w: [w.contact(), w.contact()][1:],
    "400 \"Phone Number cannot be updated.\" (code `invalid`)":
        lambda w: [w.contacts("PATCH", f"/contacts/{w.contact().json()['data']['id']}",
                              {"country_code": "91", "phone_number": "7737237437"})],
    "404 \"Invalid Contact ID\"": lambda w: [w.contacts(m, "/contacts/" + "0" * 24, {"name": "x"})
                                            for m in ("GET", "PATCH", "DELETE")],
    "404 not_found \"Contact not found for given identifier.\"":
        lambda w: [w.contacts("PATCH", "/contacts/919999999999", {"name": "x"}),
                   w.contacts("PATCH", "/contacts/12345", {"name": "x"})],
    "400 search filter errors": lambda w: [w.contacts("POST", body=b, limit="10") for b in (
        {"or": {}}, {"and": {"nickname__is": "x"}}, {"and": {"name__gt": "a"}},
        {"and": {"custom_fields.age__gt": "old"}}, {"and": {"custom_fields.dob__range": {"gte": "1990-01-01"}}})],
    "400 bad pagination token": lambda w: [w.contacts("POST", body={"and": {}}, after="notatoken")],
    "401 / 403": lambda w: [
        w.client.get("/contacts"),
        w.client.get("/contacts", headers={"Authorization": "Basic x", "X-MYOP-COMPANY-ID": w.company}),
        w.client.get("/contacts", headers={"Authorization": "Bearer nope", "X-MYOP-COMPANY-ID": w.company}),
        w.client.get("/contacts", headers={"Authorization": f"Bearer {w.tenant.api_key}"})],
}

ROWS = [row for rows in TABLES.values() for row in rows]


def test_every_error_table_row_has_its_provocation_and_no_other():
    assert set(TABLES) == set(ANSWERS)
    for name, rows in TABLES.items():
        assert [row.cell for row in rows] == list(ANSWERS[name]), name


@pytest.fixture(scope="module")
def world():
    app = make_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        client.event_hooks["response"].append(check_contract)  # every answer is in its documented shape too
        yield client, app


def fresh(world) -> World:
    """The module's app with every company back to its fixtures and no faults."""
    client, app = world
    client.post("/_mock/reset")
    client.delete("/_mock/faults")
    return World(client, app)  # the state a reset made


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.table}: {row.cell[:60]}")
def test_each_documented_error_is_answered_as_documented(row, world):
    if row.cell.startswith(("410", "403 `Duplicate")):  # these move the clock: a fresh app, at the fixtures' moment
        app = make_app()
        with TestClient(app, raise_server_exceptions=False) as client:
            answers = ANSWERS[row.table][row.cell](World(client, app))
    else:
        answers = ANSWERS[row.table][row.cell](fresh(world))
    assert answers
    for answer in answers:
        if row.statuses:
            assert answer.status_code in row.statuses, (answer.request.url, answer.text)
        if row.cell.startswith("CHAT_"):
            assert answer.json()["code"] == row.cell.split()[0], answer.text
    for text in row.texts:
        assert any(carries(answer, text) for answer in answers), (text, [a.text[:300] for a in answers])


def test_each_number_role_answers_as_its_table_says(world):
    (rows,) = table_rows(ROLES).values()
    w = fresh(world)
    # a row per state of the fixtures' numbers (their further connected ones are the primary's), and no other
    assert [role.strip("`") for role, _, _ in rows] == [role for role, _, _ in fixtures.PHONE_STATES]
    for role, _, answer in rows:
        r = w.send(template(START), role=role.strip("`"))
        if answer == "success":
            assert r.status_code == 200, r.text
        else:
            assert r.json()["code"] == answer.strip("`"), (role, r.text)


# --- the other way: every message the code defines is in its table ------------------------------------------------
def message_constants(module_name: str) -> list[str]:
    """A module's messages: its UPPER_CASE text constants that read as sentences, ``{field}`` shown as ``…``."""
    module = importlib.import_module(module_name)
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
             if isinstance(t, ast.Name) and t.id.isupper()]
    values = [getattr(module, name) for name in names]
    return [re.sub(r"\{[^}]*\}", "…", v) for v in values if isinstance(v, str) and " " in v]


def refusal_messages(module_name: str, function: str) -> list[str]:
    """The messages of every ``function(status, message)`` call in a module, the f-strings' values shown as ``…``."""
    module = importlib.import_module(module_name)
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function:
            message = node.args[1]
            if isinstance(message, ast.Constant):
                found.append(message.value)
            elif isinstance(message, ast.JoinedStr):
                found.append("".join(v.value if isinstance(v, ast.Constant) else "…" for v in message.values))
            elif isinstance(message, ast.Name):
                found.append(getattr(module, message.id))
    return found


def documented(message: str, rows: list[Row]) -> bool:
    """Whether a code message is one a row quotes: the row's text with ``…`` for anything, or containing it."""
    code = wildcard(message)
    return any(re.search(code, text) or re.fullmatch(wildcard(text), message) for row in rows for text in row.texts)


CODE_MESSAGES = {
    "developers-api.md #0": lambda: [
        *(m for name in ("developers.user_rules", "services.users", "developers.contactadd", "developers.auth")
          for m in message_constants(f"mock_server.{name}")),
        # the contact book's rules that Contact Add reaches (its own phone check comes before the digits-only one)
        contacts.PHONE_LENGTH, contacts.PHONE_TAKEN],
    "developers-api.md #1": lambda: [
        *(m for name in ("developers.log_search", "developers.recordings", "services.recordings", "developers.auth")
          for m in message_constants(f"mock_server.{name}"))],
    "obd-api.md #0": lambda: [*refusal_messages("mock_server.obd.rules", "refusal"),
                              *(m for m in message_constants("mock_server.obd.rules") if m != obd_rules.ACCEPTED)],
    "public-api.md #0": lambda: [*refusal_messages("mock_server.public.chat.messages", "Refusal"),
                                 *sorted({code for path in (ROOT / "mock_server").rglob("*.py")
                                          for code in re.findall(r"\bCHAT_\d{4}\b", path.read_text("utf-8"))})],
    "public-api.md #2": lambda: [m for m in message_constants("mock_server.services.contacts")
                                 if m.startswith("Phone") or "already" in m],
}


@pytest.mark.parametrize("table", sorted(CODE_MESSAGES))
def test_every_error_the_code_defines_for_the_table_is_in_it(table):
    messages = CODE_MESSAGES[table]()
    assert messages
    rows = TABLES[table]
    assert [m for m in messages if not documented(m, rows)] == []
