"""Fixtures of the Contacts API tests."""

import pytest

from tests.public.contacts.support import search_world


@pytest.fixture(scope="module")
def world():
    """The Search Contacts tests' three contacts (``support.search_world``), built once a module."""
    yield from search_world()
