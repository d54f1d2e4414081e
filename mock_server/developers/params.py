"""The developers API's parameter conventions, shared by its rules (pure: no HTTP)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def given(params: dict[str, Any], name: str) -> bool:
    """Whether a parameter carries a value ("" and null mean 'not given', as the documented URLs send them)."""
    value = params.get(name)
    return value is not None and not (isinstance(value, str) and not value.strip())


# PHP's bracket names (``filters[0][key]=…``, ``ids[]=…``), as PHP fills $_POST/$_GET from a form or a
# query string; a name that is not ``base[…]…`` whole is kept as it is.
BRACKETED = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")
BRACKET = re.compile(r"\[([^\[\]]*)\]")
MAX_NESTING = 8


class NestingError(ValueError):
    pass


def php_fields(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Form fields as PHP reads them: ``a[b][c]=x`` -> ``{"a": {"b": {"c": "x"}}}``, ``a[]=x&a[]=y`` ->
    ``{"a": {"0": "x", "1": "y"}}`` (a PHP array, keys as text), a later field overriding an earlier one."""
    fields: dict[str, Any] = {}
    for name, value in pairs:
        match = BRACKETED.match(name)
        if match is None:
            fields[name] = value
            continue
        keys = [match.group(1), *BRACKET.findall(match.group(2))]
        if len(keys) > MAX_NESTING:
            raise NestingError(f"{match.group(1)}: form field names nest at most {MAX_NESTING - 1} brackets deep")
        node = fields
        for depth, key in enumerate(keys):
            key = _next_index(node) if key == "" and depth else key
            if depth == len(keys) - 1:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    node[key] = child = {}
                node = child
    return fields


def _next_index(node: dict[str, Any]) -> str:
    """``[]``'s key: one past the largest integer key so far, as PHP appends to an array."""
    return str(max((int(k) + 1 for k in node if k.isdigit()), default=0))
