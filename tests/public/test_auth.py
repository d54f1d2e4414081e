"""The public API's gateway on every public route (new routes are covered as they are added): AWS API Gateway's
own 401 and explicit deny where the live service answered them (OBSERVED.md C20), the documented 403 otherwise."""

import pytest
from starlette.routing import Route

from mock_server import schemas
from mock_server.public.chat import routes as chat
from mock_server.public.contacts import routes as contacts

PUBLIC = [(m, r.path) for r in [*chat.routes, *contacts.routes] if isinstance(r, Route) for m in sorted(r.methods - {"HEAD"})]
UNAUTHORIZED = {"message": "Unauthorized"}
EXPLICIT_DENY = {"Message": "User is not authorized to access this resource with an explicit deny in an identity-based policy"}


def concrete(path: str) -> str:
    return path.replace("{id}", "00000000-0000-4000-8000-000000000000").replace("{", "").replace("}", "")


@pytest.mark.parametrize("method,path", PUBLIC)
def test_every_public_route_refuses_missing_or_wrong_credentials(client, tenant, other_tenant, method, path):
    company = {"X-MYOP-COMPANY-ID": tenant.company_id}
    cases = {
        # No Authorization header: the authorizer's identity source is missing, API Gateway's 401.
        "no headers": ({}, 401, UNAUTHORIZED),
        "no key": (company, 401, UNAUTHORIZED),
        "x-api-key instead of Bearer": ({**company, "x-api-key": tenant.api_key}, 401, UNAUTHORIZED),
        "empty header": ({**company, "Authorization": ""}, 401, UNAUTHORIZED),
        # A header the authorizer refuses: its explicit deny.
        "lowercase bearer": ({**company, "Authorization": f"bearer {tenant.api_key}"}, 403, EXPLICIT_DENY),
        "uppercase bearer": ({**company, "Authorization": f"BEARER {tenant.api_key}"}, 403, EXPLICIT_DENY),
        "empty Bearer": ({**company, "Authorization": "Bearer "}, 403, EXPLICIT_DENY),
        "Bearer alone": ({**company, "Authorization": "Bearer"}, 403, EXPLICIT_DENY),
        "not bearer": ({**company, "Authorization": f"Token {tenant.api_key}"}, 403, EXPLICIT_DENY),
        "the key alone": ({**company, "Authorization": tenant.api_key}, 403, EXPLICIT_DENY),
        # A well-formed Bearer that does not fit the company: the documented 403 in the envelope.
        "no company": ({"Authorization": tenant.headers["Authorization"]}, 403, None),
        "wrong key": ({**company, "Authorization": "Bearer wrong"}, 403, None),
        "another company's key": ({**company, "Authorization": other_tenant.headers["Authorization"]}, 403, None),
        "unknown company": ({"Authorization": tenant.headers["Authorization"], "X-MYOP-COMPANY-ID": "0000"}, 403, None),
    }
    for name, (headers, status, body) in cases.items():
        r = client.request(method, concrete(path), headers=headers, json={})
        assert r.status_code == status, name
        if body is not None:
            assert r.json() == body, name
        else:
            assert r.json()["code"] == "403" and r.json()["message"] == "Forbidden", name
            assert schemas.field_errors("public/error.response", r.json()) == {}, name


def test_the_gateways_bodies_are_in_the_contract():
    assert schemas.field_errors("public/gateway.unauthorized.response", UNAUTHORIZED) == {}
    assert schemas.field_errors("public/gateway.denied.response", EXPLICIT_DENY) == {}
    assert schemas.field_errors("public/gateway.denied.response", UNAUTHORIZED) != {}
    assert schemas.field_errors("public/gateway.unauthorized.response", {"message": "Forbidden"}) != {}
