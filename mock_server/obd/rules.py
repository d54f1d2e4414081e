"""The OBD application's checks, in the order it makes them (pure: no HTTP, no clock of its own).

Each refusal is the documented status with a message of ours (the docs list the causes, not the
texts), except where the live service was seen to answer (OBSERVED.md B11, B13, B14): those are its
words. The gateway's checks (x-api-key, JSON, field types) come before these, in handlers.py and gateway.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from ipaddress import ip_address
from typing import Any

from mock_server.clock import parse_iso
from mock_server.domain.call_builders import dialable
from mock_server.errors import quoted
from mock_server.fixtures_telephony import STD_CODES
from mock_server.phones import is_complete_e164
from mock_server.refusals import Refusal
from mock_server.services.calls import Dial

REQUIRED = ("company_id", "secret_token", "type", "number", "public_ivr_id")
# Fields a request may leave out, which production clients send as "" when unused (OBSERVED.md B18).
OPTIONAL_TEXT = ("user_id", "number_2", "region", "std_code", "caller_id", "reference_id", "group")
MAX_CALL_DURATION = 5400
REGIONS = {region.lower(): code for code, region in STD_CODES.items()}
CALL_HOLD_WARNING = "This call might get cancelled due to unavailability of UDC(User/Department/Channels)!!"
ACCEPTED = "Request accepted successfully"
# The live API's words (OBSERVED.md B11, B14; "annonymous" sic).
INVALID_NUMBER = "Provide valid Number in string format"
ANONYMOUS_OFF = "Your annonymous feature is not enabled"


def refusal(status: int, message: str, **details: Any) -> Refusal:
    """The application's answer ``status`` with ``message`` (its ``details``), and what else its body carries."""
    return Refusal(str(status), message, status=status, details=details or None)


@dataclass(frozen=True)
class Company:
    """What a request is checked against: the x-api-key's company and its telephony."""
    company_id: str
    account: dict
    ivrs: Sequence[dict]
    users: Sequence[dict]
    dids: Sequence[dict]
    reference_lock: Callable[[str], int]  # reference_id -> the seconds it stays taken, 0 when it is free


def without_blanks(body: dict[str, Any]) -> dict[str, Any]:
    """The request with its optional fields that are blank text left out: "" is "not given", not a value."""
    return {k: v for k, v in body.items() if not (k in OPTIONAL_TEXT and isinstance(v, str) and not v.strip())}


def check(body: dict[str, Any], company: Company, client_ip: str | None, now: datetime) -> Dial:
    """The accepted dial, or the first Refusal the application would answer with. ``body`` is without blanks
    (``without_blanks``)."""
    account = company.account
    missing = [f for f in REQUIRED if not str(body.get(f) or "").strip()]
    if missing:
        raise refusal(400, f"Missing required field(s): {', '.join(missing)}")
    dial_type = body["type"].strip()
    if dial_type == "3":
        raise refusal(400, "Type 3 dialer is deprecated and no longer supported")
    if dial_type not in ("1", "2"):
        raise refusal(400, f"Invalid type \"{quoted(dial_type)}\": allowed values are \"1\" and \"2\"")
    if body["company_id"].strip() != company.company_id:
        raise refusal(403, "Invalid company_id for this x-api-key")
    if account.get("obd_configured") is False:
        raise refusal(500, "Company config missing")
    ivr = next((i for i in company.ivrs if i["id"] == body["public_ivr_id"].strip()), None)
    if ivr is None:
        raise refusal(404, f"IVR {quoted(body['public_ivr_id'])} not found")
    if body["secret_token"] != ivr["secret_token"]:
        raise refusal(403, "Invalid secret_token")
    _allowed_source(ivr, client_ip)
    if now >= parse_iso(ivr["billing_expires_at"]):
        raise refusal(403, "Billing expired for this IVR")
    if ivr["usage_count"] >= ivr["usage_threshold"]:
        raise refusal(403, "Usage threshold exceeded")
    dialer = _dialer(body, dial_type, ivr, account)
    customer = _e164(body, "number")
    agent_number = _e164(body, "number_2") if dialer == "anonymous" else None
    user = _user(body, company.users) if dialer == "user" else None
    agents = (user,) if user else _ivr_agents(ivr, company.users) if dialer == "ivr" else ()
    duration = body.get("max_call_duration")  # an integer: the gateway refuses any other type
    if duration is not None and not 1 <= duration <= MAX_CALL_DURATION:
        raise refusal(400, f"max_call_duration must be between 1 and {MAX_CALL_DURATION} seconds")
    reference = body.get("reference_id")
    remaining = company.reference_lock(reference) if reference else 0
    if remaining:  # the live answer's words around "reference ID", "already taken" and "remaining_ttl" are ours
        raise refusal(403, f"Duplicate request: reference ID \"{quoted(reference)}\" is already taken, "
                           f"remaining_ttl {remaining} seconds", remaining_ttl=remaining)
    return Dial(dialer, ivr, _did(body, ivr, company.dids), user, agents, customer, agent_number, duration,
                body.get("call_hold", True))


