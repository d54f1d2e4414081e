"""Every schema file compiles, and references resolve at any depth."""

import pytest
from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator

from mock_server import schemas


@pytest.mark.parametrize("name", schemas.names())
def test_schema_is_valid_and_its_references_resolve(name):
    Draft202012Validator.check_schema(schemas.schema(name))
    # Validating a value that matches nothing walks every $ref the schema reaches.
    for probe in ({}, [], "", 0, None, {"data": {"results": [{}]}}, {"status": "error", "errors": {"x": []}}):
        schemas.field_errors(name, probe)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(schemas.names()), instance=json_values)
def test_the_fast_and_the_explaining_validators_agree(name, instance):
    explained = list(schemas.validator(name).iter_errors(instance))
    assert schemas.fast_validator(name).is_valid(instance) == (not explained)


def test_they_agree_on_every_documented_example_response():
    from tests.conftest import example_responses
    checked = 0
    for names, body in example_responses():
        for name in names:
            assert schemas.fast_validator(name).is_valid(body) == (not list(schemas.validator(name).iter_errors(body)))
            checked += 1
    assert checked > 50
