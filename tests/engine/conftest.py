"""Scenario tests run on an app with --strict: every body is validated against its schema as it is emitted."""

import pytest

from tests.conftest import make_app


@pytest.fixture
def app():
    return make_app(strict=True)
