"""Users: the company's people, whom the OBD API dials and the developers API's User APIs add and change.

A user document is the fixtures' shape (``fixtures_telephony._user``): ``id`` is the 16-hex uuid,
``extension`` an int, ``role_id`` an int, the flags booleans. The rules on a user as a whole (its
numbers, one user per extension and per contact number) and the operations that add, change and
find users live here; a broken rule raises a ``Refusal`` whose fields are the documented parameters.
No HTTP here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mock_server.clock import iso
from mock_server.context import AppContext
from mock_server.refusals import Refusal
from mock_server.store import TenantState
from mock_server.store.names import USERS

ROLE_BASIC = 8
# Indian numbers (mobile and landline with its STD code) are ten digits without the country code.
NATIONAL_LENGTH = {"91": 10}
PHONE_DIGITS_RANGE = (4, 15)
E164_MAX = 15

# --- the messages (each starts with its parameter's name: the developers API's error body has one message)
PHONE_LENGTH = "{field} must have 4 to 15 digits"
NATIONAL = "{field} must have {n} digits for country code {cc}"
E164 = "{field} with its country code must not exceed 15 digits"
EXTENSION_TAKEN = "extension {extension} is already assigned to another user"
CONTACT_TAKEN = "contact_number is already the contact number of another user"
ALT_CC_ALONE = "alternate_cc is given but the user has no alternate_contact_number"
ALT_SAME = "alternate_contact_number must differ from contact_number"
USER_NOT_FOUND = "user not found"
ANONYMOUS_FIXED = "uuid belongs to the Anonymous User, which cannot be changed"


def refused(fields: dict[str, list[str]]) -> Refusal:
    """Parameters that break a rule: parameter -> its messages."""
    return Refusal("400", fields=fields)


# --- a user as a whole --------------------------------------------------------------------------------
def _phone_problem(field: str, country_code: str, number: str, contact_type: str | None) -> str | None:
    if not PHONE_DIGITS_RANGE[0] <= len(number) <= PHONE_DIGITS_RANGE[1]:
        return PHONE_LENGTH.format(field=field)
    national = NATIONAL_LENGTH.get(country_code)
    if national and contact_type != "sip" and len(number) != national:
        return NATIONAL.format(field=field, n=national, cc=country_code)
    if len(country_code) + len(number) > E164_MAX:
        return E164.format(field=field)
    return None


def check_user(user: dict) -> None:
    """Rules across fields, on the user as it would be stored."""
    errors: dict[str, list[str]] = {}
    problem = _phone_problem("contact_number", user["country_code"], user["contact_number"], user["contact_type"])
    if problem:
        errors["contact_number"] = [problem]
    if user["alternate_number"]:
        problem = _phone_problem("alternate_contact_number", user["alternate_cc"], user["alternate_number"],
                                 user["alternate_contact_type"])
        if problem:
            errors["alternate_contact_number"] = [problem]
        elif (user["alternate_cc"], user["alternate_number"]) == (user["country_code"], user["contact_number"]):
            errors["alternate_contact_number"] = [ALT_SAME]
    elif user["alternate_cc"]:
        errors["alternate_cc"] = [ALT_CC_ALONE]
    if errors:
        raise refused(errors)


def phone_key(user: dict) -> tuple[str, str]:
    return user.get("country_code") or "", user.get("contact_number") or ""


def ensure_unique(users: Iterable[dict], user: dict) -> None:
    """Extension and contact number (with its country code) belong to one user of the company.

    An alternate number may repeat another user's number (the docs: verification is triggered).
    """
    errors: dict[str, list[str]] = {}
    for other in users:
        if other["id"] == user["id"]:
            continue
        if other.get("contact_number") and phone_key(other) == phone_key(user):
            errors["contact_number"] = [CONTACT_TAKEN]
        if other.get("extension") == user["extension"]:
            errors["extension"] = [EXTENSION_TAKEN.format(extension=user["extension"])]
    if errors:  # in the order the parameters are documented: contact_number before extension
        raise refused({f: errors[f] for f in ("contact_number", "extension") if f in errors})


def role_label(receive_calls: int) -> str:
    """The fixtures' label for a Basic user: an agent, or one who takes no calls."""
    return "agent" if receive_calls == 1 else "no_calls"


