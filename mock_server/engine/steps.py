"""The scenario engine's vocabulary: the actions a step names, and the kinds of parameter a scenario declares.

An *action* is a function of one ``Step``. The arguments a step gives an action (its ``with:`` mapping) are
checked when the scenario file is loaded, against the JSON Schema ``scenarios/<action name>`` that every action
must have.

A *parameter kind* turns a caller's value into the value the steps get (or says why it cannot),
and may name a pool of fixture values a default is picked from (``pick: 2`` is the pool's second).
The kinds below (``BASIC_KINDS``) need nothing from the tenant; ``mock_server.steps`` adds those drawn
from the fixtures.

Which actions and kinds exist is one table, ``mock_server.steps.VOCABULARY`` (a ``Vocabulary``), which the app
hands the engine (``engine.register_actions``): nothing registers itself on import.

Values arrive as JSON from the control API or as text from the CLI's ``--param k=v``, so numeric and
true/false kinds also read their text forms.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mock_server.phones import is_e164
from mock_server.store import TenantState

if TYPE_CHECKING:
    from mock_server.context import AppContext

MAX_SECONDS = 86_400  # one day: longer than any call or message lifecycle needs
MAX_TEXT = 1000
MAX_FIELDS_BYTES = 64 * 1024  # the OBD API's body limit


@dataclass
class Step:
    """One step being run: what its action may read and change."""

    ctx: AppContext
    tenant: TenantState
    run: dict  # the run document: run["params"] resolved, run["state"] shared by the run's steps
    args: dict  # the step's ``with:`` arguments, "$param" references substituted
    at: datetime  # the step's moment (== ctx.now())

    @property
    def state(self) -> dict:
        return self.run["state"]

    def stored(self, kind: str, key: str, first: str) -> dict:
        """The ``kind`` document whose id the run's state keeps under ``key``; a ValueError (which fails
        the run) when no step has made one yet (``first`` says which must) or it is gone (a reset)."""
        doc_id = self.state.get(key)
        if doc_id is None:
            raise ValueError(f"the run has no {kind.removesuffix('s')} yet: {first}")
        doc = self.tenant[kind].get(doc_id)
        if doc is None:
            raise ValueError(f"the {kind.removesuffix('s')} {doc_id} no longer exists")
        return doc


Action = Callable[[Step], None]


@dataclass(frozen=True)
class ParamKind:
    """check(tenant, value, spec) -> the resolved value, or ValueError saying why not; pool(tenant) ->
    the fixture values ``pick: n`` chooses from (None: this kind needs a literal default)."""

    check: Callable[[TenantState, Any, dict], Any]
    pool: Callable[[TenantState], list] | None = None
    pool_label: str = ""  # "the tenant's contacts": what ``pick`` counts, for the listing


@dataclass(frozen=True, eq=False)  # hashed by identity: the loader's cache is keyed by it
class Vocabulary:
    """What a scenario may say: its steps' actions and its parameters' kinds, by name."""

    actions: Mapping[str, Action]
    kinds: Mapping[str, ParamKind]


# --- kinds that need nothing from the tenant ---------------------------------------------------
def _number(value: Any, integer: bool) -> float | int:
    if isinstance(value, str):
        try:
            value = float(value.strip()) if value.strip() else None
        except ValueError:
            value = None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2 ** 53:
        value = float(value)  # (an integer too large for a float is refused below, not overflowed)
    if not isinstance(value, float) or not math.isfinite(value):
        raise ValueError("A number is required.")
    if integer and value != int(value):
        raise ValueError("A whole number is required.")
    return int(value) if value == int(value) else value


def _bounded(value: float, spec: dict, low: float, high: float) -> float:
    low, high = spec.get("min", low), spec.get("max", high)
    if not low <= value <= high:
        raise ValueError(f"Must be from {low:g} to {high:g}.")
    return value


def seconds(tenant: TenantState, value: Any, spec: dict) -> float | int:
    return _bounded(_number(value, integer=False), spec, 0, MAX_SECONDS)


def number(tenant: TenantState, value: Any, spec: dict) -> int:
    return int(_bounded(_number(value, integer=True), spec, -10 ** 9, 10 ** 9))  # a whole number, as an int


def text(tenant: TenantState, value: Any, spec: dict) -> str:
    if not isinstance(value, str):
        raise ValueError("Text is required.")
    if len(value) > spec.get("max_length", MAX_TEXT):
        raise ValueError(f"Ensure this field has no more than {spec.get('max_length', MAX_TEXT)} characters.")
    return value


def choice(tenant: TenantState, value: Any, spec: dict) -> Any:
    for option in spec["choices"]:
        # 2 is not "2" nor True 1; a number or true/false written as text (the CLI's) is the choice it spells.
        if (value == option and type(value) is type(option)) or (
                isinstance(value, str) and not isinstance(option, str) and value.strip() == json.dumps(option)):
            return option
    spelled = (c if isinstance(c, str) else json.dumps(c) for c in spec["choices"])
    raise ValueError(f"Choose one of: {', '.join(spelled)}.")


def flag(tenant: TenantState, value: Any, spec: dict) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise ValueError("Must be true or false.")
    return value


def phone(tenant: TenantState, value: Any, spec: dict) -> str:
    if not isinstance(value, str) or not is_e164(value.strip()):
        raise ValueError("An E.164 number is required, e.g. +919876543210.")
    return value.strip()


def fields(tenant: TenantState, value: Any, spec: dict) -> dict:
    """Free key/value text (an OBD request's custom_* fields), as much as an OBD request may carry; from
    the CLI, the object written as JSON."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("An object of text values is required (as JSON when given as text).") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("An object of text values is required.")
    if len(json.dumps(value)) > MAX_FIELDS_BYTES:
        raise ValueError(f"At most {MAX_FIELDS_BYTES // 1024} KiB of fields.")
    return dict(value)


BASIC_KINDS = {"seconds": ParamKind(seconds), "number": ParamKind(number), "text": ParamKind(text),
               "choice": ParamKind(choice), "flag": ParamKind(flag), "phone": ParamKind(phone),
               "fields": ParamKind(fields)}
