"""The collection's saved examples as test vectors (tests/test_example_vectors.py).

Every example of tests/data/public_api_examples.json and tests/data/telephony_examples.json is one vector: its
request, with the headers the collection documents (the data files keep no headers, so they are kept here), its
placeholders filled from the fixtures, sent to a tenant put in the state the example documents. Filling is done
per request (REQUEST_SETUPS, the same for all of one request's examples); the state per example
(EXAMPLE_SETUPS, keyed "request / example"), each entry saying why when more than filling is needed. The
per-endpoint tests' helpers are imported, not copied: their replays made these setups first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mock_server import contract, schemas
from tests.conftest import Tenant
from tests.obd.support import Obd
from tests.obd.test_call import fill as fill_obd_body
from tests.public.chat.messaging import inbound, patch_tenant, template
from tests.public.chat.test_campaigns import BY_STATE as CAMPAIGN_BY_STATE
from tests.public.chat.test_messages_examples import _fill as fill_message
from tests.public.chat.test_templates import _fill_media
from tests.public.contacts.test_examples import fill_url as fill_contact_url, unmask

DATA = Path(__file__).resolve().parent / "data"
FILES = ("public_api_examples.json", "telephony_examples.json")


def load_examples() -> list[dict]:
    """Every saved example of both data files, in their order."""
    return [e for name in FILES for e in json.loads((DATA / name).read_text(encoding="utf-8"))["examples"]]


def vector_id(example: dict) -> str:
    return f"{example['request']} / {example['example']}"


EXAMPLES = load_examples()

# The collection's request items that have saved examples, and how many (`collection.py list`, items 2-60).
# Checked by hand against the collection once; the guard test checks the data files against it, so CI (which
# has no collection) notices an example lost from the data.
COLLECTION_ITEMS = {
    "Create Template": 5, "List Templates": 1, "Fetch Template By ID": 2, "Fetch Template By Name": 1,
    "Delete Template By ID": 2, "List Campaign": 1, "Fetch Campaign By ID": 6, "List Phone Numbers": 3,
    "Send Message": 27, "Upload Media": 2, "Create Contact": 2, "Create Contact with custom fields": 2,
    "Search Contacts": 1, "Fetch Contacts": 1, "Fetch Contacts with custom fields": 1, "Fetch Contact by ID": 2,
    "Filter Contact by Phone Number": 1, "Update Contact by Phone Number": 3, "Update Contact by ID": 2,
    "Delete Contact by ID": 2, "Call": 8, "Get Users": 1, "Create User": 1, "Log Filters List": 1,
}

# --- the headers each request documents (collection.py show N), placeholders as the collection writes them --------
_AUTH = {"Authorization": "Bearer {{apikey}}", "X-MYOP-COMPANY-ID": "{{companyid}}"}
_ACCEPT = {"Accept": "application/json", **_AUTH}
_JSON = {"Content-Type": "application/json", **_AUTH}
_CAMPAIGNS = {**_ACCEPT, "X-WABA-PHONENUMBER-ID": "{{phone_number_id}}"}
# The OBD API's x-api-key is left blank in the collection; {{obd_api_key}} is our name for that blank.
_OBD = {"x-api-key": "{{obd_api_key}}"}
# Create Template sets no Content-Type, but its raw body's language is JSON: Postman then adds
# Content-Type: application/json itself (the public API answers a body without one 415).
HEADERS: dict[str, dict[str, str]] = {
    "Create Template": {"Content-Type": "application/json", **_ACCEPT}, "List Templates": _ACCEPT,
    "Fetch Template By ID": _AUTH, "Fetch Template By Name": _AUTH, "Delete Template By ID": _AUTH,
    "List Campaign": _CAMPAIGNS, "Fetch Campaign By ID": _CAMPAIGNS, "List Phone Numbers": _ACCEPT,
    "Send Message": {"Content-Type": "application/json", **_ACCEPT}, "Upload Media": _JSON,
    **{name: _JSON for name in ("Create Contact", "Create Contact with custom fields", "Search Contacts",
                                "Fetch Contacts", "Fetch Contacts with custom fields", "Fetch Contact by ID",
                                "Filter Contact by Phone Number", "Update Contact by Phone Number",
                                "Update Contact by ID", "Delete Contact by ID")},
    "Call": _OBD, "Get Users": {}, "Create User": {}, "Log Filters List": {},  # the developers API: a token parameter
}


def placeholders(tenant: Tenant) -> dict[str, str]:
    """The collection's placeholders, as the fixtures' tenant fills them."""
    return {"{{apikey}}": tenant.api_key, "{{companyid}}": tenant.company_id, "{{waba_id}}": tenant.waba_id(),
            "{{phone_number_id}}": tenant.phone("primary")["phone_number_id"],
            "{{obd_api_key}}": tenant.state.account["obd_api_key"]}


def filled(text: str, tenant: Tenant) -> str:
    for placeholder, value in placeholders(tenant).items():
        text = text.replace(placeholder, value)
    return text


# --- a vector ------------------------------------------------------------------------------------------------------
@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    content: bytes | None = None
    json: Any = None
    data: dict | None = None
    files: dict | None = None

    def send(self, client):
        url = f"{self.path}?{self.query}" if self.query else self.path
        body = {k: v for k in ("content", "json", "data", "files") if (v := getattr(self, k)) is not None}
        return client.request(self.method, url, headers=self.headers, **body)


@dataclass
class Vector:
    """One example being replayed: the app it is sent to, its tenants, and the request as it is being built."""
    example: dict
    client: Any
    tenant: Tenant
    other_tenant: Tenant
    request: Request = field(init=False)

    def __post_init__(self):
        e, tenant = self.example, self.tenant
        url = urlsplit(e["url"])
        self.request = Request(e["method"], url.path, filled(url.query, tenant),
                               {k: filled(v, tenant) for k, v in HEADERS.get(e["request"], {}).items()})
        if isinstance(e["body"], str) and e["body"]:
            self.request.content = filled(e["body"], tenant).encode()
        elif isinstance(e["body"], list):  # form-data: its text fields as saved; a file stands for each file field
            self.request.data = {f["key"]: f["value"] for f in e["body"] if f["type"] == "text"}
            self.request.files = {f["key"]: ("photo.jpg", b"\xff\xd8\xff" + b"0" * 5000, "image/jpeg")
                                  for f in e["body"] if f["type"] == "file"}
            # Postman sends a form body with its own multipart Content-Type, whatever the header table says.
            self.request.headers.pop("Content-Type", None)

    @property
    def documented(self) -> Any:
        """The documented response body: JSON, or the text when it is none."""
        try:
            return json.loads(self.example["response"])
        except json.JSONDecodeError:
            return self.example["response"].strip()

    def json_body(self) -> Any:
        """The request's body as JSON, moved from content to json so that a setup can edit it."""
        if self.request.json is None:
            self.request.json, self.request.content = json.loads(self.request.content), None
        return self.request.json

    def post(self, path: str, payload: dict, status: int = 200) -> dict:
        response = self.client.post(path, json=payload)
        assert response.status_code == status, response.text
        return response.json()


