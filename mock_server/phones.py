"""Phone numbers, with one set of rules for every surface: what E.164 is, and where a number's
country code ends."""

from __future__ import annotations

import re

E164 = re.compile(r"\+[1-9][0-9]{6,14}")  # "+", then 7 to 15 digits with the country code
DEFAULT_COUNTRY_CODE = "91"  # MyOperator's accounts are Indian: a bare national number is +91
# ITU-T E.164 country codes of one and two digits; every other code has three.
ONE_DIGIT_CODES = {"1", "7"}
TWO_DIGIT_CODES = {"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47",
                   "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
                   "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98"}
SEPARATORS = str.maketrans("", "", " -().")
# National numbers of one fixed length, where E.164 alone allows 4 to 14 digits after any code: India's are ten
# digits (a mobile, or a landline with its STD code). A leading 0 is let through: the simulator's magic numbers
# (+910000000001 …) have one.
NATIONAL_NUMBERS = {"91": re.compile(r"[0-9]{10}")}


def is_e164(number: str | None) -> bool:
    return isinstance(number, str) and E164.fullmatch(number) is not None


def is_complete_e164(number: str | None) -> bool:
    """E.164 with a national number of its country's length where that is fixed (+91 and ten digits)."""
    if not isinstance(number, str) or not is_e164(number):
        return False
    digits = number[1:]
    size = code_length(digits)
    national = NATIONAL_NUMBERS.get(digits[:size])
    return national is None or national.fullmatch(digits[size:]) is not None


def code_length(digits: str) -> int:
    """How many leading digits of an international number are its country code."""
    return 1 if digits[:1] in ONE_DIGIT_CODES else 2 if digits[:2] in TWO_DIGIT_CODES else 3


def split_phone(raw: str) -> tuple[str, str] | None:
    """(country_code, national number) of a number given with or without its country code.

    "+<cc><number>" or "00<cc><number>" name the code; bare numbers of up to ten digits are
    Indian; longer bare ones lead with their country code. None when it is no phone number.
    """
    text = raw.strip().translate(SEPARATORS)
    international = text.startswith(("+", "00"))
    digits = text[1:] if text.startswith("+") else text[2:] if international else text
    if not digits or not (digits.isascii() and digits.isdigit()):
        return None
    if not international and len(digits) <= 10:
        return DEFAULT_COUNTRY_CODE, digits
    if not international and len(digits) == 11 and digits.startswith("0"):
        return DEFAULT_COUNTRY_CODE, digits[1:]  # India's trunk prefix
    size = code_length(digits)
    return (digits[:size], digits[size:]) if len(digits) > size else None
