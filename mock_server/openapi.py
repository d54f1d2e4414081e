"""The contract as published: an OpenAPI 3.1 document of every endpoint the simulator serves, and
its JSON Schemas as files a tool can resolve on its own.

Both are assembled when asked for, from the schema files the server validates with
(``mock_server/schemas``) and the table that names them per operation (``mock_server/contract.py``):
there is no second copy to drift. OpenAPI 3.1's Schema Object *is* JSON Schema 2020-12, so each file
is embedded unchanged under ``components/schemas`` except for its ``$ref``s, which are rewritten to
point inside the document (``common#/$defs/e164`` in ``webhooks/call.end`` becomes
``#/components/schemas/webhooks.common/$defs/e164``).

What no schema file says is described here: which surface a path belongs to (its host, its
credentials), the public API's query parameters, the media upload's multipart form, and the
simulator's own ``/_mock/`` routes, found in the route lists of ``mock_server.control``.
"""

from __future__ import annotations

import copy
import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

from mock_server import contract, schemas
from mock_server.developer_paths import COLLECTION_PATHS, LIVE_PATHS, PREFIXES as DEVELOPER_PREFIXES
from mock_server.domain import media_types as media, whatsapp_rules
from mock_server.services import campaigns, contacts, phonenumbers
from mock_server.settings import DEFAULT_PORT

OPENAPI_VERSION = "3.1.0"
LOCAL_SERVER = f"http://127.0.0.1:{DEFAULT_PORT}"
CONTROL_TAG, WEBHOOK_TAG = "simulator control", "webhooks"
JSON, FORM, MULTIPART = "application/json", "application/x-www-form-urlencoded", "multipart/form-data"
# JSON Schema 2020-12's keywords whose values are schemas: by name, in a list, or one.
SCHEMA_MAPS = frozenset({"$defs", "definitions", "properties", "patternProperties", "dependentSchemas"})
SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
SCHEMA_VALUES = frozenset({"items", "additionalItems", "additionalProperties", "unevaluatedItems",
                           "unevaluatedProperties", "propertyNames", "contains", "not", "if", "then", "else",
                           "contentSchema"})


@dataclass(frozen=True)
class Surface:
    tag: str
    prefixes: tuple[str, ...]
    host: str | None  # the real service; None for the simulator's own routes
    security: tuple[dict, ...]
    description: str


SURFACES = (
    Surface("public API", ("/chat/", "/contacts"), "https://publicapi.myoperator.co",
            ({"bearerAuth": [], "companyId": []},),
            "WhatsApp templates, campaigns, phone numbers, media and Send Message (/chat/…), and Contacts. "
            "Every request carries `Authorization: Bearer <api_key>` and the company's `X-MYOP-COMPANY-ID`: "
            "without the header the gateway answers 401, with one not `Bearer <key>` its explicit deny (403), "
            "and any mismatch is the documented 403."),
    Surface("OBD API", ("/obd-api",), "https://obd-api.myoperator.co", ({"obdApiKey": []},),
            "Outbound calls. The gateway checks `x-api-key` and the body's types (403/400 `{\"message\": …}`); "
            "the application checks the rest and answers every request in one shape."),
    Surface("developers API", DEVELOPER_PREFIXES, "https://developers.myoperator.co",
            ({"developerToken": []},),
            "Users, call logs, log filters, recording links and the legacy contact add, at the live service's "
            "bare paths (`POST /search`, `GET /filters`, `GET /recordings/link`, `GET|POST|PUT /user`) and at "
            "the Postman collection's (`/search/search`, `/search/filters`, …). Every parameter, `token` "
            "included, may come in the query string or in the body as JSON (values may be strings), as a "
            "urlencoded form or as multipart/form-data; where both give one, the body's wins. A missing or "
            "unknown token is the live 400 `This not an authorized request`."),
    Surface(CONTROL_TAG, ("/_mock/", "/openapi.json"), None, (),
            "The simulator's own API (not MyOperator's): tenants, clock, journal, faults, scenarios, webhook "
            "subscriptions and logs, and this document. No credentials; errors in the public API's envelope."),
)

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "Public API: the company's API key (`api_key` in GET /_mock/tenants)."},
    "companyId": {"type": "apiKey", "in": "header", "name": "X-MYOP-COMPANY-ID",
                  "description": "Public API: the company the API key belongs to."},
    "obdApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key",
                  "description": "OBD API: the company's gateway key (`obd_api_key` in GET /_mock/tenants)."},
    "developerToken": {"type": "apiKey", "in": "query", "name": "token",
                       "description": "Developers API: the company's token (`developer_token` in GET /_mock/tenants); "
                                      "also accepted as a `token` field of a JSON, urlencoded or multipart body."},
}

