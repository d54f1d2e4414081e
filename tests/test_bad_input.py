"""Hypothesis-generated hostile input on every endpoint of every surface: never a 5xx, and every
refusal in its surface's documented error body.

Routes are read from the app, so every endpoint added later is fuzzed too.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.routing import Route
from starlette.testclient import TestClient

from mock_server import contract, schemas
from tests.conftest import check_contract, make_app, seeded_tenant

# One app for the whole module: hostile input must not corrupt state for the next example either.
APP = make_app()
TENANT = seeded_tenant(APP)
CLIENT = TestClient(APP, raise_server_exceptions=False)
CLIENT.event_hooks["response"].append(check_contract)  # and every public answer matches its documented schema
ROUTES = sorted({(m, r.path) for r in APP.routes if isinstance(r, Route) and not r.path.startswith("/_mock")
                 for m in (r.methods or set()) - {"HEAD"}})
# Valid credentials of every surface, so that hostile input reaches past authentication.
CREDENTIALS = {**TENANT.headers, "x-api-key": TENANT.state.account["obd_api_key"]}
TOKEN = {"token": TENANT.state.account["developer_token"]}

# Text for paths and query strings (which cannot carry lone surrogates); bodies add those below.
odd_text = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    st.text(alphabet=st.characters(categories=["Co", "Cf", "Mn", "So"]), max_size=20),
    st.sampled_from(["", " ", "null", "0", "-1", "1e309", "NaN", "\x00", "%00", "../../etc/passwd",
                     "'; DROP TABLE docs; --", "{{phone_number_id}}", "a" * 5000, "٣", "🎉" * 50]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10 ** 20), max_value=10 ** 20) |
    st.floats(allow_nan=False, allow_infinity=False) | odd_text | st.text(alphabet=st.characters(categories=["Cs"])),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(odd_text, children, max_size=6),
    max_leaves=25)
known_keys = st.sampled_from(["phone_number_id", "customer_country_code", "customer_number", "data", "type",
                              "context", "name", "language", "category", "waba_id", "components", "country_code",
                              "phone_number", "email_id", "custom_fields", "and", "marketing_opt_in", "template_name",
                              "company_id", "secret_token", "number", "number_2", "user_id", "public_ivr_id",
                              "std_code", "caller_id", "reference_id", "call_hold", "max_call_duration", "custom_1",
                              "token", "keyword", "page", "page-size", "_all", "contact_number", "extension",
                              "uuid", "from", "to", "log_from", "page_size", "search_key", "filters", "file",
                              "contactname", "phonenumber", "emailid", "assignto"])
shaped_bodies = st.dictionaries(known_keys, json_values, max_size=8)
raw_bodies = st.one_of(st.binary(max_size=200), st.sampled_from([b"{", b"[1,2", b"\xff\xfe", b"{}" * 1000,
                                                                 b'{"a":' * 2000, b"null", b'"x"']))
path_ids = st.one_of(odd_text.filter(lambda s: "/" not in s and "?" not in s and "#" not in s and s.strip()),
                     st.sampled_from(["1", "0", "-5", "99999999999999999999", "abc"]))
queries = st.dictionaries(st.sampled_from(["limit", "offset", "expand", "waba_id", "status", "ordering", "search",
                                           "created_at_after", "created_at_before", "waba_template_status",
                                           "category", "name", "include", "country_code", "phone_number",
                                           "before", "after", "keyword", "page", "page-size", "_all", "uuid",
                                           "from", "to", "log_from", "page_size", "search_key", "filters", "file",
                                           "extension", "contact_number"]), odd_text, max_size=4)


def assert_enveloped(response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        path = response.request.url.path
        names = contract.surface_errors(path)  # each surface's documented error bodies
        assert any(schemas.field_errors(name, response.json()) == {} for name in names), response.text[:300]


def fill(path: str, value: str) -> str:
    """Put a (hostile) value in the route's path parameter, whatever it is named."""
    return re.sub(r"\{[^/]+\}", lambda _: quote(value, safe=""), path)


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.data())
def test_structured_bad_input_never_yields_a_5xx(data):
    method, path = data.draw(st.sampled_from(ROUTES))
    url = fill(path, data.draw(path_ids))
    body = data.draw(st.one_of(shaped_bodies, json_values))
    response = CLIENT.request(method, url, params={**TOKEN, **data.draw(queries)}, headers=CREDENTIALS,
                              content=json.dumps(body).encode())
    assert_enveloped(response)


@FUZZ
@given(st.data())
def test_malformed_bytes_and_content_types_never_yield_a_5xx(data):
    method, path = data.draw(st.sampled_from(ROUTES))
    content_type = data.draw(st.sampled_from(["application/json", "text/plain", "multipart/form-data",
                                              "multipart/form-data; boundary=xyz", "application/x-www-form-urlencoded"]))
    response = CLIENT.request(method, fill(path, "1"), params=TOKEN,
                              headers={**CREDENTIALS, "Content-Type": content_type}, content=data.draw(raw_bodies))
    assert_enveloped(response)


def test_oversized_bodies_are_refused_in_the_envelope():
    for method, path in ROUTES:
        if method in ("POST", "PATCH", "PUT"):
            response = CLIENT.request(method, fill(path, "1"), params=TOKEN, headers=CREDENTIALS,
                                      content=b'{"name": "' + b"x" * (12 * 1024 * 1024) + b'"}')
            assert_enveloped(response)
