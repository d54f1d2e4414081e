"""Scenario tests use the suite's app (tests/conftest.py): a manual clock and --strict, so every body is
validated against its schema as it is emitted."""

import pytest

from mock_server.engine import loader, runner


@pytest.fixture
def own_scenarios(tmp_path, monkeypatch):
    """A folder of the user's scenarios beside the shipped ones."""
    monkeypatch.setattr(runner, "scenario_dirs", lambda ctx: (loader.builtin_dir(), tmp_path))
    loader.catalog.cache_clear()
    yield tmp_path
    loader.catalog.cache_clear()