# The operations' names in MyOperator's documentation.
SUMMARIES = {
    ("POST", "/chat/templates"): "Create Template",
    ("GET", "/chat/templates"): "List Templates / Fetch Template By Name",
    ("GET", "/chat/templates/{id}"): "Fetch Template By ID",
    ("DELETE", "/chat/templates/{id}"): "Delete Template By ID",
    ("GET", "/chat/campaigns"): "List Campaigns",
    ("GET", "/chat/campaigns/{campaign_id}"): "Campaign Details",
    ("GET", "/chat/campaign/{campaign_id}"): "Campaign Details (singular path)",
    ("GET", "/chat/phonenumbers"): "List Phone Numbers",
    ("POST", "/chat/media/upload"): "Upload Media",
    ("POST", "/chat/messages"): "Send Message",
    ("GET", "/contacts"): "List Contacts",
    ("POST", "/contacts"): "Create Contact / Search Contacts",
    ("GET", "/contacts/{contact_id}"): "Fetch Contact",
    ("PATCH", "/contacts/{contact_id}"): "Update Contact (by id, or by phone number with country code)",
    ("DELETE", "/contacts/{contact_id}"): "Delete Contact",
    ("POST", "/obd-api-v1"): "Place an outbound call",
    ("GET", "/search/user"): "Get Users",
    ("POST", "/search/user"): "Create User",
    ("PUT", "/search/user"): "Update User",
    ("POST", "/search/search"): "Search Logs",
    ("GET", "/search/filters"): "Log Filters List",
    ("GET", "/search/recordings/link"): "Get Recording Link",
    ("POST", "/contactadd"): "Add Contact (help centre)",
    contract.AUDIO: "A recording (the URL Get Recording Link answers with)",
}


def _query(name: str, schema: dict, description: str = "") -> dict:
    # An empty value means "not given" to every public API parameter (DRF's reading too).
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True, "schema": schema,
            **({"description": description} if description else {})}


def _choices(values) -> dict:
    return {"type": "string", "description": "comma separated; one or more of: " + ", ".join(values)}