@dataclass(frozen=True)
class Setup:
    """How an example becomes a vector, beyond what every example gets (a fresh app, its placeholders filled)."""
    prepare: Callable[[Vector], None] = lambda vector: None
    why: str = ""
    status: int | None = None  # asserted instead of the saved status, which the example itself contradicts
    exact: bool = False        # the documented body is answered exactly (equal as JSON)
    documented_valid: bool = True  # the documented body is itself a valid body (False for Postman's type placeholders)
    keys_unlike_documented: tuple[str, ...] = ()  # keys ("data.results[0].x") we render otherwise (README)
    values_unlike_documented: tuple[str, ...] = ()  # envelope fields whose documented value we do not answer
    check: Callable[[Vector, Any], None] | None = None  # what else the answer must show of the documented state


def setups(example: dict) -> list[Setup]:
    return [s for s in (REQUEST_SETUPS.get(example["request"]), EXAMPLE_SETUPS.get(vector_id(example))) if s]


def expected_status(example: dict) -> int:
    return next((s.status for s in setups(example) if s.status is not None), None) or example["status"]


# --- what an answer must show of the documented state, besides its shape -------------------------------------------
def _the_documented_template(v: Vector, body: dict) -> None:
    data = body["data"]["results"][0] if "results" in body["data"] else body["data"]
    documented = v.documented["data"]["results"][0] if "results" in v.documented["data"] else v.documented["data"]
    assert {k: data[k] for k in ("name", "language", "category", "components", "waba_template_status")} == \
        {k: documented[k] for k in ("name", "language", "category", "components", "waba_template_status")}


