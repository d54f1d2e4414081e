"""Deterministic seed data: two companies with every documented state of every entity.

Generated with a seeded Faker, so the same seed gives byte-identical fixtures; the default seed's
output is committed as ``fixtures/default.json`` (a test keeps the two equal), and that file is
also the format of a user's own ``--fixtures`` file. A server on the default seed loads that file
rather than generating it, so its data cannot depend on the installed Faker release.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from mock_server import schemas
from mock_server.clock import iso, parse_iso
from mock_server.domain import call_history
from mock_server.domain.media_types import meta_media_id
from mock_server.fixtures_telephony import telephony
from mock_server.settings import DEFAULT_SEED

# Fixture timestamps are spread before this instant; a manual clock starts here by default.
REFERENCE_TIME = datetime(2025, 7, 15, 10, 0, 0, tzinfo=UTC)
FORMAT_VERSION = 1
CALL_HISTORY = 200  # calls per company, over the weeks before REFERENCE_TIME
# The committed default fixtures: in the wheel inside the package (pyproject's force-include), in a
# checkout at the repository's root.
PACKAGED_DEFAULT = Path(__file__).resolve().parent / "default_fixtures.json"
CHECKOUT_DEFAULT = Path(__file__).resolve().parents[1] / "fixtures" / "default.json"

# Phone numbers in every state the Send Message errors depend on: (role, waba role, fields).
PHONE_STATES = [
    ("primary", "primary", {"phone_number_status": "connected", "onboarding_status": "success", "status": "active"}),
    ("onboarding_pending", "primary", {"phone_number_status": "otp_verified", "onboarding_status": "pending", "status": "active"}),
    ("disabled", "primary", {"phone_number_status": "connected", "onboarding_status": "success", "status": "disabled"}),
    ("not_connected", "primary", {"phone_number_status": "disconnected", "onboarding_status": "success", "status": "active"}),
    ("waba_not_approved", "unapproved", {"phone_number_status": "connected", "onboarding_status": "success", "status": "active"}),
    ("waba_disabled", "disabled", {"phone_number_status": "connected", "onboarding_status": "success", "status": "active"}),
]

MORE_NUMBERS = 7  # the primary WABA's connected numbers besides those of PHONE_STATES: 11 under it in all

WABA_STATES = [
    ("primary", {"waba_review_status": "approved", "status": "active"}),
    ("unapproved", {"waba_review_status": "pending", "status": "active"}),
    ("disabled", {"waba_review_status": "approved", "status": "disabled"}),
]

# One definition per custom-field type, named as in the Contacts API examples.
CUSTOM_FIELDS: list[dict[str, Any]] = [
    {"id": "text", "name": "Company", "type": "text"},
    {"id": "company_name", "name": "Company name", "type": "text"},
    {"id": "location", "name": "Location", "type": "text"},
    {"id": "secondary_number", "name": "Secondary number", "type": "text"},
    {"id": "text_area", "name": "Notes", "type": "text_area"},
    {"id": "address", "name": "Address", "type": "text_area"},
    {"id": "number", "name": "Number", "type": "number"},
    {"id": "age", "name": "Age", "type": "number"},
    {"id": "select", "name": "Gender (select)", "type": "single_select", "options": ["male", "female", "other"]},
    {"id": "gender", "name": "Gender", "type": "single_select", "options": ["male", "female", "other"]},
    {"id": "customer_type", "name": "Customer type", "type": "single_select", "options": ["prime", "regular"]},
    {"id": "multi_select", "name": "Skills (multi)", "type": "multi_select", "options": ["python", "php", "mysql", "golang"]},
    {"id": "skills", "name": "Skills", "type": "multi_select", "options": ["python", "php", "mysql", "golang"]},
    {"id": "date", "name": "Date", "type": "date"},
    {"id": "dob", "name": "Date of birth", "type": "date"},
    {"id": "date_time", "name": "Date and time", "type": "date_time"},
    {"id": "appointment_time", "name": "Appointment", "type": "date_time"},
    {"id": "switch", "name": "Switch", "type": "switch"},
    {"id": "local_user", "name": "Local user", "type": "switch"},
]

CONTACT_SOURCES = ["manual_entry", "waba_campaigns", "waba_message", "imported", "public_api"]


class _Gen:
    def __init__(self, seed: int, index: int):
        from faker import Faker  # here, not at the top: a server on the default seed never needs it

        self.fake = Faker("en_IN")
        self.fake.seed_instance(seed * 10 + index)
        self.rng = random.Random(seed * 10 + index)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def digits(self, n: int, first: str = "123456789") -> str:
        return self.rng.choice(first) + "".join(self.rng.choice("0123456789") for _ in range(n - 1))

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def moment(self, days_before: float) -> datetime:
        return REFERENCE_TIME - timedelta(days=days_before, seconds=self.rng.randint(0, 86_000),
                                          microseconds=self.rng.randint(0, 999_999))

    def mobile(self) -> str:
        return self.digits(10, "6789")

    def birth_date(self, minimum_age: int, maximum_age: int) -> str:
        """A birth date counted back from REFERENCE_TIME, never from today (faker's date_of_birth does that).

        One draw from faker's own stream, as date_of_birth took, so every name generated after it is
        unchanged; the arithmetic is ours, so no faker release can change it.
        """
        reference = REFERENCE_TIME.date()
        latest = reference.replace(year=reference.year - minimum_age)
        earliest = reference.replace(year=reference.year - maximum_age - 1) + timedelta(days=1)
        span = (latest - earliest).days + 1
        return (earliest + timedelta(days=int(self.fake.random.random() * span))).isoformat()


def default_file() -> Path:
    return PACKAGED_DEFAULT if PACKAGED_DEFAULT.is_file() else CHECKOUT_DEFAULT


def for_seed(seed: int) -> dict[str, Any]:
    """The fixtures a server on ``seed`` starts from (a fresh copy): the committed file for the default seed."""
    return orjson.loads(_default()) if seed == DEFAULT_SEED else generate(seed)


@lru_cache(maxsize=1)
def _default() -> bytes:
    return default_file().read_bytes()


def generate(seed: int) -> dict[str, Any]:
    """The fixtures of ``seed`` (a fresh copy: callers may change it)."""
    return orjson.loads(_generate(seed))


@lru_cache(maxsize=8)
def _generate(seed: int) -> bytes:
    # Cached, as JSON: every test builds an app, and Faker is the slow part of building one.
    tenants = [_tenant(_Gen(seed, i), i) for i in range(2)]
    return orjson.dumps({"format": FORMAT_VERSION, "seed": seed, "reference_time": iso(REFERENCE_TIME),
                         "tenants": tenants})


def load_file(path: Path) -> dict[str, Any]:
    """A user's fixtures file, checked against ``schemas/fixtures/file.json`` before it is used."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable JSON file ({exc})") from None
    problems = schemas.field_errors("fixtures/file", data)
    if problems:
        listed = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in list(problems.items())[:10])
        raise ValueError(f"{path}: not a valid fixtures file (see fixtures/default.json): {listed}")
    for tenant in data["tenants"]:
        if tenant["state"]["account"][0]["company_id"] != tenant["company_id"]:
            raise ValueError(f"{path}: tenant {tenant['company_id']}: its account's company_id differs")
    if len({t["company_id"] for t in data["tenants"]}) != len(data["tenants"]):
        raise ValueError(f"{path}: two tenants share a company_id")
    tokens = [t["state"]["account"][0].get("developer_token") for t in data["tenants"]]
    if len(set(tokens) - {None}) != len(tokens) - tokens.count(None):  # a token names one company
        raise ValueError(f"{path}: two tenants share a developer_token")
    return data


