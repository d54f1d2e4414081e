"""The published contract: the OpenAPI 3.1 document (/openapi.json, `myoperator-mock openapi`) and
the schema files (/_mock/schemas, `myoperator-mock schemas export`).

Both are built from the schema files the server validates with; these tests hold them to that: the
document's schemas are the files with only their references rewritten, they resolve inside the
document and judge every payload as the server's validators do, and the exported or served files
resolve their references with no knowledge of the simulator.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mock_server import cli, contract, openapi, schemas
from mock_server.control.routes import operations as control_operations
from mock_server.webhooks.dispatcher import schema_name
from mock_server.control.ui import routes as ui
from mock_server.developer_paths import LIVE_PATHS
from tests.conftest import example_responses, make_app

DOCUMENT = openapi.document(control_operations)


def emitted_bodies(client) -> list[tuple[str, dict]]:
    """(schema name, body) of every webhook body a few scenarios emit, in every format."""
    company_id = client.get("/_mock/tenants").json()["tenants"][0]["company_id"]
    for scenario in ("incoming-answered", "disposition-with-comment", "whatsapp-read", "whatsapp-link-click",
                     "whatsapp-assign-close", "whatsapp-failed"):
        assert client.post(f"/_mock/scenarios/{scenario}/run",
                           json={"company_id": company_id, "params": {}}).status_code == 201, scenario
    client.post("/_mock/clock/advance", json={"seconds": 3 * 3600})
    events = client.get("/_mock/events", params={"company_id": company_id}).json()["events"]
    return [(schema_name(e["event_type"], fmt), body) for e in events for fmt, body in e["bodies"].items()
            if body is not None]


@pytest.fixture(scope="module")
def bodies():
    from starlette.testclient import TestClient

    with TestClient(make_app()) as client:
        found = emitted_bodies(client)
    assert {name for name, _ in found} >= {f"webhooks/{e}" for e in ("call.end", "disposition", "message.read",
                                                                       "legacy.call_log", "legacy.link_tracking")}
    return found


def documented_examples() -> list[tuple[str, object]]:
    """(schema name, body) of every JSON response in the collection's examples, with the schema it satisfies."""
    return [(name, body) for names, body in example_responses() for name in names if not schemas.field_errors(name, body)]


# --- an OpenAPI 3.1 document, built from the schema files ---------------------------------------
def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"] == "3.1.0"
    errors = [e.message for e in OpenAPIV31SpecValidator(DOCUMENT).iter_errors()]
    assert errors == []


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_reference_points_inside_the_document_at_something():
    refs = set(_refs(DOCUMENT))
    assert len(refs) > 100
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        node = DOCUMENT
        for token in ref[2:].split("/"):
            assert isinstance(node, dict) and token in node, ref
            node = node[token]


