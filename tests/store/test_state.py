import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server.store import SqliteBackend, Store
from tests.store.visits import count_visits
from tests.store.writing import write


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



def test_a_fresh_collection_loaded_in_one_pass_is_as_if_written_one_by_one():
    """Restarts and seeds fill a fresh collection in one pass; what follows sees what puts would have left."""
    docs = [{"id": "1", "phone": "a"}, {"id": "2", "phone": "b"}, {"id": "1", "phone": "c"}, {"id": "3", "phone": "a"}]
    loaded, written = Store().seed("c1", {"people": docs})["people"], Store().seed("c1", {})["people"]
    for doc in docs:
        written.put(doc)
    by_phone = lambda doc: doc["phone"]  # noqa: E731
    for people in (loaded, written):
        with pytest.raises(RuntimeError), people._units.unit():
            people.delete("2")
            people.put({"id": "4", "phone": "a"})
            raise RuntimeError
        people.put({"id": "5", "phone": "a"})
        people.put({"id": "1", "phone": "a"})
    assert loaded.values() == written.values()
    assert [d["id"] for d in loaded.values()] == ["1", "2", "3", "5"]
    assert loaded.lookup("phone", by_phone, "a") == written.lookup("phone", by_phone, "a")
    orders = [[d["id"] for d in people.ordered("phone", lambda d: (d["phone"],))] for people in (loaded, written)]
    assert orders == [["1", "3", "5", "2"]] * 2



def test_a_fresh_collection_loaded_in_a_failed_unit_is_empty_again_and_its_indexes_too():
    store = Store()
    people = store.seed("c1", {})["people"]
    by_phone = lambda doc: doc["phone"]  # noqa: E731
    with pytest.raises(RuntimeError), store.transaction():
        people.load([{"id": "1", "phone": "a"}, {"id": "2", "phone": "b"}])
        assert [d["id"] for d in people.lookup("phone", by_phone, "a")] == ["1"]  # an index built on the load
        people.put({"id": "3", "phone": "a"})
        raise RuntimeError
    assert people.values() == [] and people.lookup("phone", by_phone, "a") == []
    people.put({"id": "4", "phone": "a"})
    assert [d["id"] for d in people.lookup("phone", by_phone, "a")] == ["4"]
    assert [d["id"] for d in people.ordered("phone", lambda d: (d["phone"],))] == ["4"]

# --- a transaction is a unit of work for memory too ---------------------------------------------
def stores(tmp_path):
    """The same checks with and without a data dir: memory is rolled back by the Store, not the backend."""
    return [Store(), Store(SqliteBackend(tmp_path / "s.sqlite3"))]


def on_disk(store, tmp_path, company_id):
    """What a restart would see of one tenant (None without a data dir)."""
    if not isinstance(store.backend, SqliteBackend):
        return None
    again = Store(SqliteBackend(tmp_path / "s.sqlite3"))
    again.restore()
    tenant = again.tenant(company_id)
    return tenant.dump() if tenant else {}


def test_a_failed_transaction_leaves_memory_as_it_was(tmp_path):
    for store in stores(tmp_path):
        tenant = store.seed("c1", {"things": [{"id": "a", "v": 1}, {"id": "b", "v": 1}, {"id": "c", "v": 1}],
                                   "account": [{"id": "account", "wallet_balance": 10}]})
        by_v = lambda doc: doc["v"]  # noqa: E731
        assert [d["id"] for d in tenant["things"].lookup("v", by_v, 1)] == ["a", "b", "c"]
        before = tenant.dump()
        with pytest.raises(RuntimeError):
            with store.transaction():
                tenant["things"].put({"id": "b", "v": 2})   # an update
                tenant["things"].delete("a")                # a delete from the middle of the order
                tenant["things"].put({"id": "d", "v": 1})   # a new document
                tenant["things"].put({"id": "d", "v": 3})   # ... written twice
                tenant["things"].load([{"id": "e", "v": 1}])
                tenant.save_account(dict(tenant.account, wallet_balance=9))
                raise RuntimeError("late failure")
        assert tenant.dump() == before
        assert [d["id"] for d in tenant["things"]] == ["a", "b", "c"]  # the order too
        assert [d["id"] for d in tenant["things"].lookup("v", by_v, 1)] == ["a", "b", "c"]
        assert tenant["things"].lookup("v", by_v, 2) == [] and tenant["things"].lookup("v", by_v, 3) == []
        assert on_disk(store, tmp_path, "c1") in (None, before)
        store.backend.close()