def _tenant(g: _Gen, index: int) -> dict[str, Any]:
    company_id = g.hex(16)
    business = g.fake.company()
    account = {"id": "account", "company_id": company_id, "api_key": g.hex(40), "name": business,
               "wallet_balance": 500.0, "currency": "INR", "service_active": True}
    wabas = _wabas(g, business)
    phones = _phones(g, business, wabas)
    media = _media(g)
    templates = _templates(g, wabas["primary"]["waba_id"], media)
    state = {
        "account": [account],
        "waba_accounts": list(wabas.values()),
        "phone_numbers": phones,
        "media": media,
        "templates": templates,
        "campaigns": _campaigns(g, phones[0]["phone_number_id"], templates),
        "custom_fields": [dict(f) for f in CUSTOM_FIELDS],
        "contacts": _contacts(g, company_id),
    }
    credentials, telephony_state = telephony(g, company_id, REFERENCE_TIME)
    account.update(credentials)
    state.update(telephony_state)
    history = {"count": CALL_HISTORY, "seed": g.rng.getrandbits(32)}
    phones.extend(_more_numbers(g, business, wabas["primary"]))  # drawn last: every value before is unchanged
    return {"company_id": company_id, "label": f"company {index + 1}", "state": state, "call_history": history}


def tenant_state(tenant: dict[str, Any], reference_time: str,
                 anchor: datetime | None = None) -> dict[str, list[dict]]:
    """A tenant's state as it is seeded: its documents, plus the call history its fixture asks for.

    The history is a few hundred calls, so a fixtures file describes it (count and seed) instead of
    listing it; it is generated from the tenant's own agents, DIDs, IVRs and contacts. With an
    ``anchor`` (the real clock's start) every timestamp moves by ``anchor - reference_time``, so the
    data keeps its offsets from "now" instead of staying in the week of the reference instant.
    """
    state = tenant["state"]
    spec = tenant.get("call_history")
    if spec:
        inputs = {kind: state.get(kind, []) for kind in ("users", "departments", "dids", "ivrs", "contacts")}
        calls = _history(tenant["company_id"], reference_time, spec["count"], spec["seed"],
                         json.dumps(inputs, sort_keys=True))
        state = {**state, "calls": [*state.get("calls", []), *calls]}
    if anchor is None:
        return state
    return shift_times(state, anchor - parse_iso(reference_time))


