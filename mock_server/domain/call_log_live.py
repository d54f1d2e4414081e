"""The call log as the live Search Logs returns it: the AfterCall log under long field names.

The docs publish no Search Logs response; a production client's notes record the live one
(OBSERVED A.5-A.7): ``{"user_id": <32 hex>, "_source": {…}}`` hits whose ``_source`` uses long names
(``caller_number``, ``start_time``, ``log_details``…) but keeps two short ones (``_ds``, ``_us``).
MyOperator says the call log it sends after each call is "the same log" its call logs hold, and
every observed value is the value of an AfterCall field (``caller_number_raw`` is ``_cr``,
``duration`` is ``_dr`` with the ring time, a leg's ``start_time`` is its ``_st``…), so the search
hit is rendered *from* the AfterCall log (``call_log.render``): one call reads the same through
the webhook and the search, field for field.

Where the two differ: ``fileurl`` is the panel's player page for the recording
(``https://app.myoperator.com/audio/<file name without .mp3>``), not the AfterCall ``_fu``;
``state`` (read by a 2020 client, no value recorded) is the call location ``_se``; the hit's
``user_id`` is the caller's id (see ``caller_id``). The AfterCall fields no observed client reads
(``_so``, ``_ty``, ``_pm``, ``_ns``, ``_ri``…) are not in the hit.
"""

from __future__ import annotations

import hashlib
from typing import Any

PANEL_AUDIO = "https://app.myoperator.com/audio/"

# (long name, AfterCall short name): the call's fields, in the order of the observed example hit.
CALL_FIELDS = (
    ("company_id", "_ci"), ("caller_number_raw", "_cr"), ("caller_number", "_cl"), ("state", "_se"),
    ("start_time", "_st"), ("end_time", "_et"), ("duration", "_dr"), ("event", "_ev"), ("status", "_su"),
    ("filename", "_fn"),
)
# (long name, short name) of one leg of ``log_details`` (an ``_ld`` entry) and of its agent (``_rr``).
LEG_FIELDS = (("_ds", "_ds"), ("action", "_ac"), ("duration", "_dr"), ("start_time", "_st"))
AGENT_FIELDS = (("name", "_na"), ("extension", "_ex"), ("user_id", "_id"))


def panel_link(file_name: str) -> str:
    """``fileurl``: the panel page that plays a recording (it needs a logged-in panel session)."""
    return PANEL_AUDIO + file_name.removesuffix(".mp3") if file_name else ""


def caller_id(company_id: str, caller_number: str) -> str:
    """The hit's ``user_id``: 32 hex digits naming the caller within the company, the same on every
    call of one number. What the live value identifies is not recorded; it is not a call's id (those
    are 16 hex digits, as are the agents'), and a caller is the "user" a log is about."""
    return hashlib.md5(f"{company_id}:{caller_number}".encode(), usedforsecurity=False).hexdigest()


def _leg(leg: dict) -> dict:
    rendered: dict[str, Any] = {long: leg[short] for long, short in LEG_FIELDS}
    rendered["received_by"] = [{long: agent[short] for long, short in AGENT_FIELDS} for agent in leg["_rr"]]
    return rendered


def source(log: dict) -> dict:
    """A hit's ``_source`` from the AfterCall log ``log`` of the same call."""
    rendered: dict[str, Any] = {long: log[short] for long, short in CALL_FIELDS}
    rendered["fileurl"] = panel_link(log["_fn"])
    rendered["department_name"] = log["_dn"]
    rendered["log_details"] = [_leg(leg) for leg in log["_ld"]]
    rendered["_us"] = [dict(entry) for entry in log["_us"]]
    return rendered


def hit(log: dict) -> dict:
    """One Search Logs hit: the caller's id beside the call's ``_source``."""
    return {"user_id": caller_id(log["_ci"], log["_cl"]), "_source": source(log)}