def _without_refs(schema):
    """A schema with every $ref value blanked: what is left must be the file's, untouched."""
    if isinstance(schema, dict):
        return {k: ("<ref>" if k == "$ref" else _without_refs(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_without_refs(v) for v in schema]
    return schema


@pytest.mark.parametrize("name", sorted(openapi._closure(DOCUMENT)))
def test_each_component_is_its_schema_file_with_only_the_references_rewritten(name):
    original = {k: v for k, v in schemas.schema(name).items() if k not in ("$id", "$schema")}
    assert _without_refs(DOCUMENT["components"]["schemas"][openapi.component(name)]) == _without_refs(original)


def _document_validator(name: str) -> Draft202012Validator:
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(DOCUMENT, DRAFT202012))
    return Draft202012Validator({"$ref": "urn:openapi" + openapi.component_ref(name)}, registry=registry)


def test_the_document_judges_payloads_as_the_server_does(bodies):
    """Real webhook bodies and every documented example, valid as they are and invalid once broken."""
    corpus = bodies + documented_examples()
    assert len(corpus) > 60
    for name, body in corpus:
        validator = _document_validator(name)
        assert not list(validator.iter_errors(body)), name
        broken = dict(body, unexpected_field=True) if isinstance(body, dict) else None
        assert validator.is_valid(broken) == (not schemas.field_errors(name, broken)), name


def test_every_operation_of_the_contract_is_documented_with_its_schemas():
    for (method, path), entry in contract.OPERATIONS.items():
        op = DOCUMENT["paths"][path][method.lower()]
        for status, names in entry.items():
            if status == "request":
                continue
            refs = set(_refs(op["responses"][str(status)]))
            assert refs == {openapi.component_ref(n) for n in (names if isinstance(names, tuple) else (names,))}
        errors = set(_refs(op["responses"]["4XX"]))
        assert errors == {openapi.component_ref(n) for n in contract.surface_errors(path)}
        if "request" in entry and not (openapi.surface_of(path).tag == "developers API" and method == "GET"):
            bodies = op["requestBody"]["content"]
            assert {b["schema"]["$ref"] for b in bodies.values()} == {openapi.component_ref(entry["request"])}


@pytest.mark.parametrize("prefix", ["/search", ""])  # the collection's paths and the live bare ones
def test_the_developers_api_takes_query_form_or_json_parameters(prefix):
    users = DOCUMENT["paths"][f"{prefix}/user"]
    assert {p["name"] for p in users["get"]["parameters"]} == {"keyword", "page", "page-size", "_all"}
    assert set(users["post"]["requestBody"]["content"]) == {"application/json", "application/x-www-form-urlencoded",
                                                            "multipart/form-data"}
    link = DOCUMENT["paths"][f"{prefix}/recordings/link"]["get"]["parameters"]
    assert [(p["name"], p["required"]) for p in link] == [("file", True)]
    assert DOCUMENT["paths"][f"{prefix}/recordings/{{token}}.mp3"]["get"]["responses"]["200"]["content"] == {
        "audio/mpeg": {"schema": {"type": "string"}}}


def test_the_live_bare_paths_are_documented_beside_the_collections():
    for prefixed, bare in LIVE_PATHS.items():
        twin, live = DOCUMENT["paths"][prefixed], DOCUMENT["paths"][bare]
        assert set(live) == set(twin)
        for method in set(live) - {"servers"}:
            assert (live[method]["summary"], live[method]["responses"]) == (twin[method]["summary"],
                                                                            twin[method]["responses"])
            assert prefixed in live[method]["description"] and bare in twin[method]["description"]
    search = DOCUMENT["paths"]["/search"]["post"]
    assert (search["summary"], search["tags"], search["security"]) == ("Search Logs", ["developers API"],
                                                                        [{"developerToken": []}])


def test_media_upload_is_a_multipart_form():
    form = DOCUMENT["paths"]["/chat/media/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["file", "application"]
    assert form["properties"]["application"]["enum"] == ["messaging", "template"]


def test_each_surface_has_its_credentials_host_and_tag():
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert (schemes["companyId"]["in"], schemes["companyId"]["name"]) == ("header", "X-MYOP-COMPANY-ID")
    assert (schemes["obdApiKey"]["in"], schemes["obdApiKey"]["name"]) == ("header", "x-api-key")
    assert (schemes["developerToken"]["in"], schemes["developerToken"]["name"]) == ("query", "token")
    public = ("public API", [{"bearerAuth": [], "companyId": []}], "https://publicapi.myoperator.co")
    expected = {"/chat/templates": public, "/contacts/{contact_id}": public,
                "/obd-api-v1": ("OBD API", [{"obdApiKey": []}], "https://obd-api.myoperator.co"),
                "/search/search": ("developers API", [{"developerToken": []}], "https://developers.myoperator.co"),
                "/contactadd": ("developers API", [{"developerToken": []}], "https://developers.myoperator.co")}
    for path, (tag, security, host) in expected.items():
        item = DOCUMENT["paths"][path]
        assert [s["url"] for s in item["servers"]] == [openapi.LOCAL_SERVER, host]
        for method, op in item.items():
            if method != "servers":
                assert (op["tags"], op["security"]) == ([tag], security), (path, method)
    assert {t["name"] for t in DOCUMENT["tags"]} == {"public API", "OBD API", "developers API", "simulator control",
                                                     "webhooks"}


def test_every_control_route_is_listed_with_its_schemas():
    app = make_app()
    # The sandbox UI (a page, its files, its event stream) lives under /_mock/ for the guard, but is no API.
    served = {(method, openapi.openapi_path(route.path)) for route in app.routes
              if (route.path.startswith("/_mock/") or route.path == "/openapi.json") and route not in ui.routes
              for method in route.methods if method != "HEAD"}
    documented = {(m.upper(), path) for path, item in DOCUMENT["paths"].items() for m in item if m != "servers"
                  and item[m]["tags"] == ["simulator control"]}
    assert served == documented
    assert set(openapi.CONTROL_OPERATIONS) <= served  # no entry for a route that does not exist
    used = {n for entry in openapi.CONTROL_OPERATIONS.values() for k, v in entry.items()
            if k == "request" or isinstance(k, int) for n in (v if isinstance(v, tuple) else (v,))}
    assert used == {n for n in schemas.names() if n.startswith("control/")}  # every control schema has its route
    review = DOCUMENT["paths"]["/_mock/tenants/{company_id}/templates/{id}/review"]["post"]
    assert review["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/control.template.review.request"}
    assert [p["name"] for p in review["parameters"]] == ["company_id", "id"]


def test_every_webhook_event_and_format_is_a_webhook_of_the_document():
    events = set(DOCUMENT["webhooks"])
    assert events == {n.removeprefix("webhooks/") for n in schemas.names() if n.startswith("webhooks/")} - {
        "common", "envelope", "legacy.common", "whatsapp.common"}
    assert {"call.end", "message.sent", "conversation.assign", "disposition", "legacy.call_log",
            "legacy.disposition", "legacy.message", "legacy.link_tracking"} <= events
    call_end = DOCUMENT["webhooks"]["call.end"]["post"]
    assert call_end["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/webhooks.call.end"}


def test_the_public_apis_query_parameters_belong_to_documented_operations():
    for (method, path), parameters in openapi._public_parameters().items():
        assert (method, path) in contract.OPERATIONS
        listed = DOCUMENT["paths"][path][method.lower()]["parameters"]
        assert all(p in listed for p in parameters)


def test_a_reference_to_nothing_is_refused():
    with pytest.raises(ValueError, match="names no schema"):
        openapi._target("nowhere#/$defs/x", "public/common")
    with pytest.raises(ValueError, match="JSON-pointer"):
        openapi._target("#anchor", "public/common")


# --- served -------------------------------------------------------------------------------------
def test_openapi_json_is_served_with_this_server_first(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == openapi.document(control_operations, "http://testserver")
    assert response.json()["servers"][0]["url"] == "http://testserver"


def test_the_schema_index_lists_every_schema_and_the_webhook_events(client):
    index = client.get("/_mock/schemas").json()
    assert [s["name"] for s in index["schemas"]] == schemas.names()
    assert index["webhook_events"] == sorted(DOCUMENT["webhooks"])
    first = index["schemas"][0]
    assert first["url"] == f"http://testserver/_mock/schemas/{first['name']}.json"


def test_a_schema_is_served_by_name_with_or_without_json(client):
    for url in ("/_mock/schemas/webhooks/call.end", "/_mock/schemas/webhooks/call.end.json"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.json() == openapi.portable("webhooks/call.end")
    missing = client.get("/_mock/schemas/webhooks/call.ended")
    assert missing.status_code == 404
    assert missing.json()["status"] == "error" and "GET /_mock/schemas" in missing.json()["message"]
    assert client.get("/_mock/schemas/../../pyproject.toml").status_code == 404


def _checker(root: str, name: str, fetch) -> Draft202012Validator:
    """A validator that knows only a URL and how to fetch one: as any third-party tool would."""
    def retrieve(uri: str) -> Resource:
        return Resource.from_contents(fetch(uri), DRAFT202012)

    return Draft202012Validator({"$ref": f"{root}/{name}.json"}, registry=Registry(retrieve=retrieve))


def test_served_schema_files_resolve_their_references_over_http(client, bodies):
    def fetch(uri: str):
        response = client.get(uri)
        assert response.status_code == 200, uri
        return response.json()

    for name, body in bodies:
        validator = _checker("http://testserver/_mock/schemas", name, fetch)
        assert validator.is_valid(body), name
        assert not validator.is_valid(dict(body, unexpected_field=1)), name


# --- exported -----------------------------------------------------------------------------------
def test_schemas_export_writes_every_file_in_its_folder_and_their_references_resolve(tmp_path, bodies, capsys):
    assert cli.main(["schemas", "export", str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    written = sorted(p.relative_to(tmp_path).with_suffix("").as_posix() for p in tmp_path.rglob("*.json"))
    assert written == schemas.names()

    def fetch(uri: str):
        return json.loads(Path(uri.removeprefix("file://")).read_text(encoding="utf-8"))

    for name, body in bodies:
        validator = _checker(tmp_path.as_uri(), name, fetch)
        assert validator.is_valid(body), name
        assert not validator.is_valid(dict(body, unexpected_field=1)), name


def test_openapi_command_prints_or_writes_the_document(tmp_path, capsys):
    assert cli.main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out) == DOCUMENT
    target = tmp_path / "openapi.json"
    assert cli.main(["openapi", "--output", str(target), "--base-url", "http://10.0.0.5:9000/"]) == 0
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["servers"][0]["url"] == "http://10.0.0.5:9000"
    assert written["paths"] == openapi.document(control_operations, "http://10.0.0.5:9000")["paths"]