def _public_parameters() -> dict[tuple[str, str], list[dict]]:
    """The query parameters and extra headers of the public API's operations (its schemas cover bodies only)."""
    limit = _query("limit", {"type": "integer", "minimum": 1}, "page size, default 10; more than 100 counts as 100")
    offset = _query("offset", {"type": "integer", "minimum": 0}, "default 0")
    waba_id = _query("waba_id", {"type": "string"}, "only this WABA's")
    sender = {"name": "X-WABA-PHONENUMBER-ID", "in": "header", "required": True, "schema": {"type": "string"},
              "description": "the company's sending number (phone_number_id); only its campaigns are seen"}
    include = _query("include", _choices(contacts.INCLUDES))
    ordering = [f"{sign}{field}" for field in campaigns.ORDERING for sign in ("", "-")]
    return {
        ("GET", "/chat/templates"): [limit, offset, waba_id, _query("name", {"type": "string"}, "exact template name"),
                                     _query("waba_template_status", _choices(whatsapp_rules.REVIEW_STATUSES)),
                                     _query("category", _choices(whatsapp_rules.CATEGORIES))],
        ("GET", "/chat/campaigns"): [sender, limit, offset, _query("ordering", _choices(ordering), "default -created"),
                                     _query("created_at_after", {"type": "string", "format": "date-time"}),
                                     _query("created_at_before", {"type": "string", "format": "date-time"}),
                                     _query("search", {"type": "string"}, "part of the campaign's name"),
                                     _query("status", {"type": "string"}, "comma separated campaign statuses")],
        ("GET", "/chat/campaigns/{campaign_id}"): [sender],
        ("GET", "/chat/campaign/{campaign_id}"): [sender],
        ("GET", "/chat/phonenumbers"): [limit, offset, waba_id, _query("expand", _choices(phonenumbers.EXPANSIONS))],
        ("GET", "/contacts"): [limit, offset, include,
                               _query("country_code", {"type": "string"}, "with phone_number: filter by number"),
                               _query("phone_number", {"type": "string"}, "filter by number (with or without "
                                                                          "its country code)")],
        ("POST", "/contacts"): [_query(name, {"type": "string"}, "Search Contacts: any of these makes it a search")
                                for name in contacts.SEARCH_PARAMS],
        ("GET", "/contacts/{contact_id}"): [include],
        ("PATCH", "/contacts/{contact_id}"): [include],
    }


def _media_form() -> dict:
    return {"type": "object", "required": ["file", "application"],
            "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream",
                                    "description": f"at most {media.UPLOAD_CAP // (1024 * 1024)} MB; the allowed "
                                                   "types and sizes are the documented ones (see the 400s)"},
                           "application": {"enum": list(media.APPLICATIONS)}}}


# Request bodies the contract table does not name: Create and Search share POST /contacts.
EXTRA_REQUESTS = {("POST", "/contacts"): ("public/contact.create.request", "public/contact.search.request")}

# The /_mock/ operations whose bodies have schemas (mock_server/schemas/control): "request" and a
# schema per status, "body": "optional" where none may be sent, and a "description" where the handler
# takes more than its schema says. The others answer a JSON object described by their handler's
# docstring; every error is in the public API's envelope.
CONTROL_OPERATIONS: dict[tuple[str, str], dict] = {
    ("GET", "/_mock/health"): {200: "control/health.response"},
    ("POST", "/_mock/tenants/{company_id}/templates/{id}/review"): {
        "request": "control/template.review.request", 200: "control/template.review.response"},
    ("POST", "/_mock/tenants/{company_id}/inbound"): {
        "request": "control/message.inbound.request", 201: "control/message.inbound.response"},
    ("GET", "/_mock/tenants/{company_id}/messages"): {200: "control/message.list.response"},
    ("POST", "/_mock/tenants/{company_id}/conversations/{id}/assign"): {
        "request": "control/conversation.assign.request", 200: "control/conversation.response"},
    ("POST", "/_mock/tenants/{company_id}/conversations/{id}/close"): {
        "request": "control/conversation.close.request", "body": "optional", 200: "control/conversation.response"},
    ("POST", "/_mock/tenants/{company_id}/conversations/{id}/reply"): {
        "request": "control/conversation.reply.request", 201: "control/conversation.reply.response"},
    ("PATCH", "/_mock/tenants/{company_id}/ivrs/{public_ivr_id}"): {"request": "control/ivr.patch.request"},
    ("POST", "/_mock/tenants/{company_id}/overrides"): {
        "request": "control/override.request", 201: "control/override.response"},
    ("POST", "/_mock/scenarios/{name}/run"): {
        "request": "control/scenario.run.request", 201: "control/scenario.run.response"},
    ("GET", "/_mock/tenants/{company_id}/scenario-runs/{run_id}"): {200: "control/scenario.run.response"},
    ("POST", "/_mock/webhooks"): {
        "request": "control/webhook.subscription.request",
        "description": "Add a webhook subscription. Besides the subscription's fields, the body may name a "
                       "`company_id`: then only that tenant's events go to it."},
}
CONTROL_ERROR = contract.COMMON_ERROR

