"""Every schema file compiles, and references resolve at any depth."""

import pytest
from jsonschema import Draft202012Validator

from mock_server import schemas


@pytest.mark.parametrize("name", schemas.names())
def test_schema_is_valid_and_its_references_resolve(name):
    Draft202012Validator.check_schema(schemas.schema(name))
    # Validating a value that matches nothing walks every $ref the schema reaches.
    for probe in ({}, [], "", 0, None, {"data": {"results": [{}]}}, {"status": "error", "errors": {"x": []}}):
        schemas.field_errors(name, probe)