def _the_documented_campaign_status(v: Vector, body: dict) -> None:
    assert body["data"]["status"] == v.documented["data"]["status"]


def _the_documented_number_state(v: Vector, body: dict) -> None:
    """A number in the state of the documented one is listed (ours come in the fixtures' order)."""
    def state(number):
        return number["phone_number_status"], number["onboarding_status"], number["status"]
    if v.documented["data"]["results"]:
        assert state(v.documented["data"]["results"][0]) in {state(n) for n in body["data"]["results"]}


# --- filling: per request -------------------------------------------------------------------------------------------
def _uploaded_media(v: Vector) -> None:
    """Template media headers name an id from MediaUpload: one of this company's uploads takes its place."""
    _fill_media(v.json_body()["components"], v.client, v.tenant)


def _template_path(v: Vector) -> None:
    """:id is a template of this company (the documented one, when the example documents one); else unknown."""
    if v.example["status"] == 404:
        template_id = "5b0e1c9e-3a55-4f41-9d11-0c6a8c1e2f77"  # no template has it
    elif isinstance(v.documented.get("data"), dict) and "name" in v.documented["data"]:
        template_id = _documented_template(v, v.documented["data"])
    else:
        template_id = v.tenant.template("media_offer")["id"]
    v.request.path = v.request.path.replace(":id", template_id)


def _documented_template(v: Vector, doc: dict) -> str:
    """The template a documented body shows, created through the API and decided as it shows."""
    body = {k: doc[k] for k in ("name", "language", "category", "components")} | {"waba_id": v.tenant.waba_id()}
    created = v.client.post("/chat/templates", headers=v.tenant.headers, json=body)
    assert created.status_code == 201, created.text
    template_id = created.json()["data"]["id"]
    review = v.post(f"/_mock/tenants/{v.tenant.company_id}/templates/{template_id}/review",
                    {"outcome": doc["waba_template_status"]})
    assert review["waba_template_status"] == doc["waba_template_status"]
    return template_id


def _campaign_path(v: Vector) -> None:
    """:id is the fixture campaign in the documented status; for the 404, the id its message names."""
    data = v.documented.get("data") or {}
    if v.example["status"] == 404:
        campaign_id = re.search(r"\d+", v.documented["errors"]["campaign_id"]).group(0)
    else:
        campaign_id = str(CAMPAIGN_BY_STATE[data["status"]])
    v.request.path = v.request.path.replace(":id", campaign_id)


def _phone_numbers(v: Vector) -> None:
    # "string" is Postman's placeholder for a string parameter: the WABA id.
    v.request.query = v.request.query.replace("waba_id=string", f"waba_id={v.tenant.waba_id()}")


def _message(v: Vector) -> None:
    """The sending number, the customer, the fixture template that fits the example's parameters, its media ids
    (tests/public/chat/test_messages_examples.py); a successful free-form message needs the customer's window
    open, so the customer writes first (and a reply replies to that message)."""
    v.request.json, v.request.content = fill_message(v.tenant, v.example["body"]), None
    if isinstance(v.documented, dict) and v.documented["status"] == "success" and \
            v.request.json["data"]["type"] != "template":
        received = inbound(v.client, v.tenant)
        if v.request.json.get("reply_to"):
            v.request.json["reply_to"] = received["message_id"]


def _contact_url(v: Vector) -> None:
    """:id / :phone_number_with_country_code name a fixture contact with custom fields (or none, for a 404);
    masked numbers ("98723****") become fresh ten-digit ones (tests/public/contacts/test_examples.py)."""
    path, _, query = fill_contact_url(v.example, v.tenant).partition("?")
    v.request.path, v.request.query = path, query
    if v.request.content:
        v.request.content = unmask(v.request.content.decode()).encode()