def _allowed_source(ivr: dict, client_ip: str | None) -> None:
    allowed = ivr.get("whitelisted_ips") or []
    if not allowed:
        return
    try:
        source = ip_address(client_ip or "")
    except ValueError:
        source = None
    if source is None or all(ip_address(a) != source for a in allowed):
        raise refusal(403, f"Source IP {client_ip} is not whitelisted for this IVR")


def _dialer(body: dict, dial_type: str, ivr: dict, account: dict) -> str:
    user_id, number_2 = body.get("user_id"), body.get("number_2")
    if dial_type == "2":
        for field in ("user_id", "number_2"):
            if body.get(field) is not None:
                raise refusal(403, f"{field} is not allowed for the IVR dialer (type 2)")
        dialer = "ivr"
    elif user_id is not None and number_2 is not None:
        raise refusal(403, "user_id (user dialer) and number_2 (anonymous dialer) cannot be used together")
    elif user_id is None and number_2 is None:
        raise refusal(400, "Type 1 needs user_id (user dialer) or number_2 (anonymous dialer)")
    else:
        dialer = "user" if user_id is not None else "anonymous"
    # The feature off for the company (its plan) or for this IVR: the live API answers the one text.
    if dialer == "anonymous" and (account.get("obd_anonymous_enabled") is False or not ivr["dialers"].get("anonymous")):
        raise refusal(403, ANONYMOUS_OFF)
    if not ivr["dialers"].get(dialer):
        raise refusal(403, f"The {dialer} dialer is not enabled for this IVR")
    return dialer


def _e164(body: dict, field: str) -> str:
    value = body[field].strip()
    if not is_complete_e164(value):  # "9389559274" and "919389559274" were refused live: the "+" and code are needed
        raise refusal(400, INVALID_NUMBER)
    return value


def _user(body: dict, users: Sequence[dict]) -> dict:
    user = next((u for u in users if u["id"] == body["user_id"].strip() and u.get("extension") != 0), None)
    if user is None:
        raise refusal(400, f"Invalid user_id \"{quoted(body['user_id'])}\"")
    if user.get("receive_calls") != 1:
        raise refusal(403, "The user does not receive calls (receive_calls is 2)")
    if not dialable(user):
        raise refusal(400, "The user's contact number cannot be dialled: it is no E.164 number with its country code")
    return user


def _ivr_agents(ivr: dict, users: Sequence[dict]) -> tuple[dict, ...]:
    """The agents the IVR dialer hunts: up to three of its department's who take calls."""
    department = ivr.get("department_id")
    agents = tuple(u for u in users
                   if dialable(u) and (department is None or department in u.get("department_ids", [])))
    if not agents:
        raise refusal(404, "Routing configuration not available: no agent of the IVR's department receives calls")
    return agents[:3]


def _did(body: dict, ivr: dict, dids: Sequence[dict]) -> dict:
    """The DID the call goes out from: caller_id, else std_code (or the deprecated region), else the first."""
    mapped = [d for d in dids if d["id"] in ivr["did_ids"]]
    caller_id = (body.get("caller_id") or "").strip()
    std_code = (body.get("std_code") or "").strip()
    region = (body.get("region") or "").strip()
    if caller_id:
        wanted = caller_id.lstrip("+")
        # The DID as E.164 without the "+", or its national number (without the country code 91).
        known = next((d for d in dids if wanted in (d["number"].lstrip("+"), d["number"].removeprefix("+91"))), None)
        if known is None:
            raise refusal(400, f"Invalid caller_id \"{quoted(caller_id)}\": not a DID of this company")
        if known not in mapped:
            raise refusal(404, f"caller_id {known['number']} is not mapped to this IVR")
        return known
    if not std_code and region:
        std_code = REGIONS.get(region.lower(), "")
        if not std_code:
            raise refusal(400, f"Invalid region \"{quoted(region)}\"")
    if std_code:
        if std_code not in STD_CODES:
            raise refusal(400, f"Invalid std_code \"{quoted(std_code)}\"")
        found = next((d for d in mapped if d["std_code"] == std_code), None)
        if found is None:
            raise refusal(404, f"No DID mapped to this IVR for std_code {std_code}")
        return found
    if not mapped:
        raise refusal(404, "Routing configuration not available: no DID is mapped to this IVR")
    return mapped[0]