# Webhook schema files that are shared shapes, not events.
SHARED_WEBHOOK_SCHEMAS = ("webhooks/common", "webhooks/envelope")


# --- names and references --------------------------------------------------------------------
def component(name: str) -> str:
    """A schema's name under components/schemas: ``webhooks/call.end`` -> ``webhooks.call.end``."""
    return name.replace("/", ".")


def component_ref(name: str, fragment: str = "") -> str:
    return f"#/components/schemas/{component(name)}{fragment}"


def _target(ref: str, name: str) -> tuple[str, str]:
    """The schema a ``$ref`` in schema ``name`` points at, and the fragment (a JSON pointer) within it."""
    document, _, fragment = ref.partition("#")
    if fragment and not fragment.startswith("/"):
        raise ValueError(f"{name}: {ref!r} is not a JSON-pointer reference; only those are published")
    if not document:
        return name, fragment
    target = posixpath.normpath(posixpath.join(posixpath.dirname(name), document.removesuffix(".json")))
    if target not in schemas.names():
        raise ValueError(f"{name}: {ref!r} names no schema")
    return target, fragment


def _rewrite(schema: Any, rewrite_ref) -> Any:
    """``schema`` with each $ref replaced by ``rewrite_ref(ref)``; walks subschemas only, so that a
    property named "example" or a const holding a "$ref" key is left alone."""
    if not isinstance(schema, dict):
        return schema  # a boolean schema
    out = {}
    for key, value in schema.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = rewrite_ref(value)
        elif key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _rewrite(sub, rewrite_ref) for name, sub in value.items()}
        elif (key in SCHEMA_LISTS and isinstance(value, list)) or (key == "items" and isinstance(value, list)):
            out[key] = [_rewrite(sub, rewrite_ref) for sub in value]
        elif key in SCHEMA_VALUES:
            out[key] = _rewrite(value, rewrite_ref)
        else:
            out[key] = value  # an annotation or data (const, enum, default, examples)
    return out


def references(name: str) -> set[str]:
    """The other schemas ``name`` refers to."""
    found: set[str] = set()

    def collect(ref: str) -> str:
        found.add(_target(ref, name)[0])
        return ref

    _rewrite(schemas.schema(name), collect)
    return found - {name}


def embedded(name: str) -> dict:
    """Schema ``name`` as a component of the document: its $refs inside the document, no $id/$schema."""
    body = {k: v for k, v in schemas.schema(name).items() if k not in ("$id", "$schema")}
    return _rewrite(body, lambda ref: component_ref(*_target(ref, name)))


def portable(name: str) -> dict:
    """Schema ``name`` as a file beside the others (``schemas export``, ``/_mock/schemas/…``).

    The files' $refs name their targets without the .json extension and their $ids are relative to
    the schema folder, which only a resolver told so can follow. Here the $id is left out, so that
    a document's base is wherever it was read from, and each $ref names the target's file:
    ``common#/$defs/e164`` becomes ``common.json#/$defs/e164``, which any resolver finds beside it.
    """
    body = {k: v for k, v in schemas.schema(name).items() if k != "$id"}

    def to_file(ref: str) -> str:
        document, hash_, fragment = ref.partition("#")
        if not document:
            return ref
        _target(ref, name)  # refuses a reference to nothing
        return f"{document.removesuffix('.json')}.json{hash_}{fragment}"

    return _rewrite(body, to_file)


def webhook_events() -> list[str]:
    """The webhook schemas that describe an event body, in any format (not the shared shapes)."""
    return [n for n in schemas.names() if n.startswith("webhooks/")
            and n not in SHARED_WEBHOOK_SCHEMAS and not n.endswith(".common")]


# --- operations ------------------------------------------------------------------------------
def surface_of(path: str) -> Surface:
    return next(s for s in SURFACES if path.startswith(s.prefixes))


