"""The gateway's 403, on every public route (new routes are covered as they are added)."""

import pytest
from starlette.routing import Route

from mock_server import schemas
from mock_server.public.chat import routes as chat
from mock_server.public.contacts import routes as contacts

PUBLIC = [(m, r.path) for r in [*chat.routes, *contacts.routes] if isinstance(r, Route) for m in sorted(r.methods - {"HEAD"})]


def concrete(path: str) -> str:
    return path.replace("{id}", "00000000-0000-4000-8000-000000000000").replace("{", "").replace("}", "")


@pytest.mark.parametrize("method,path", PUBLIC)
def test_every_public_route_refuses_missing_or_wrong_credentials(client, tenant, other_tenant, method, path):
    cases = {
        "no headers": {},
        "no company": {"Authorization": tenant.headers["Authorization"]},
        "no key": {"X-MYOP-COMPANY-ID": tenant.company_id},
        "not bearer": {"Authorization": f"Token {tenant.api_key}", "X-MYOP-COMPANY-ID": tenant.company_id},
        "wrong key": {"Authorization": "Bearer wrong", "X-MYOP-COMPANY-ID": tenant.company_id},
        "another company's key": {"Authorization": other_tenant.headers["Authorization"],
                                  "X-MYOP-COMPANY-ID": tenant.company_id},
        "unknown company": {"Authorization": tenant.headers["Authorization"], "X-MYOP-COMPANY-ID": "0000"},
    }
    for name, headers in cases.items():
        r = client.request(method, concrete(path), headers=headers, json={})
        assert r.status_code == 403, name
        assert r.json()["code"] == "403" and r.json()["message"] == "Forbidden", name
        assert schemas.field_errors("public/error.response", r.json()) == {}, name
