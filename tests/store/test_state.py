from mock_server.store import SqliteBackend, Store


def test_collection_keeps_insertion_order_and_updates_in_place(tmp_path):
    store = Store(SqliteBackend(tmp_path / "s.sqlite3"))
    tenant = store.seed("c1", {"things": [{"id": "b"}, {"id": "a"}]})
    tenant["things"].put({"id": "c"})
    tenant["things"].put({"id": "b", "v": 2})
    assert [d["id"] for d in tenant["things"]] == ["b", "a", "c"]
    store.backend.close()

    again = Store(SqliteBackend(tmp_path / "s.sqlite3"))
    assert again.restore() is True
    assert [d for d in again.tenant("c1")["things"]] == [{"id": "b", "v": 2}, {"id": "a"}, {"id": "c"}]


def test_delete_is_durable_and_tenants_are_separate(tmp_path):
    store = Store(SqliteBackend(tmp_path / "s.sqlite3"))
    store.seed("c1", {"things": [{"id": "x"}]})
    store.seed("c2", {"things": [{"id": "x", "owner": "c2"}]})
    store.tenant("c1")["things"].delete("x")
    store.backend.close()
    again = Store(SqliteBackend(tmp_path / "s.sqlite3"))
    again.restore()
    assert again.tenant("c1") is None or len(again.tenant("c1")["things"]) == 0
    assert again.tenant("c2")["things"].get("x") == {"id": "x", "owner": "c2"}


def test_a_failed_transaction_writes_nothing(tmp_path):
    store = Store(SqliteBackend(tmp_path / "s.sqlite3"))
    tenant = store.seed("c1", {})
    try:
        with store.transaction():
            tenant["things"].put({"id": "half"})
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    store.backend.close()
    again = Store(SqliteBackend(tmp_path / "s.sqlite3"))
    again.restore()
    assert again.tenant("c1") is None


def test_generation_counts_restarts(tmp_path):
    first = SqliteBackend(tmp_path / "s.sqlite3")
    assert first.bump_generation() == 1
    first.close()
    second = SqliteBackend(tmp_path / "s.sqlite3")
    assert second.bump_generation() == 2


def test_lookup_indexes_follow_every_put_delete_and_load():
    store = Store()
    tenant = store.seed("c1", {"people": [{"id": "1", "phone": "a"}, {"id": "2", "phone": "b"}]})
    people = tenant["people"]
    by_phone = lambda doc: doc["phone"]  # noqa: E731
    assert [d["id"] for d in people.lookup("phone", by_phone, "a")] == ["1"]
    people.put({"id": "1", "phone": "c"})
    people.put({"id": "3", "phone": "c"})
    assert people.lookup("phone", by_phone, "a") == []
    assert [d["id"] for d in people.lookup("phone", by_phone, "c")] == ["1", "3"]
    people.delete("3")
    assert [d["id"] for d in people.lookup("phone", by_phone, "c")] == ["1"]
    people.load([{"id": "4", "phone": "b"}])
    assert [d["id"] for d in people.lookup("phone", by_phone, "b")] == ["2", "4"]
    assert people.delete("missing") is None
