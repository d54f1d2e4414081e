"""The User APIs' rules: pure functions over user documents (no HTTP here).

A user document is the fixtures' shape (``fixtures_telephony._user``): ``id`` is the 16-hex uuid,
``extension`` an int, ``role_id`` an int, the flags booleans. The wire shape (strings for
extension, role_id, is_active and is_enabled; an int for is_available) is made by ``render``.

Parameters arrive as query-string or form strings, or as JSON values; an empty string or a null
means "not given" (the collection's URLs send every optional parameter empty). A broken rule
raises ``RuleError`` with DRF-style ``{field: [message]}``; the handlers turn it into the
developers API's one-message 400.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

from mock_server.developers.params import given

ROLE_BASIC = 8
CONTACT_TYPES = ("mobile", "sip", "landline")
EXTENSION_RANGE = (1, 9999)
NAME_MAX = 255
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 100

COUNTRY_CODE = re.compile(r"^[1-9]\d{0,3}$")
INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")  # ASCII digits only: "٤٥" is no extension
EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                   r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
# Indian numbers (mobile and landline with its STD code) are ten digits without the country code.
NATIONAL_LENGTH = {"91": 10}
PHONE_DIGITS_RANGE = (4, 15)
E164_MAX = 15

# --- the messages (each starts with its parameter's name: the error body has one message) ---------
REQUIRED = "{field} is required"
NOT_TEXT = "{field} must be text"
NAME_LONG = f"name must be at most {NAME_MAX} characters"
DIGITS = "{field} must contain digits only (without the country code)"
PHONE_LENGTH = "{field} must have 4 to 15 digits"
NATIONAL = "{field} must have {n} digits for country code {cc}"
E164 = "{field} with its country code must not exceed 15 digits"
COUNTRY = "{field} must be 1 to 4 digits, e.g. 91 or +91"
EXTENSION = f"extension must be an integer between {EXTENSION_RANGE[0]} and {EXTENSION_RANGE[1]}"
EXTENSION_TAKEN = "extension {extension} is already assigned to another user"
CONTACT_TAKEN = "contact_number is already the contact number of another user"
EMAIL_INVALID = "email must be a valid email address"
ONE_OR_TWO = "{field} must be 1 or 2"
CONTACT_TYPE = "contact_type must be one of Mobile, SIP, Landline"
ALT_CC_REQUIRED = "alternate_cc is required when alternate_contact_number is given"
ALT_CC_ALONE = "alternate_cc is given but the user has no alternate_contact_number"
ALT_SAME = "alternate_contact_number must differ from contact_number"
UUID_REQUIRED = "uuid is required"
USER_NOT_FOUND = "user not found"
ANONYMOUS_FIXED = "uuid belongs to the Anonymous User, which cannot be changed"
WHOLE_NUMBER = "{field} must be a whole number of at least 1"
ALL_FLAG = "_all must be 1 or 0"

# The documented parameters, in the order errors are reported; the document key each one sets.
PARAMS = ("name", "contact_number", "country_code", "extension", "email", "alternate_contact_number",
          "alternate_cc", "panel_access", "receive_calls", "contact_type")
DOC_KEY = {"alternate_contact_number": "alternate_number"}
REQUIRED_ON_CREATE = ("name", "contact_number", "country_code", "extension")


class RuleError(Exception):
    """A broken rule: ``errors`` maps a parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def fail(field: str, message: str) -> RuleError:
    return RuleError({field: [message]})