def _obd_body(v: Vector) -> None:
    """The // comments dropped, <placeholders> filled, "<optional>" fields left out (tests/obd/test_call.py)."""
    v.request.json, v.request.content = fill_obd_body(Obd(v.client, v.tenant), v.example), None


def _token(v: Vector) -> None:
    """The developers API's token parameter (blank in the collection) is the account's developer token."""
    token = v.tenant.state.account["developer_token"]
    v.request.query = "&".join(f"token={token}" if p.split("=")[0] == "token" else p
                               for p in v.request.query.split("&"))


REQUEST_SETUPS: dict[str, Setup] = {
    "Create Template": Setup(_uploaded_media),
    "Fetch Template By ID": Setup(_template_path),
    "Delete Template By ID": Setup(_template_path),
    "Fetch Campaign By ID": Setup(_campaign_path),
    "List Phone Numbers": Setup(_phone_numbers, check=_the_documented_number_state),
    "Send Message": Setup(_message),
    **{name: Setup(_contact_url) for name in (
        "Create Contact", "Create Contact with custom fields", "Search Contacts", "Fetch Contacts",
        "Fetch Contacts with custom fields", "Fetch Contact by ID", "Filter Contact by Phone Number",
        "Update Contact by Phone Number", "Update Contact by ID", "Delete Contact by ID")},
    "Call": Setup(_obd_body),
    "Get Users": Setup(_token), "Create User": Setup(_token), "Log Filters List": Setup(_token),
}


# --- the documented state: per example -----------------------------------------------------------------------------
def _no_template_named_so(v: Vector) -> None:
    name = v.json_body()["name"]
    response = v.client.delete(f"/chat/templates/{v.tenant.template(name)['id']}", headers=v.tenant.headers)
    assert response.status_code == 200, response.text


def _template_by_name(v: Vector) -> None:
    documented = v.documented["data"]["results"][0]
    _documented_template(v, documented)
    v.request.path, v.request.query = "/chat/templates", f"name={documented['name']}"


def _sender(role: str) -> Callable[[Vector], None]:
    def prepare(v: Vector) -> None:
        v.request.json["phone_number_id"] = v.tenant.phone(role)["phone_number_id"]
    return prepare


def _without_phone_number_id(v: Vector) -> None:
    del v.request.json["phone_number_id"]


def _unknown_template(v: Vector) -> None:
    v.request.json["data"] = template("a_template_of_another_company")


def _empty_wallet(v: Vector) -> None:
    inbound(v.client, v.tenant)  # the window is open: only the balance stands in the way
    patch_tenant(v.client, v.tenant, wallet_balance=0)


def _server_fault(v: Vector) -> None:
    v.post("/_mock/faults", {"method": "POST", "path": "/chat/messages"}, status=201)


def _oversized_video(v: Vector) -> None:
    size = 44509 * 1024 - 100  # 44509 KB, as the documented message counts it
    v.request.files = {"file": ("promo.mp4", bytes(size), "video/mp4")}


def _integer_max_call_duration(v: Vector) -> None:
    v.request.json["max_call_duration"] = int(v.request.json["max_call_duration"])


def _another_companys_api_key(v: Vector) -> None:
    v.request.headers["x-api-key"] = v.other_tenant.state.account["obd_api_key"]


def _unknown_ivr(v: Vector) -> None:
    v.request.json["public_ivr_id"] = "000000000000000000000000"


def _obd_not_configured(v: Vector) -> None:
    response = v.client.patch(f"/_mock/tenants/{v.tenant.company_id}", json={"obd_configured": False})
    assert response.status_code == 200, response.text


def _new_user(v: Vector) -> None:
    """Only the token is filled by every request; the required fields of a user are given too, the optional ones
    stay empty as in the documented URL."""
    values = {"name": "Ravi Kumar", "contact_number": "9876512345", "country_code": "91", "extension": "45"}
    v.request.query = "&".join(f"{p}={values[p]}" if p in values else p for p in v.request.query.split("&"))


INTERACTIVE = ("the collection labels it 500, but its body is the 200 \"Accepted\" success body: we answer 200 "
               "(README, Inferred behaviour: Send Message)")
