"""The contract table covers every public route, and the suite-wide response check really checks."""

import httpx
import pytest
from starlette.routing import Route

from mock_server.public import contract
from mock_server.public.chat import routes as chat
from mock_server.public.contacts import routes as contacts
from tests.conftest import check_contract


def test_every_public_route_has_a_contract_and_every_contract_a_route():
    served = {(m, r.path) for r in [*chat.routes, *contacts.routes] if isinstance(r, Route)
              for m in r.methods - {"HEAD"}}
    assert served == set(contract.OPERATIONS)


def test_concrete_paths_find_their_operation():
    assert contract.operation("GET", "/chat/templates/abc") == ("GET", "/chat/templates/{id}")
    assert contract.operation("GET", "/chat/templates") == ("GET", "/chat/templates")
    assert contract.operation("GET", "/_mock/tenants") is None
    assert contract.response_schemas("GET", "/chat/phonenumbers", 403) == ("public/error.response",)
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