def new_user(values: dict, uuid: str, user_id: str, company_id: str, now: str) -> dict:
    """A Basic user with the documented defaults, in the fixtures' shape."""
    receive_calls = values.get("receive_calls", 1)
    alternate = values.get("alternate_number")
    user = {
        "id": uuid, "user_id": user_id, "company_id": company_id, "role": role_label(receive_calls),
        "name": values["name"], "email": values.get("email"), "country_code": values["country_code"],
        "contact_number": values["contact_number"], "contact_type": values.get("contact_type", "mobile"),
        "extension": values["extension"], "alternate_cc": values.get("alternate_cc"),
        "alternate_number": alternate, "alternate_contact_type": "mobile" if alternate else None,
        "role_id": ROLE_BASIC, "panel_access": values.get("panel_access", 1), "receive_calls": receive_calls,
        "is_active": True, "is_enabled": True, "is_available": True, "department_ids": [],
        "created": now, "modified": now,
    }
    check_user(user)
    return user


def is_anonymous(user: dict) -> bool:
    return user.get("role") == "anonymous"


def updated_user(user: dict, values: dict, now: str) -> dict:
    """A copy of ``user`` with the given values; ``modified`` moves only when something changed."""
    out = {**user, **values}
    if "alternate_number" in values:
        out["alternate_contact_type"] = out.get("alternate_contact_type") or "mobile"
    if "receive_calls" in values and out.get("role_id") == ROLE_BASIC and not is_anonymous(user):
        out["role"] = role_label(values["receive_calls"])
    check_user(out)
    if out != user:
        out["modified"] = now
    return out


# --- finding ------------------------------------------------------------------------------------------
def in_order(users: Iterable[dict]) -> list[dict]:
    """Oldest first: the order users were added in."""
    return sorted(users, key=lambda u: (u.get("created", ""), u["id"]))


def matches(user: dict, keyword: str) -> bool:
    """Case-insensitive: name, email, or phone number with or without its country code (and '+')."""
    wanted = keyword.strip().casefold()
    if not wanted:
        return True
    number, code = user.get("contact_number") or "", user.get("country_code") or ""
    haystacks = [user.get("name") or "", user.get("email") or ""]
    if number:
        haystacks += [number, f"+{code}{number}"]
    return any(wanted in h.casefold() for h in haystacks)


def find(tenant: TenantState, keyword: str) -> list[dict]:
    """The company's users that ``keyword`` matches ("" matches all), oldest first."""
    return [u for u in in_order(tenant[USERS]) if matches(u, keyword)]


# --- adding and changing ----------------------------------------------------------------------------
def fresh_ids(ctx: AppContext) -> tuple[str, str]:
    """A 16-hex uuid and a 12-digit user_id that no user of any company has."""
    taken_ids, taken_user_ids = set(), set()
    for tenant in ctx.store.tenants.values():
        for user in tenant[USERS]:
            taken_ids.add(user["id"])
            taken_user_ids.add(user["user_id"])
    uuid = ctx.ids.uuid().replace("-", "")[:16]
    while uuid in taken_ids:
        uuid = ctx.ids.uuid().replace("-", "")[:16]
    user_id = ctx.ids.digits(12)
    while user_id in taken_user_ids:
        user_id = ctx.ids.digits(12)
    return uuid, user_id


def add(ctx: AppContext, tenant: TenantState, values: dict[str, Any]) -> dict:
    """Add a Basic user with ``values`` (document field -> value, each already checked on its own)."""
    users = tenant[USERS]
    uuid, user_id = fresh_ids(ctx)
    user = new_user(values, uuid, user_id, tenant.company_id, iso(ctx.now()))
    with ctx.store.transaction():
        ensure_unique(users, user)
        users.put(user)
    return user


def update(ctx: AppContext, tenant: TenantState, uuid: Any, values: dict[str, Any]) -> dict:
    """Change the user ``uuid`` names (not the Anonymous User) by ``values``; the user as it is now."""
    users = tenant[USERS]
    user = users.get(uuid.strip()) if isinstance(uuid, str) else None
    if user is None:
        raise Refusal("404", USER_NOT_FOUND, status=404)
    if is_anonymous(user):
        raise Refusal.field("uuid", ANONYMOUS_FIXED)
    changed = updated_user(user, values, iso(ctx.now()))
    with ctx.store.transaction():
        ensure_unique(users, changed)
        if changed != user:
            users.put(changed)
    return changed
