"""Every saved example of the collection's requests as a test vector (issue 5, deliverable 5).

Each example of tests/data/public_api_examples.json and tests/data/telephony_examples.json is sent, on a fresh
app, with its documented method, path, query, headers and body, placeholders filled from the fixtures and the
tenant in the state the example documents (tests/vectors.py says how, and why where it is more than filling).
The answer must have the documented status, a body valid against the operation's schema, and the documented
body's shape; where the documented body is fixed text, exactly that body. The webhook examples are events, not
requests: tests/domain/ validates every one against its schema (see the README's coverage table).
"""

from collections import Counter
from urllib.parse import urlsplit

import pytest

pytest.register_assert_rewrite("tests.vectors")

from tests.vectors import (COLLECTION_ITEMS, EXAMPLE_SETUPS, EXAMPLES, HEADERS, REQUEST_SETUPS,  # noqa: E402
                           Setup, Vector, envelope_differences, expected_status, load_examples, schema_failures, setups,
                           shape_differences, vector_id)
from tests.conftest import make_app  # noqa: E402


@pytest.fixture
def app():
    """The collection's examples are replayed as the collection shows them: the documented profile."""
    return make_app(profile="documented")


@pytest.mark.parametrize("example", EXAMPLES, ids=vector_id)
def test_documented_example(client, tenant, other_tenant, example):
    vector = Vector(example, client, tenant, other_tenant)
    for setup in setups(example):
        setup.prepare(vector)
    response = vector.request.send(client)
    status, documented = expected_status(example), vector.documented

    assert response.status_code == status, response.text
    if isinstance(documented, str):  # not JSON: the documented plain-text 500
        assert response.text == documented
        return
    body = response.json()
    method, path = vector.request.method, response.request.url.path
    assert schema_failures(method, path, status, body) == {}
    if all(s.documented_valid for s in setups(example)):
        assert schema_failures(method, path, status, documented) == {}, "the documented body is not valid"
    keys_unlike = tuple(key for s in setups(example) for key in s.keys_unlike_documented)
    assert shape_differences(body, documented, keys_unlike) == []
    values_unlike = tuple(key for s in setups(example) for key in s.values_unlike_documented)
    assert envelope_differences(body, documented, values_unlike) == []
    if any(s.exact for s in setups(example)):
        assert body == documented
    for check in (s.check for s in setups(example) if s.check):
        check(vector, body)


def test_the_vectors_are_every_example_of_the_data_files():
    data = load_examples()
    ids = [vector_id(e) for e in data]
    assert len(set(ids)) == len(ids), "two examples would share a vector id"
    (parametrized,) = [m for m in test_documented_example.pytestmark if m.name == "parametrize"]
    assert [vector_id(e) for e in parametrized.args[1]] == ids
    # The data files hold every example of every request item of the collection that has examples.
    assert Counter(e["request"] for e in data) == COLLECTION_ITEMS
    assert len(ids) == sum(COLLECTION_ITEMS.values()) == 78
    # Every request documents its headers here, and no setup names a request or an example that is gone.
    assert set(HEADERS) == set(COLLECTION_ITEMS)
    assert set(REQUEST_SETUPS) <= set(COLLECTION_ITEMS) and set(EXAMPLE_SETUPS) <= set(ids)


def test_setups_that_do_more_than_fill_placeholders_say_why():
    for name, setup in EXAMPLE_SETUPS.items():
        if setup != Setup(exact=True):
            assert setup.why or setup.prepare.__doc__, name


def test_the_phone_numbers_examples_double_slash_url_is_served(client, tenant):
    """Two examples were saved, answered 200, at /chat//phonenumbers: repeated slashes are merged."""
    saved = [e for e in EXAMPLES if "//phonenumbers" in e["url"]]
    assert len(saved) == 2
    for example in saved:
        url = urlsplit(example["url"])
        query = url.query.replace("waba_id=string", "waba_id={{waba_id}}").replace("{{waba_id}}", tenant.waba_id())
        response = client.get(f"{url.path}?{query}", headers=tenant.headers)
        assert response.status_code == example["status"], response.text
