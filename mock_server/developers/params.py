"""The developers API's parameter conventions, shared by its rules (pure: no HTTP)."""

from __future__ import annotations

from typing import Any


def given(params: dict[str, Any], name: str) -> bool:
    """Whether a parameter carries a value ("" and null mean 'not given', as the documented URLs send them)."""
    value = params.get(name)
    return value is not None and not (isinstance(value, str) and not value.strip())
