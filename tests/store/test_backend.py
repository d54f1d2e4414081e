"""The SQLite backend's transactions: one commit, and savepoints for nested units."""

import pytest

from mock_server.store import SqliteBackend


def ids(backend):
    return [doc["id"] for docs in backend.load().get("c1", {}).values() for doc in docs]


def test_a_nested_transaction_that_fails_rolls_back_only_its_own_writes(tmp_path):
    backend = SqliteBackend(tmp_path / "s.sqlite3")
    with backend.transaction():
        backend.put("c1", "things", "outer", {"id": "outer"})
        with pytest.raises(ValueError):
            with backend.transaction():
                backend.put("c1", "things", "inner", {"id": "inner"})
                backend.delete("c1", "things", "outer")
                raise ValueError
        with backend.transaction():  # a savepoint name is free again once its unit ended
            backend.put("c1", "things", "later", {"id": "later"})
    backend.close()
    assert ids(SqliteBackend(tmp_path / "s.sqlite3")) == ["outer", "later"]


def test_an_outer_failure_rolls_back_what_inner_units_released(tmp_path):
    backend = SqliteBackend(tmp_path / "s.sqlite3")
    backend.put("c1", "things", "before", {"id": "before"})
    with pytest.raises(RuntimeError):
        with backend.transaction():
            with backend.transaction():
                backend.put("c1", "things", "inner", {"id": "inner"})
            raise RuntimeError
    with backend.transaction():  # the connection is usable again, outside any transaction
        backend.put("c1", "things", "after", {"id": "after"})
    backend.close()
    assert ids(SqliteBackend(tmp_path / "s.sqlite3")) == ["before", "after"]