# A timestamp as the documents store one (created, scheduled_at, a call's started_at, ...): an ISO instant in UTC.
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def shift_times(value: Any, by: timedelta) -> Any:
    """A copy of ``value`` with every timestamp in it moved by ``by``.

    Custom-field values are the customer's own data (a date of birth is not relative to now) and
    stay; so do ids, even those that embed a time (a contact's id, a call's uid): same ids.
    """
    if isinstance(value, dict):
        return {key: item if key == "custom_fields" else shift_times(item, by) for key, item in value.items()}
    if isinstance(value, list):
        return [shift_times(item, by) for item in value]
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        return iso(parse_iso(value) + by)
    return value


@lru_cache(maxsize=16)
def _history(company_id: str, reference_time: str, count: int, seed: int, inputs: str) -> list[dict]:
    # Cached: every test builds apps from the same fixtures; Store.seed copies what it keeps. Across processes
    # too (playing a few hundred calls through the call model was a fifth of the server's start), in a file
    # that says what it was generated from and by which code, so a changed input or generator regenerates it.
    kinds = json.loads(inputs)

    def generated() -> list[dict]:
        return call_history.generate(random.Random(seed), parse_iso(reference_time), company_id, kinds["users"],
                                     kinds["departments"], kinds["dids"], kinds["ivrs"], kinds["contacts"], count=count)

    if _HISTORY_CACHE is None:  # no home directory: nowhere to keep it
        return generated()
    key = hashlib.sha256("\0".join([company_id, reference_time, str(count), str(seed), inputs,
                                     _generator_version()]).encode()).hexdigest()
    cached = _HISTORY_CACHE / f"history-{company_id}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        kept = orjson.loads(cached.read_bytes())
        if kept["key"] == key:
            return kept["calls"]
    calls = orjson.loads(orjson.dumps(generated()))  # what the file gives back, to the bit
    with contextlib.suppress(OSError):  # no cache where it cannot be written: generated each time instead
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_bytes(orjson.dumps({"key": key, "calls": calls}))
        os.replace(partial, cached)  # whole or not at all, whoever else writes it at the same moment
    return calls


def _cache_folder() -> Path | None:
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "myoperator-mock"
    except RuntimeError:  # no home directory to be found: nothing is kept
        return None


