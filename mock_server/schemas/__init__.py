"""JSON Schemas written from MyOperator's docs, compiled once per process.

Schema files live beside this module (``public/…``, ``control/…``, ``fixtures/…``); a schema is
named by its path without ``.json``, e.g. ``public/template.create.request``, and ``$ref``s other
files relative to its own folder (``common#/$defs/timestamp``). Requests are validated against
them before any business rule runs; the test suite checks every documented example and every
response against them.

Two validators serve each schema: jsonschema-rs decides *whether* an instance is valid (about
seventy times faster, and almost every request is valid), and python-jsonschema explains *why* one
is not, in the per-field messages the API answers with (imported, with its registry built, only when an
instance is invalid: it is a tenth of a second of the server's start).
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from mock_server.errors import quoted

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry

ROOT = Path(__file__).resolve().parent
# Where the schemas' relative $ids and $refs are resolved (nothing is ever fetched from it).
BASE_URI = "https://myoperator-mock.invalid/schemas/"


@lru_cache(maxsize=1)
def _documents() -> dict[str, dict]:
    documents = {}
    for path in sorted(ROOT.rglob("*.json")):
        name = path.relative_to(ROOT).with_suffix("").as_posix()
        documents[name] = json.loads(path.read_text(encoding="utf-8"))
    return documents


@lru_cache(maxsize=1)
def _registry() -> Registry:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (name, Resource.from_contents(doc, default_specification=DRAFT202012)) for name, doc in _documents().items())


@lru_cache(maxsize=1)
def _names() -> tuple[str, ...]:
    return tuple(sorted(_documents()))


def names() -> list[str]:
    return list(_names())


def schema(name: str) -> dict:
    return _documents()[name]


@cache
def validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_documents()[name], registry=_registry())


@lru_cache(maxsize=1)
def _without_ids() -> dict[str, dict]:
    # Each document is identified by the URI it is found at; its own relative $id would be
    # resolved against that URI a second time, so it is left out here.
    return {n: {k: v for k, v in doc.items() if k != "$id"} for n, doc in _documents().items()}


@cache
def fast_validator(name: str):
    documents = _without_ids()

    def retrieve(uri: str) -> dict:
        return documents[uri.removeprefix(BASE_URI)]

    return jsonschema_rs.validator_for(documents[name], base_uri=BASE_URI + name, retriever=retrieve)


def field_errors(name: str, instance: Any) -> dict[str, list[str]]:
    """Validation failures as DRF-style ``{field: [message, …]}``; empty when valid."""
    if fast_validator(name).is_valid(instance):
        return {}
    errors: dict[str, list[str]] = {}
    for error in sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path)):
        for field, message in _describe(error):
            errors.setdefault(field, [])
            if message not in errors[field]:
                errors[field].append(message)
    return errors


def _describe(error) -> list[tuple[str, str]]:
    path = ".".join(str(p) for p in error.absolute_path)
    label = path or "non_field_errors"
    kind = error.validator
    if kind == "required":
        missing = [f for f in error.validator_value if isinstance(error.instance, dict) and f not in error.instance]
        return [(f"{path}.{f}" if path else f, f"{f} is required") for f in missing]
    if kind in ("oneOf", "anyOf") and error.context:
        # Report the branch that got furthest: the most specific explanation of what is wrong.
        best = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.message)))
        return _describe(best)
    if kind == "type":
        wanted = error.validator_value
        expected = wanted if isinstance(wanted, str) else " or ".join(wanted)
        return [(label, f"{path.rsplit('.', 1)[-1] or 'Value'} must be of type {expected}.")]
    if kind == "enum":
        return [(label, f"\"{quoted(error.instance)}\" is not a valid choice. Choose one of: "
                        f"{', '.join(str(v) for v in error.validator_value)}.")]
    if kind == "const":
        return [(label, f"Must be {error.validator_value!r}.")]
    if kind == "maxLength":
        return [(label, f"Ensure this field has no more than {error.validator_value} characters.")]
    if kind == "minLength":
        return [(label, "This field may not be blank." if error.validator_value == 1
                 else f"Ensure this field has at least {error.validator_value} characters.")]
    if kind == "maxItems":
        return [(label, f"Ensure this field has no more than {error.validator_value} elements.")]
    if kind == "minItems":
        return [(label, f"Ensure this field has at least {error.validator_value} elements.")]
    if kind == "pattern":
        return [(label, f"\"{quoted(error.instance)}\" has an invalid format.")]
    if kind == "additionalProperties":
        return [(label, error.message.replace("'", "\""))]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [(label, error.message)]
    return [(label, error.message[:200])]