def _as_tuple(names) -> tuple[str, ...]:
    return names if isinstance(names, tuple) else (names,)


def _schema_of(names) -> dict:
    refs = [{"$ref": component_ref(n)} for n in _as_tuple(names)]
    return refs[0] if len(refs) == 1 else {"anyOf": refs}


def _json_response(description: str, names) -> dict:
    return {"description": description, "content": {JSON: {"schema": _schema_of(names)}}}


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


PATH_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def openapi_path(path: str) -> str:
    """A Starlette path as an OpenAPI path template (``{name:path}`` -> ``{name}``)."""
    return PATH_PARAMETER.sub(r"{\1}", path)


def _path_parameters(path: str) -> list[dict]:
    return [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            for n in PATH_PARAMETER.findall(path)]


def _developer_parameters(request: str) -> list[dict]:
    """A developers API GET's parameters, one query parameter per property of its request schema."""
    doc = embedded(request)
    required = set(doc.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required, "schema": schema,
             **({"description": schema["description"]} if "description" in schema else {})}
            for name, schema in doc.get("properties", {}).items() if name != "token"]  # token: the security scheme


def _summary(method: str, path: str) -> str:
    """The documentation's name; a live bare path has its collection twin's."""
    return SUMMARIES.get((method, path)) or SUMMARIES[(method, COLLECTION_PATHS[path])]


def _request_body(method: str, path: str, entry: dict, surface: Surface) -> dict | None:
    if (method, path) == ("POST", "/chat/media/upload"):
        return {"required": True, "content": {MULTIPART: {"schema": _media_form()}}}
    names = entry.get("request") or EXTRA_REQUESTS.get((method, path))
    if names is None or (surface.tag == "developers API" and method == "GET"):
        return None
    content = {JSON: {"schema": _schema_of(names)}}
    if surface.tag == "developers API":  # the parameters may all come in the query string instead
        content[FORM] = content[MULTIPART] = {"schema": _schema_of(names)}
        return {"required": False, "content": content}
    return {"required": True, "content": content}


def _responses(entry: dict, errors: tuple[str, ...]) -> dict:
    responses = {str(status): _json_response(_status_text(status), names)
                 for status, names in entry.items() if isinstance(status, int)}
    responses["4XX"] = _json_response("Any other client error, in the surface's error body", errors)
    five = _json_response("A server error: never sent unless a fault is injected (POST /_mock/faults)", errors)
    five["content"]["text/plain"] = {"schema": {"type": "string"},
                                     "example": "Internal Server Error"}  # the injected faults' default body
    responses["5XX"] = five
    return responses


def _operation(method: str, path: str, entry: dict) -> dict:
    surface = surface_of(path)
    request = entry.get("request")
    parameters = _path_parameters(path) + _public_parameters().get((method, path), [])
    if surface.tag == "developers API" and method == "GET" and request:
        parameters += _developer_parameters(request)
    op: dict[str, Any] = {"tags": [surface.tag], "summary": _summary(method, path),
                          "operationId": _operation_id(method, path), "security": list(surface.security)}
    notes = []
    if request and surface.tag == "developers API" and method != "GET":
        notes.append("The parameters may also come in the query string; the body's win. "
                     "As a form every value is text.")
    notes += _twin_note(path)
    if notes:
        op["description"] = " ".join(notes)
    if parameters:
        op["parameters"] = parameters
    body = _request_body(method, path, entry, surface)
    if body:
        op["requestBody"] = body
    op["responses"] = _responses(entry, contract.surface_errors(path))
    return op


def _twin_note(path: str) -> list[str]:
    if path in COLLECTION_PATHS:
        return [f"The live service's path; the Postman collection's {COLLECTION_PATHS[path]} is the same endpoint."]
    if path in LIVE_PATHS:
        return [f"The Postman collection's path; the live service serves the same endpoint at {LIVE_PATHS[path]}."]
    return []