# Where generated call histories are kept between runs (one file per company, replaced when its key changes).
_HISTORY_CACHE = _cache_folder()
@lru_cache(maxsize=1)
def _generator_version() -> str:
    """The code a history is generated by: the whole package (a few milliseconds to hash), so no change to
    the call model or anything it calls can be answered by a history an older version generated."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(sys.version.encode())  # random's algorithms are the interpreter's
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _wabas(g: _Gen, business: str) -> dict[str, dict]:
    out = {}
    for role, fields in WABA_STATES:
        created = g.moment(300)
        out[role] = {"id": g.uuid(), "role": role, "waba_name": f"{business} {role.title()}",
                     "waba_id": g.digits(15), "meta_business_id": g.digits(16),
                     "created": iso(created), "modified": iso(created + timedelta(hours=5)), **fields}
    return out


def _phones(g: _Gen, business: str, wabas: dict[str, dict]) -> list[dict]:
    return [_phone(g, business, role, wabas[waba_role], fields) for role, waba_role, fields in PHONE_STATES]


def _more_numbers(g: _Gen, business: str, waba: dict) -> list[dict]:
    """The primary WABA's further connected numbers, so it has the eleven List Phone Numbers' documented
    example counts (two pages of 10, with their next and previous links)."""
    fields = dict(PHONE_STATES[0][2])
    return [_phone(g, business, f"connected_{n}", waba, fields) for n in range(1, MORE_NUMBERS + 1)]


def _phone(g: _Gen, business: str, role: str, waba: dict, fields: dict) -> dict:
    created = g.moment(200)
    return {
        "id": g.uuid(), "role": role, "waba_account_id": waba["id"], **fields,
        "phone_number_id": g.digits(15), "country_code": "91", "phone_number": g.digits(10, "12"),
        "created": iso(created), "modified": iso(created + timedelta(hours=4)),
        "profile": {"about": business, "address": g.fake.address().replace("\n", ", "),
                    "description": g.fake.catch_phrase(), "category": "RETAIL",
                    "email": g.fake.company_email(), "website": f"https://{g.fake.domain_name()}/",
                    "picture_url": f"https://media.example.com/profile/{g.hex(12)}.jpg"},
        "settings": {"quality_rating": "GREEN", "messaging_limit_tier": "TIER_1K",
                     "is_official_business_account": "false", "business_verification_status": "verified"},
    }


def _media(g: _Gen) -> list[dict]:
    kinds = [("image/jpeg", "banner.jpg", 245_760), ("image/png", "card_one.png", 183_112),
             ("image/png", "card_two.png", 190_004), ("video/mp4", "promo.mp4", 4_718_592),
             ("application/pdf", "brochure.pdf", 812_544)]
    media: list[dict[str, Any]] = [{"id": g.uuid(), "application": "template", "mime_type": mime, "filename": name,
              "file_size": size, "created": iso(g.moment(120))} for mime, name, size in kinds]
    return [dict(m, meta_media_id=meta_media_id(m["id"])) for m in media]


def _templates(g: _Gen, waba_id: str, media: list[dict]) -> list[dict]:
    image, card_one, card_two = media[0]["id"], media[1]["id"], media[2]["id"]
    static_buttons = {"type": "BUTTONS", "buttons": [
        {"type": "URL", "format": "STATIC", "text": "Shop Now", "index": 0, "url": "https://www.myoperator.com/shop/"},
        {"type": "PHONE_NUMBER", "text": "Call Us", "index": 1, "phone_number": "911234567890"},
        {"type": "QUICK_REPLY", "index": 2, "text": "Unsubscribe from All"}]}

    def card(index: int, media_id: str, title: str) -> dict:
        return {"index": index, "components": [
            {"type": "HEADER", "format": "MEDIA", "media_id": media_id},
            {"type": "BODY", "format": "TEXT", "text": f"{title} collection for sale!", "example": {}},
            {"type": "BUTTONS", "buttons": [
                {"type": "URL", "format": "STATIC", "text": "Shop Now", "index": 0, "url": "https://www.myoperator.com/shop/"},
                {"type": "PHONE_NUMBER", "text": "Call Us", "index": 1, "phone_number": "911234567890"}]}]}

    specs = [
        ("start_chat", "marketing", "approved", None, [
            {"type": "HEADER", "format": "TEXT", "text": "Welcome to our store"},
            {"type": "BODY", "text": "Hello! Thanks for choosing us. Tap below to start shopping.", "example": {}},
            {"type": "FOOTER", "text": "Team MyOperator"}, static_buttons]),
        ("welcome_customer", "marketing", "approved", None, [
            {"type": "BODY", "text": "Hi {{customer_name}}, thanks for contacting us. We will reach out shortly.",
             "example": {"customer_name": "John Doe"}}]),
        ("sale_announcement", "marketing", "approved", None, [
            {"type": "HEADER", "format": "TEXT", "text": "{{sale_month}} Sale Offer", "example": {"sale_month": "June"}},
            {"type": "BODY", "text": "Hi {{customer_name}}, shop before the sale ends this month.",
             "example": {"customer_name": "John Doe"}},
            {"type": "FOOTER", "text": "Team MyOperator"}]),
        ("media_offer", "marketing", "approved", None, [
            {"type": "HEADER", "format": "MEDIA", "media_id": image},
            {"type": "BODY", "text": "Hi {{customer_name}}, here is this week's offer just for you.",
             "example": {"customer_name": "John Doe"}}]),
        ("dynamic_url_template", "marketing", "approved", None, [
            {"type": "BODY", "text": "Our {{var_1}} sale is live, {{var_2}}. Pick your region below.",
             "example": {"var_1": "June", "var_2": "Vipan"}},
            {"type": "BUTTONS", "buttons": [
                {"type": "URL", "format": "DYNAMIC", "text": "USA prices", "index": 0,
                 "url": "https://www.myoperator.com/{{var1}}", "example": {"var1": "usa-price"}},
                {"type": "URL", "format": "DYNAMIC", "text": "India prices", "index": 1,
                 "url": "https://www.myoperator.com/{{var1}}", "example": {"var1": "india-price"}}]}]),
        ("auth_temp", "authentication", "approved", None, [
            {"type": "BODY", "text": "*{{otp}}* is your verification code. For your security, do not share this code.",
             "add_security_recommendation": True, "example": {"otp": "123456"}},
            {"type": "FOOTER", "text": "This code expires in 5 minutes.", "code_expiration_minutes": 5},
            {"type": "BUTTONS", "buttons": [{"type": "OTP", "text": "Copy Code", "index": 0, "otp_type": "copy_code"}]}]),
        ("crousel_template_1", "marketing", "approved", None, [
            {"type": "BODY", "format": "TEXT", "text": "Explore our new collections", "example": {}},
            {"type": "CAROUSEL", "cards": [card(0, card_one, "Succulents"), card(1, card_two, "Rose")]}]),
        ("order_update", "utility", "approved", None, [
            {"type": "BODY", "text": "Hello {{1}}, your order {{2}} has been shipped and will arrive soon.",
             "example": {"1": "Asha", "2": "ORD-1042"}},
            {"type": "FOOTER", "text": "Reply STOP to opt out"}]),
        ("festive_offer_draft", "marketing", "pending", None, [
            {"type": "BODY", "text": "Hi {{name}}, our festive offers start tomorrow.", "example": {"name": "Ravi"}}]),
        ("winter_promo", "marketing", "rejected", "INVALID_FORMAT", [
            {"type": "BODY", "text": "{{name}} grab the winter deal", "example": {"name": "Ravi"}}]),
    ]
    templates = []
    for name, category, review, failure, components in specs:
        created = g.moment(60)
        templates.append({
            "id": g.uuid(), "name": name, "waba_template_id": g.digits(16), "language": "en",
            "category": category, "type": "template", "components": components, "quality": "unknown",
            "status": "active", "waba_template_status": review, "failure_reason": failure,
            "link_tracking": False, "created": iso(created),
            "modified": iso(created + timedelta(minutes=g.rng.randint(1, 30))), "waba_id": waba_id})
    return templates


def _campaigns(g: _Gen, phone_number_id: str, templates: list[dict]) -> list[dict]:
    by_name = {t["name"]: t for t in templates}
    creator = {"uuid": g.hex(16), "name": g.fake.name()}
    specs = [  # (name, status, scheduled_type, template, days before reference (negative: future))
        ("june_18_sale", "completed", "scheduled", "sale_announcement", 20),
        ("welcome_wave", "completed", "immediate", "welcome_customer", 10),
        ("order_followup", "failed", "immediate", "order_update", 5),
        ("diwali_preview", "scheduled", "scheduled", "media_offer", -3),
    ]
    campaigns = []
    for number, (name, status, scheduled_type, template_name, days) in enumerate(specs, start=1001):
        template = by_name[template_name]
        created = REFERENCE_TIME - timedelta(days=days, hours=2) if days > 0 else REFERENCE_TIME - timedelta(hours=5)
        scheduled = REFERENCE_TIME - timedelta(days=days)
        count = g.rng.randint(5, 40)
        doc = {
            "id": number, "name": name, "phone_number_id": phone_number_id, "status": status,
            "scheduled_type": scheduled_type, "created_by": creator, "created_at": iso(created),
            "modified_at": iso(created + timedelta(minutes=3)), "scheduled_at": iso(scheduled),
            "template_id": template["id"],
            "variables_mapping": [{"var_name": v, "mapping_type": "DYNAMIC", "mapped_value": "{{contact_name}}",
                                   "default_value": "User", "scope": "body"}
                                  for v in _body_variables(template)],
            "audience": {"file_url": f"https://campaign-files.example.com/audience/{g.hex(16)}.csv",
                         "file_headers": ["Name", "Phone Number", "Country Code"], "count": count,
                         "file_size": count * 38, "filename": f"{name}.csv"},
            "failure_reason": None, "stats": None, "link_stats": None,
        }
        if status == "completed":
            sent = count - g.rng.randint(0, 3)
            delivered = sent - g.rng.randint(0, 2)
            read = delivered - g.rng.randint(0, delivered // 2)
            started = scheduled + timedelta(seconds=15)
            doc["stats"] = {"total": count, "sent": sent, "delivered": delivered, "read": read,
                            "failed": count - sent, "replied": g.rng.randint(0, read), "billable": delivered,
                            "started_at": iso(started), "finished_at": iso(started + timedelta(minutes=4)),
                            "modified_at": iso(started + timedelta(minutes=6))}
            doc["link_stats"] = {"total": sent, "visited": g.rng.randint(0, read)}
            doc["modified_at"] = doc["stats"]["modified_at"]
        elif status == "failed":
            doc["failure_reason"] = "daily_limit_reached"
            doc["stats"] = {"total": 0, "sent": 0, "delivered": 0, "read": 0, "failed": 0, "replied": 0,
                            "billable": 0, "started_at": None, "finished_at": None,
                            "modified_at": doc["modified_at"]}
        campaigns.append(doc)
    return campaigns


def _body_variables(template: dict) -> list[str]:
    body: dict[str, Any] = next((c for c in template["components"] if c["type"] == "BODY"), {})
    return list(body.get("example", {}))


def _contacts(g: _Gen, company_id: str) -> list[dict]:
    contacts = []
    start = REFERENCE_TIME - timedelta(days=150)
    for n in range(24):
        created = start + timedelta(days=n * 6, seconds=g.rng.randint(0, 80_000),
                                    microseconds=g.rng.randint(0, 999) * 1000)
        fields: dict[str, Any] = {}
        if n % 2 == 0:
            fields = {
                "text": g.fake.company(), "text_area": g.fake.address().replace("\n", ", "),
                "number": str(g.rng.randint(1000, 99999)), "age": g.rng.randint(18, 70),
                "gender": g.rng.choice(["male", "female", "other"]),
                "customer_type": g.rng.choice(["prime", "regular"]),
                "skills": sorted(g.rng.sample(["python", "php", "mysql", "golang"], g.rng.randint(1, 3))),
                "dob": g.birth_date(minimum_age=18, maximum_age=70),
                "appointment_time": (created + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S"),
                "local_user": g.rng.random() < 0.5,
            }
        name = g.fake.name()
        contacts.append({
            "id": f"{int(created.timestamp()):08x}{g.hex(16)}", "company_id": company_id, "name": name,
            "country_code": "91", "phone_number": g.mobile(),
            "email_id": f"{name.split()[0].lower()}{n}@example.com" if n % 3 else None,
            "marketing_opt_in": n % 4 != 0, "status": "active", "source": CONTACT_SOURCES[n % 5],
            "custom_fields": fields, "created": iso(created), "modified": iso(created)})
    return contacts