# --- single values ----------------------------------------------------------------------------------
def scalar_text(value: Any) -> str | None:
    """A parameter as text: strings trimmed, integers in decimal; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    return value.strip() if isinstance(value, str) else None


def parse_int(value: Any) -> int | None:
    text = scalar_text(value)
    return int(text) if text is not None and INTEGER.match(text) else None


def _digits(field: str, value: Any, errors: dict) -> str | None:
    text = scalar_text(value)
    if text is None or not (text.isascii() and text.isdigit()):
        errors[field] = [DIGITS.format(field=field)]
        return None
    return text


def _country_code(field: str, value: Any, errors: dict) -> str | None:
    text = scalar_text(value)
    code = text.removeprefix("+") if text is not None else ""
    if not (code.isascii() and COUNTRY_CODE.match(code)):
        errors[field] = [COUNTRY.format(field=field)]
        return None
    return code


def _one_or_two(field: str, value: Any, errors: dict) -> int | None:
    number = parse_int(value)
    if number not in (1, 2):
        errors[field] = [ONE_OR_TWO.format(field=field)]
        return None
    return number


def _parse(field: str, value: Any, errors: dict) -> Any:
    """One given parameter's value as stored, or None after recording why it is invalid."""
    if field == "name":
        if not isinstance(value, str):
            errors[field] = [NOT_TEXT.format(field=field)]
        elif len(value.strip()) > NAME_MAX:
            errors[field] = [NAME_LONG]
        else:
            return value.strip()
    elif field == "email":
        if not isinstance(value, str):
            errors[field] = [NOT_TEXT.format(field=field)]
        elif not EMAIL.match(value.strip()) or len(value.strip()) > 254:
            errors[field] = [EMAIL_INVALID]
        else:
            return value.strip()
    elif field in ("contact_number", "alternate_contact_number"):
        return _digits(field, value, errors)
    elif field in ("country_code", "alternate_cc"):
        return _country_code(field, value, errors)
    elif field == "extension":
        number = parse_int(value)
        if number is None or not EXTENSION_RANGE[0] <= number <= EXTENSION_RANGE[1]:
            errors[field] = [EXTENSION]
        else:
            return number
    elif field in ("panel_access", "receive_calls"):
        return _one_or_two(field, value, errors)
    elif field == "contact_type":
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in CONTACT_TYPES:
            errors[field] = [CONTACT_TYPE]
        else:
            return text
    return None


def clean(params: dict, creating: bool) -> dict[str, Any]:
    """The given documented parameters, each checked on its own, keyed by document field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for field in PARAMS:
        if not given(params, field):
            if creating and field in REQUIRED_ON_CREATE:
                errors[field] = [REQUIRED.format(field=field)]
            continue
        value = _parse(field, params[field], errors)
        if field not in errors:
            out[DOC_KEY.get(field, field)] = value
    if given(params, "alternate_contact_number") and not given(params, "alternate_cc"):
        errors.setdefault("alternate_cc", [ALT_CC_REQUIRED])
    if creating and given(params, "alternate_cc") and not given(params, "alternate_contact_number"):
        errors.setdefault("alternate_cc", [ALT_CC_ALONE])
    if errors:
        raise RuleError({f: errors[f] for f in PARAMS if f in errors})
    return out


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
        raise RuleError(errors)


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
        if other.get("extension") == user["extension"]:
            errors["extension"] = [EXTENSION_TAKEN.format(extension=user["extension"])]
        if other.get("contact_number") and phone_key(other) == phone_key(user):
            errors["contact_number"] = [CONTACT_TAKEN]
    if errors:
        raise RuleError({f: errors[f] for f in PARAMS if f in errors})


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


# --- listing ------------------------------------------------------------------------------------------
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


def keyword_of(params: dict) -> str:
    value = params.get("keyword")
    if value is None:
        return ""
    text = scalar_text(value)
    if text is None:
        raise fail("keyword", NOT_TEXT.format(field="keyword"))
    return text


def positive_int(params: dict, name: str, default: int) -> int:
    if not given(params, name):
        return default
    number = parse_int(params[name])
    if number is None or number < 1:
        raise fail(name, WHOLE_NUMBER.format(field=name))
    return number


def wants_all(params: dict) -> bool:
    """_all=1 (also true/yes); absent, empty, 0 or false mean paging."""
    if not given(params, "_all"):
        return False
    value = params["_all"]
    text = str(value).strip().lower() if isinstance(value, (bool, int, str)) else None
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise fail("_all", ALL_FLAG)


def page_links(total: int, page: int, size: int) -> tuple[str, str]:
    """next_page / prev_page: the page numbers as strings, "" when there is none.

    A page past the end points back to the last page that has users (page 1 when none do).
    """
    last = max(1, math.ceil(total / size))
    next_page = str(page + 1) if page * size < total else ""
    prev_page = str(min(page - 1, last)) if page > 1 else ""
    return next_page, prev_page


# --- the wire shape -----------------------------------------------------------------------------------
def flag(value: Any) -> str:
    return "1" if value else "0"


def render(user: dict) -> dict:
    """One user as Get Users documents it (key order included)."""
    return {
        "user_id": user["user_id"], "uuid": user["id"], "company_id": user["company_id"], "name": user["name"],
        "email": user.get("email"), "extension": str(user["extension"]),
        "contact_number": user.get("contact_number"), "contact_type": user.get("contact_type"),
        "alternate_number": user.get("alternate_number"), "alternate_contact_type": user.get("alternate_contact_type"),
        "role_id": str(user["role_id"]), "is_active": flag(user.get("is_active")),
        "is_enabled": flag(user.get("is_enabled")), "is_available": 1 if user.get("is_available") else 0,
    }