def test_a_nested_unit_that_fails_undoes_only_itself(tmp_path):
    for store in stores(tmp_path):
        tenant = store.seed("c1", {"things": [{"id": "a"}]})
        with store.transaction():
            tenant["things"].put({"id": "outer"})
            with pytest.raises(ValueError):
                with store.transaction():
                    tenant["things"].put({"id": "inner"})
                    tenant["things"].delete("a")
                    raise ValueError("the step failed")
            tenant["things"].put({"id": "after"})
        assert [d["id"] for d in tenant["things"]] == ["a", "outer", "after"]
        assert on_disk(store, tmp_path, "c1") in (None, tenant.dump())
        store.backend.close()


def test_a_nested_unit_that_succeeded_is_undone_with_the_outer_one(tmp_path):
    for store in stores(tmp_path):
        tenant = store.seed("c1", {"things": [{"id": "a"}]})
        with pytest.raises(RuntimeError):
            with store.transaction():
                with store.transaction():
                    tenant["things"].put({"id": "inner"})
                raise RuntimeError
        assert [d["id"] for d in tenant["things"]] == ["a"]
        assert on_disk(store, tmp_path, "c1") in (None, tenant.dump())
        store.backend.close()


def test_seeding_and_dropping_tenants_is_undone_too(tmp_path):
    for store in stores(tmp_path):
        kept = store.seed("c1", {"things": [{"id": "a"}]})
        store.seed("gone", {"things": [{"id": "x"}]})
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.seed("c1", {"things": [{"id": "replaced"}]})
                store.seed("new", {"things": [{"id": "n"}]})
                store.drop("gone")
                raise RuntimeError
        assert store.tenant("c1") is kept and [d["id"] for d in kept["things"]] == ["a"]
        assert store.tenant("new") is None and store.tenant("gone")["things"].get("x") == {"id": "x"}
        assert on_disk(store, tmp_path, "c1") in (None, kept.dump())
        assert on_disk(store, tmp_path, "gone") in (None, {"things": [{"id": "x"}]})
        store.drop("gone")
        assert store.tenant("gone") is None and on_disk(store, tmp_path, "gone") in (None, {})
        store.backend.close()


def test_on_rollback_runs_only_when_the_unit_fails():
    store, calls = Store(), []
    store.on_rollback(lambda: calls.append("outside"))  # no unit: nothing to undo later
    with store.transaction():
        store.on_rollback(lambda: calls.append("kept"))
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.on_rollback(lambda: calls.append("undone"))
            raise RuntimeError
    assert calls == ["undone"]


def account(token: str) -> dict:
    return {"account": [{"id": "account", "developer_token": token}]}


class NoScans(dict):
    """The tenants, refusing to be iterated: a lookup that scans them fails."""

    def values(self):
        raise AssertionError("the tenants were scanned")

    items = values


def test_tenant_by_finds_a_credential_without_scanning_the_tenants():
    store = Store()
    store.seed("c1", account("t1"))
    store.seed("c2", account("t2"))
    assert store.tenant_by("developer_token", "t2") is store.tenant("c2")  # builds the index (one scan)
    store.tenants = NoScans(store.tenants)
    assert store.tenant_by("developer_token", "t1") is store.tenant("c1")
    assert store.tenant_by("developer_token", "t3") is None and store.tenant_by("developer_token", "") is None


