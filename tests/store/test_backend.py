"""The SQLite backend's transactions: one commit, and savepoints for nested units."""

import pytest

from mock_server.store import SqliteBackend
from mock_server.store.backend import LOAD


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


def test_documents_read_back_share_their_key_strings(tmp_path):
    """A key spelled in 100,000 documents is one string in memory, not 100,000 (a third of the RSS at that size)."""
    backend = SqliteBackend(tmp_path / "state.sqlite3")
    for i in range(3):
        backend.put("c1", "contacts", f"k{i}", {"id": f"k{i}", "phone_number": f"98{i}", "tags": {"vip": True}})
    first, *others = SqliteBackend(tmp_path / "state.sqlite3").load()["c1"]["contacts"]
    for other in others:
        assert [a is b for a, b in zip(first, other, strict=True)] == [True, True, True]
        assert next(iter(first["tags"])) is next(iter(other["tags"]))


def test_a_document_orjson_refuses_is_still_read_back(tmp_path):
    """The API's JSON parser accepts integers beyond 64 bits; such a document survives a restart unchanged."""
    backend = SqliteBackend(tmp_path / "state.sqlite3")
    backend.put("c1", "contacts", "big", {"id": "big", "fields": {"n": 10**30}})
    backend.put("c1", "contacts", "small", {"id": "small", "fields": {"n": 1}})
    loaded = SqliteBackend(tmp_path / "state.sqlite3").load()["c1"]["contacts"]
    assert loaded == [{"id": "big", "fields": {"n": 10**30}}, {"id": "small", "fields": {"n": 1}}]


def test_a_restart_reads_the_documents_in_order_through_an_index_not_a_sort(tmp_path):
    """Sorting 200,000 stored bodies took 1 s of a restart; the seq index reads them in order as they lie."""
    backend = SqliteBackend(tmp_path / "state.sqlite3")
    plan = " ".join(row[-1] for row in backend._db.execute(f"EXPLAIN QUERY PLAN {LOAD}"))
    assert "docs_by_seq" in plan and "TEMP B-TREE" not in plan, plan
