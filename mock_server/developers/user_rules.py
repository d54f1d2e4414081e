"""The User APIs' request rules: their parameters, each checked on its own (no HTTP here).

Parameters arrive as query-string or form strings, or as JSON values; an empty string or a null
means "not given" (the collection's URLs send every optional parameter empty). A broken rule
raises a ``Refusal`` with DRF-style fields ``{parameter: [message]}``, which the developers API
answers with its one-message 400. The rules on a user as a whole are the users service's
(``mock_server.services.users``); the wire shape is ``developers.render``'s.
"""

from __future__ import annotations

import math
import re
from typing import Any

from mock_server.developers.params import given
from mock_server.refusals import Refusal
from mock_server.services.users import ALT_CC_ALONE, refused

CONTACT_TYPES = ("mobile", "sip", "landline")
EXTENSION_RANGE = (1, 9999)
NAME_MAX = 255
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 100

COUNTRY_CODE = re.compile(r"^[1-9]\d{0,3}$")
INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")  # ASCII digits only: "٤٥" is no extension
EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                   r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")

# --- the messages (each starts with its parameter's name: the error body has one message) ---------
REQUIRED = "{field} is required"
NOT_TEXT = "{field} must be text"
NAME_LONG = f"name must be at most {NAME_MAX} characters"
DIGITS = "{field} must contain digits only (without the country code)"
COUNTRY = "{field} must be 1 to 4 digits, e.g. 91 or +91"
EXTENSION = f"extension must be an integer between {EXTENSION_RANGE[0]} and {EXTENSION_RANGE[1]}"
EMAIL_INVALID = "email must be a valid email address"
ONE_OR_TWO = "{field} must be 1 or 2"
CONTACT_TYPE = "contact_type must be one of Mobile, SIP, Landline"
ALT_CC_REQUIRED = "alternate_cc is required when alternate_contact_number is given"
UUID_REQUIRED = "uuid is required"
WHOLE_NUMBER = "{field} must be a whole number of at least 1"
ALL_FLAG = "_all must be 1 or 0"

# The documented parameters, in the order errors are reported; the document key each one sets.
PARAMS = ("name", "contact_number", "country_code", "extension", "email", "alternate_contact_number",
          "alternate_cc", "panel_access", "receive_calls", "contact_type")
DOC_KEY = {"alternate_contact_number": "alternate_number"}
REQUIRED_ON_CREATE = ("name", "contact_number", "country_code", "extension")


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
        raise refused({f: errors[f] for f in PARAMS if f in errors})
    return out


# --- listing -----------------------------------------------------------------------------------------
def keyword_of(params: dict) -> str:
    value = params.get("keyword")
    if value is None:
        return ""
    text = scalar_text(value)
    if text is None:
        raise Refusal.field("keyword", NOT_TEXT.format(field="keyword"))
    return text


def positive_int(params: dict, name: str, default: int) -> int:
    if not given(params, name):
        return default
    number = parse_int(params[name])
    if number is None or number < 1:
        raise Refusal.field(name, WHOLE_NUMBER.format(field=name))
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
    raise Refusal.field("_all", ALL_FLAG)


def page_links(total: int, page: int, size: int) -> tuple[str, str]:
    """next_page / prev_page: the page numbers as strings, "" when there is none.

    A page past the end points back to the last page that has users (page 1 when none do).
    """
    last = max(1, math.ceil(total / size))
    next_page = str(page + 1) if page * size < total else ""
    prev_page = str(min(page - 1, last)) if page > 1 else ""
    return next_page, prev_page