EXAMPLE_SETUPS: dict[str, Setup] = {
    "Create Template / Carousel Template": Setup(
        _no_template_named_so, "the fixtures seed a crousel_template_1: it is deleted first, as the example's WABA "
                               "has none yet (a duplicate name is a 400)"),
    "Fetch Template By ID / Success": Setup(
        why="the template it shows is created and approved first", check=_the_documented_template),
    "Fetch Template By Name / Success": Setup(
        _template_by_name, "the example was saved at /chat/templates/:id but shows a list body: it is sent as the "
                           "request item documents it, ?name=testing_template_36784, that template created and "
                           "approved first", check=_the_documented_template),
    "List Templates / OK": Setup(
        why="we render link_tracking in lists too (the Fetch examples show it, the List example does not: README, "
            "Templates)", keys_unlike_documented=("data.results[0].link_tracking",)),
    "Fetch Template By ID / Invalid Template ID": Setup(exact=True),
    "Delete Template By ID / Invalid Template ID": Setup(exact=True),
    **{f"Fetch Campaign By ID / {name}": Setup(
        why="its message is Postman's placeholder \"string\"; we answer \"OK\" (README, Campaigns)",
        values_unlike_documented=("message",), check=_the_documented_campaign_status)
       for name in ("Scheduled", "Scheduled (Dynamic URL)", "Completed", "Completed (Dynamic URL)", "Failed")},
    "Fetch Campaign By ID / Invalid Campaign ID": Setup(exact=True),
    "List Phone Numbers / Success": Setup(
        why="its body is Postman's type placeholders (\"<integer>\"): only its shape is compared",
        documented_valid=False),
    "Send Message / Validation Error": Setup(
        _without_phone_number_id, "the body shows a phone_number_id, the answer says it is missing: it is left out",
        exact=True),
    "Send Message / Template Not associated": Setup(
        _unknown_template, "the saved body is a text message; the answer is about a template: one the company "
                           "does not have is sent", exact=True),
    "Send Message / Insufficient Balance": Setup(_empty_wallet, "the customer wrote; the wallet is empty",
                                                 exact=True),
    "Send Message / Message Sending Failed": Setup(
        why="the customer never wrote: the 24-hour window is closed (we add the Meta error the example leaves "
            "out, README: Send Message)"),
    "Send Message / Waba disabled": Setup(_sender("waba_disabled"), "sent from the fixtures' number of a disabled "
                                                                    "WABA", exact=True),
    "Send Message / Phone Number is Disabled": Setup(_sender("disabled"), "sent from the disabled number",
                                                     exact=True),
    "Send Message / Phone Number is not connected": Setup(_sender("not_connected"),
                                                          "sent from the disconnected number", exact=True),
    "Send Message / Internal Server Error": Setup(
        _server_fault, "no state of the simulator is a server fault: one is injected (POST /_mock/faults)",
        exact=True),
    **{f"Send Message / {name}": Setup(why=INTERACTIVE, status=200) for name in (
        "Interactive button type with Text Header", "Interactive button type with Media Header ( from MediaID)",
        "Interactive button type with Media Header ( from MediaLink)", "Interactive List Type with Header",
        "Interactive CTA - URL type with Text Header",
        "Interactive CTA - URL type with Media Header ( from MediaID)",
        "Interactive CTA - URL type with Media Header ( from MediaLink)")},
    "Upload Media / Bad Request": Setup(_oversized_video, "the file is a 44509 KB video/mp4, as the answer says",
                                        exact=True),
    **{f"{request} / {name}": Setup(exact=True) for request, name in (
        ("Create Contact", "Validation Error"), ("Create Contact with custom fields", "Validation Error"),
        ("Fetch Contact by ID", "Invalid Contact ID"), ("Update Contact by Phone Number", "Invalid Phone Number"),
        ("Update Contact by Phone Number", "Contact Doesn't Exists"),
        ("Update Contact by ID", "Phone Number Update - Error"), ("Delete Contact by ID", "Invalid Contact ID"))},
    "Call / Bad Request": Setup(
        _integer_max_call_duration, "the saved body sends max_call_duration as the text \"5401\", which the live "
                                    "gateway refuses in its own body before the application runs (OBSERVED.md B12; "
                                    "tests/obd/test_call.py replays it as saved): the integer 5401 gets the "
                                    "application's documented 400"),
    "Call / 403 Forbidden": Setup(
        _another_companys_api_key, "the saved request's x-api-key is \"Invalid x-api-key\": a key the gateway does "
                                   "not know gets the gateway's own body (README, OBD API), so the key is another "
                                   "company's, which the application refuses with the documented body"),
    "Call / 404 Not Found": Setup(_unknown_ivr, "no status was saved (its name and body say 404); an unknown IVR",
                                  status=404),
    "Call / 500 Internal Server Error": Setup(_obd_not_configured, "the company's OBD configuration is missing"),
    "Create User / Create User": Setup(_new_user),
    "Log Filters List / success": Setup(exact=True),
}