def test_the_credential_index_follows_account_changes_seeds_drops_and_restores(tmp_path):
    store = Store(SqliteBackend(tmp_path / "s.sqlite3"))
    store.seed("c1", account("t1"))
    assert store.tenant_by("developer_token", "t1").company_id == "c1"
    store.tenant("c1").save_account({"id": "account", "developer_token": "t1b"})  # a changed token
    assert store.tenant_by("developer_token", "t1") is None
    assert store.tenant_by("developer_token", "t1b").company_id == "c1"
    store.seed("c2", account("t2"))  # a new tenant
    assert store.tenant_by("developer_token", "t2").company_id == "c2"
    store.seed("c2", account("t2b"))  # a reset with other fixtures
    assert store.tenant_by("developer_token", "t2") is None and store.tenant_by("developer_token", "t2b")
    store.tenant("c1")["account"].delete("account")
    assert store.tenant_by("developer_token", "t1b") is None
    store.drop("c2")
    assert store.tenant_by("developer_token", "t2b") is None
    store.seed("c3", account("t3"))
    store.backend.close()
    again = Store(SqliteBackend(tmp_path / "s.sqlite3"))
    again.restore()
    assert again.tenant_by("developer_token", "t3") is again.tenant("c3")


def test_a_failed_unit_puts_the_credential_index_back():
    store = Store()
    kept = store.seed("c1", account("t1"))
    store.seed("c2", account("t2"))
    assert store.tenant_by("developer_token", "t1") is kept
    with pytest.raises(RuntimeError):
        with store.transaction():
            kept.save_account({"id": "account", "developer_token": "changed"})
            store.seed("c2", account("t2b"))
            store.seed("c4", account("t4"))
            store.drop("c1")
            raise RuntimeError
    assert store.tenant_by("developer_token", "t1") is kept and store.tenant_by("developer_token", "changed") is None
    assert store.tenant_by("developer_token", "t2").company_id == "c2"
    assert store.tenant_by("developer_token", "t2b") is None and store.tenant_by("developer_token", "t4") is None


# --- indexes answer as a scan would, at the cost of what they find ------------------------------------
def by_phone(doc):
    return doc["phone"]


def scanned(collection, phone):
    return [d["id"] for d in collection if d["phone"] == phone]


def test_a_lookup_answers_in_the_collections_order_whatever_was_written():
    tenant = Store().seed("c1", {"people": [{"id": str(i), "phone": "ab"[i % 2]} for i in range(6)]})
    people = tenant["people"]
    assert [d["id"] for d in people.lookup("phone", by_phone, "b")] == ["1", "3", "5"]
    people.put({"id": "1", "phone": "b", "name": "updated in place"})
    people.put({"id": "4", "phone": "b"})  # moves to "b", where it stands before 5
    people.put({"id": "9", "phone": "b"})
    for phone in "ab":
        assert [d["id"] for d in people.lookup("phone", by_phone, phone)] == scanned(people, phone)
    assert scanned(people, "b") == ["1", "3", "4", "5", "9"]


@st.composite
def writes(draw):
    """A few puts and deletes of a handful of ids, some inside a unit that then fails."""
    ops = st.tuples(st.sampled_from(["put", "delete"]), st.sampled_from("012345"), st.sampled_from("abc"),
                    st.booleans())
    return draw(st.lists(ops, max_size=12))


@given(writes())
def test_indexes_stay_in_step_with_writes_and_failed_units(ops):
    store = Store()
    tenant = store.seed("c1", {"people": [{"id": str(i), "phone": "abc"[i % 3]} for i in range(4)]})
    people = tenant["people"]
    people.lookup("phone", by_phone, "a")  # built before the writes: from here on kept in step
    for op, doc_id, phone, fails in ops:
        write(store, people, op, doc_id, "phone", phone, fails)
        for key in "abc":
            assert [d["id"] for d in people.lookup("phone", by_phone, key)] == scanned(people, key)


def test_a_lookup_after_a_failed_unit_reads_only_what_it_finds():
    store = Store()
    tenant = store.seed("c1", {"people": [{"id": str(i), "phone": str(i)} for i in range(100)]})
    people = tenant["people"]
    people.lookup("phone", by_phone, "1")
    with pytest.raises(RuntimeError):
        with store.transaction():
            people.put({"id": "7", "phone": "1"})
            people.put({"id": "new", "phone": "1"})
            raise RuntimeError("undo it")
    visits = count_visits(tenant)
    assert [d["id"] for d in people.lookup("phone", by_phone, "1")] == ["1"]
    assert [d["id"] for d in people.lookup("phone", by_phone, "7")] == ["7"]
    assert visits["people"] == 2  # the two found, no rebuild: the undo put the index back as it was
