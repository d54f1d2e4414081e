"""The contract table covers every route of every surface, and the suite-wide response check really checks."""

import httpx
import pytest

from mock_server import schemas
from starlette.routing import Route

from mock_server import contract
from mock_server.control.routes import routes as control_routes
from tests.conftest import check_contract, make_app


def test_every_route_has_a_contract_and_every_contract_a_route():
    control = {r.path for r in control_routes}  # the simulator's own: /_mock/, /openapi.json, the UI's "/"
    served = {(m, r.path) for r in make_app().routes if isinstance(r, Route) and r.path not in control
              for m in (r.methods or set()) - {"HEAD"}}
    assert served == set(contract.OPERATIONS) | set(contract.AUDIO_OPERATIONS)


def test_every_request_schema_accepts_the_documented_requests():
    from tests.obd.support import EXAMPLES
    for example in EXAMPLES["examples"]:
        if example["request"] in ("Get Users", "Create User", "Log Filters List"):
            from urllib.parse import parse_qsl, urlsplit
            params = dict(parse_qsl(urlsplit(example["url"]).query, keep_blank_values=True))
            method, path = example["method"], "/" + urlsplit(example["url"]).path.lstrip("/")
            schema = contract.OPERATIONS[(method, path)]["request"]
            params["token"] = "t0ken"  # the documented URLs leave it empty
            if example["request"] == "Create User":
                params.update(name="A", contact_number="9876543210", country_code="91", extension="12")
            assert schemas.field_errors(schema, params) == {}, example["example"]


def test_concrete_paths_find_their_operation():
    assert contract.operation("GET", "/chat/templates/abc") == ("GET", "/chat/templates/{id}")
    assert contract.operation("GET", "/chat/templates") == ("GET", "/chat/templates")
    assert contract.operation("GET", "/_mock/tenants") is None
    assert contract.response_schemas("GET", "/chat/phonenumbers", 403) == ("public/error.response",
                                                                          "public/gateway.denied.response")
    assert contract.response_schemas("GET", "/chat/phonenumbers", 401) == ("public/gateway.unauthorized.response",)
    assert contract.response_schemas("GET", "/chat/phonenumbers", 404) == ("public/error.response",)
    assert contract.response_schemas("POST", "/chat/messages", 500) == ("public/error.response",
                                                                       "public/gateway.outage.response")
    assert contract.response_schemas("GET", "/search/filters", 401) == ("developers/error",)
    assert contract.response_schemas("POST", "/obd-api-v1", 403) == ("obd/call.response", "obd/gateway.error")
    with pytest.raises(LookupError):
        contract.response_schemas("GET", "/chat/phonenumbers", 201)


def fake(method, path, status, body):
    return httpx.Response(status, json=body, request=httpx.Request(method, f"http://testserver{path}"))


def test_the_response_check_rejects_a_body_off_its_schema():
    check_contract(fake("GET", "/chat/templates/x", 404,
                        {"status": "error", "code": 404, "message": "Invalid Template ID", "errors": {}}))
    with pytest.raises(AssertionError):
        check_contract(fake("GET", "/chat/templates/x", 404, {"status": "error", "message": "no code"}))
    with pytest.raises(AssertionError):
        check_contract(fake("POST", "/chat/messages", 200, {"status": "success", "code": "200", "data": {}}))