# --- checking an answer ---------------------------------------------------------------------------------------------
PLACEHOLDER_TYPES = {"<string>": "string", "<integer>": "integer", "<number>": "number", "<boolean>": "boolean"}


def json_type(value: Any) -> str:
    if isinstance(value, str):
        return PLACEHOLDER_TYPES.get(value, "string")
    return {bool: "boolean", int: "integer", float: "number", type(None): "null", list: "array",
            dict: "object"}[type(value)]


def outline(body: Any) -> dict[str, dict[str, str]]:
    """What a vector compares of a body: the keys and JSON types of its top level, of its `data`, and of the
    first item of a list there (`data` itself, or `data.results`)."""
    if not isinstance(body, dict):
        return {"": {"(body)": json_type(body)}}
    parts = {"": body}
    data = body.get("data")
    if isinstance(data, dict):
        parts["data"] = data
        if isinstance(data.get("results"), list) and data["results"]:
            parts["data.results[0]"] = data["results"][0]
    elif isinstance(data, list) and data:
        parts["data[0]"] = data[0]
    return {where: {k: json_type(v) for k, v in part.items()} for where, part in parts.items()
            if isinstance(part, dict)}


def shape_differences(ours: Any, documented: Any, unlike: tuple[str, ...] = ()) -> list[str]:
    """Where our body's outline differs from the documented one's, but for the keys in `unlike`. A null matches
    any type: whether a field may be null is the schema's to say, and it is checked too."""
    def without_unlike(body_outline):
        return {where: {k: t for k, t in keys.items() if f"{where}.{k}".lstrip(".") not in unlike}
                for where, keys in body_outline.items()}

    mine, theirs = without_unlike(outline(ours)), without_unlike(outline(documented))
    differences = []
    for where, keys in theirs.items():
        if where not in mine:
            differences.append(f"{where or 'body'}: documented, missing from ours")
            continue
        if set(mine[where]) != set(keys):
            differences.append(f"{where or 'body'}: keys {sorted(mine[where])} vs documented {sorted(keys)}")
        differences += [f"{where}.{k}".lstrip(".") + f": {mine[where][k]} vs documented {t}" for k, t in keys.items()
                        if k in mine[where] and "null" not in (t, mine[where][k]) and mine[where][k] != t]
    return differences


def schema_failures(method: str, path: str, status: int, body: Any) -> dict[str, dict]:
    """{} when the body is valid against one of the schemas the contract gives this answer; else each one's
    complaints."""
    names = contract.response_schemas(method, path, status)
    assert names, f"{method} {path} is outside the contract"
    failures = {name: schemas.field_errors(name, body) for name in names}
    return {} if any(f == {} for f in failures.values()) else failures


ENVELOPE = ("status", "code", "message", "details")


def envelope_differences(ours: Any, documented: Any, unlike: tuple[str, ...] = ()) -> list[str]:
    """The top-level status, code, message and details must be the documented ones, where the docs give a value
    rather than a placeholder ("<error_message>")."""
    if not isinstance(documented, dict) or not isinstance(ours, dict):
        return []
    return [f"{key}: {ours.get(key)!r} vs documented {value!r}" for key, value in documented.items()
            if key in ENVELOPE and key not in unlike and not re.fullmatch(r"<.*>", str(value))
            and ours.get(key) != value]