def _operation_id(method: str, path: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", openapi_path(path)).strip("_")
    return f"{method.lower()}_{words}"


def _audio_operation(method: str, path: str) -> dict:
    errors = contract.surface_errors(path)
    return {"tags": ["developers API"], "summary": _summary(method, path),
            "operationId": _operation_id(method, path), "security": [],
            "description": " ".join(["The link's token is the credential. A `Range: bytes=…` header gets a 206.",
                                     *_twin_note(path)]),
            "parameters": _path_parameters(path),
            "responses": {"200": {"description": "OK", "content": {"audio/mpeg": {"schema": {"type": "string"}}}},
                          "206": {"description": "Partial Content",
                                  "content": {"audio/mpeg": {"schema": {"type": "string"}}}},
                          "4XX": _json_response("The link is unknown (404), expired (410) or the range is "
                                                "outside the file (416)", errors)}}


# (method, path template, endpoint) of one route the control plane serves: its route table is the control
# surface's (mock_server.control.routes.operations), handed in, since this module sits below the surfaces.
Operation = tuple[str, str, Any]


def operations_of(routes: Iterable[Any]) -> tuple[Operation, ...]:
    """Every (method, path, endpoint) of a Starlette route table, HEAD aside, sorted by method and path."""
    found = [(method, openapi_path(route.path), route.endpoint) for route in routes
             for method in (route.methods or ()) if method != "HEAD"]
    return tuple(sorted(found, key=lambda entry: entry[:2]))


def _control_operation(method: str, path: str, endpoint: Any) -> dict:
    entry = CONTROL_OPERATIONS.get((method, path), {})
    doc = entry.get("description") or (getattr(endpoint, "__doc__", None) or "").strip()
    op: dict[str, Any] = {"tags": [CONTROL_TAG], "summary": doc.splitlines()[0] if doc else f"{method} {path}",
                          "operationId": _operation_id(method, path), "security": []}
    if doc:
        op["description"] = doc
    if parameters := _path_parameters(path):
        op["parameters"] = parameters
    if request := entry.get("request"):
        op["requestBody"] = {"required": entry.get("body") != "optional",
                             "content": {JSON: {"schema": _schema_of(request)}}}
    responses = {str(s): _json_response(_status_text(s), n) for s, n in entry.items() if isinstance(s, int)}
    if not any(s.startswith("2") for s in responses):
        responses["2XX"] = {"description": "Success", "content": {JSON: {"schema": {"type": "object"}}}}
    responses["4XX"] = _json_response("A client error, in the public API's envelope", CONTROL_ERROR)
    op["responses"] = responses
    return op


def matches(template: str, path: str) -> bool:
    """Whether a concrete path (or the template itself) is one of this path template's."""
    return re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), path) is not None


def control_operation(method: str, path: str) -> tuple[str, str] | None:
    """The entry of CONTROL_OPERATIONS a concrete /_mock/ request belongs to."""
    return next((op for op in CONTROL_OPERATIONS if op[0] == method and matches(op[1], path)), None)


def control_response_schemas(method: str, path: str, status: int) -> tuple[str, ...]:
    """The schema(s) a /_mock/ answer must satisfy; empty where none is documented."""
    op = control_operation(method, path)
    if op and status in CONTROL_OPERATIONS[op]:
        return _as_tuple(CONTROL_OPERATIONS[op][status])
    return (CONTROL_ERROR,) if status >= 400 and path.startswith("/_mock/") else ()


# --- webhooks --------------------------------------------------------------------------------
FORMAT_NOTES = {
    "legacy.call": "The deprecated AfterCall/Disposition call log (format legacy_call). As a form it is one field, "
                   "`myoperator=<the call log as JSON>`.",
    "legacy.whatsapp": "The legacy WhatsApp payload (format legacy_whatsapp). As a form, nested fields use bracket "
                       "names (`data[status]=sent`).",
    "envelope": "The new webhook envelope (format envelope). As a form, nested fields use bracket names "
                "(`payload[legs][0][leg_index]=1`).",
}


def _webhook(name: str) -> dict:
    event = name.removeprefix("webhooks/")
    kind = ("legacy.call" if event in ("legacy.call_log", "legacy.disposition")
            else "legacy.whatsapp" if event.startswith("legacy.") else "envelope")
    title = schemas.schema(name).get("title", event)
    return {"post": {
        "tags": [WEBHOOK_TAG], "summary": title, "operationId": f"webhook_{re.sub(r'[^A-Za-z0-9]+', '_', event)}",
        "description": FORMAT_NOTES[kind] + " Each subscription chooses its content type: application/json, "
                       "application/x-www-form-urlencoded or multipart/form-data.",
        "requestBody": {"required": True, "content": {JSON: {"schema": {"$ref": component_ref(name)}}}},
        "responses": {"2XX": {"description": "Received. Anything else, or no answer within the timeout, is "
                                             "retried on the documented schedule."}}}}


# --- the document ----------------------------------------------------------------------------
def document(control: tuple[Operation, ...], base_url: str | None = None) -> dict:
    """The OpenAPI 3.1 document of the APIs' operations, the webhooks and the ``control`` operations;
    ``base_url`` is the simulator's own address (its first server)."""
    return copy.deepcopy(_document(base_url.rstrip("/") if base_url else LOCAL_SERVER, control))


@lru_cache(maxsize=8)
def _document(local: str, control: tuple[Operation, ...]) -> dict:
    from mock_server import __version__

    paths: dict[str, dict] = {}

    def add(method: str, path: str, operation: dict) -> None:
        item = paths.setdefault(openapi_path(path), {})
        host = surface_of(path).host
        item["servers"] = [{"url": local, "description": "this simulator"}] + (
            [{"url": host, "description": "MyOperator"}] if host else [])
        item[method.lower()] = operation

    for (method, path), entry in contract.OPERATIONS.items():
        add(method, path, _operation(method, path, entry))
    for method, path in contract.AUDIO_OPERATIONS:
        add(method, path, _audio_operation(method, path))
    for method, path, endpoint in control:
        add(method, path, _control_operation(method, path, endpoint))
    webhooks = {name.removeprefix("webhooks/"): _webhook(name) for name in webhook_events()}

    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "MyOperator APIs, as myoperator-mock serves them", "version": __version__,
                 "description": "Every endpoint of the public, OBD and developers APIs the simulator mocks, the "
                                "webhooks it sends, and its own /_mock/ control plane. The schemas are the ones "
                                "the simulator validates with, written from MyOperator's documentation."},
        "servers": [{"url": local, "description": "this simulator (every surface on one port)"}],
        "tags": [{"name": s.tag, "description": s.description + (f" Real host: {s.host}." if s.host else "")}
                 for s in SURFACES] + [{"name": WEBHOOK_TAG, "description": "What the simulator POSTs to your URL."}],
        "paths": paths,
        "webhooks": webhooks,
        "components": {"schemas": {}, "securitySchemes": SECURITY_SCHEMES},
    }
    doc["components"]["schemas"] = {component(n): embedded(n) for n in sorted(_closure(doc))}
    return doc


def _document_refs(node: Any) -> set[str]:
    """The $refs in the document's own objects (paths, webhooks), before any schema is embedded."""
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_document_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_document_refs(v) for v in node))
    return set()


def _closure(doc: dict) -> set[str]:
    """Every schema the document refers to, and every schema those refer to."""
    by_component = {component(n): n for n in schemas.names()}
    used = {by_component[ref.removeprefix("#/components/schemas/").split("/")[0]] for ref in _document_refs(doc)}
    pending = list(used)
    while pending:
        for found in references(pending.pop()) - used:
            used.add(found)
            pending.append(found)
    return used


def export_schemas(directory: Path) -> list[Path]:
    """Write every schema file (``portable``) under ``directory``, in the folders they live in."""
    written = []
    for name in schemas.names():
        path = directory / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(portable(name), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
