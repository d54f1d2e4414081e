"""Ordered indexes answer what sorting every document would, after any writes and failed units, and a
page of one reads only the page."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.store import Store
from mock_server.store.state import SELECTIONS_KEPT
from tests.store.visits import count_visits
from tests.store.writing import write


def by_rank(doc):
    return None if doc.get("rank") is None else (doc["rank"], doc["id"])


def sorted_scan(collection):
    return [d["id"] for d in sorted((d for d in collection if d.get("rank") is not None), key=by_rank)]


def ranked(size):
    """A tenant of ``size`` people ranked 0, 1, …, its rank index built."""
    tenant = Store().seed("c1", {"people": [{"id": f"{i:05d}", "rank": i} for i in range(size)]})
    tenant["people"].ordered("rank", by_rank)
    return tenant


def people(n=6):
    store = Store()
    return store, store.seed("c1", {"people": [{"id": f"{i:02d}", "rank": i % 3} for i in range(n)]})["people"]


def test_an_ordered_index_lists_sorts_slices_and_narrows():
    _, folks = people()
    ordered = folks.ordered("rank", by_rank)
    assert [d["id"] for d in ordered] == ["00", "03", "01", "04", "02", "05"]
    assert [d["id"] for d in ordered.reversed()[:3]] == ["05", "02", "04"]
    assert [d["id"] for d in ordered.between((1,), (2,))] == ["01", "04"]
    assert [d["id"] for d in ordered.between((1,), (2,)).reversed()] == ["04", "01"]
    assert len(ordered.between((1,))) == 4 and len(ordered.between(None, (0,))) == 0
    assert ordered[-1]["id"] == "05" and ordered.reversed()[-1]["id"] == "00"
    with pytest.raises(IndexError):
        ordered[6]


def test_a_none_key_leaves_a_document_out_until_it_has_one():
    _, folks = people()
    folks.put({"id": "07"})
    assert "07" not in [d["id"] for d in folks.ordered("rank", by_rank)]
    folks.put({"id": "07", "rank": 0})
    assert [d["id"] for d in folks.ordered("rank", by_rank)][:3] == ["00", "03", "07"]


@st.composite
def writes(draw):
    """Puts (some without a rank) and deletes of a handful of ids, some inside a unit that then fails."""
    ops = st.tuples(st.sampled_from(["put", "delete"]), st.sampled_from("012345"),
                    st.sampled_from([0, 1, 2, None]), st.booleans())
    return draw(st.lists(ops, max_size=12))


@settings(max_examples=150, deadline=None)
@given(writes())
def test_ordered_indexes_stay_in_step_with_writes_and_failed_units(ops):
    store, folks = people(4)
    folks.ordered("rank", by_rank)  # built before the writes: from here on kept in step
    for op, doc_id, rank, fails in ops:
        write(store, folks, op, doc_id, "rank", rank, fails)
        assert [d["id"] for d in folks.ordered("rank", by_rank)] == sorted_scan(folks)


@pytest.mark.parametrize("size", [10, 10_000])
def test_a_page_of_an_ordered_index_reads_only_the_page(size):
    tenant = ranked(size)
    visits = count_visits(tenant)
    ordered = tenant["people"].ordered("rank", by_rank)
    assert len(ordered) == size
    assert [d["id"] for d in ordered.reversed()[:3]] == [f"{i:05d}" for i in (size - 1, size - 2, size - 3)]
    assert visits["people"] == 3


def ranked_at_least(low):
    return lambda doc: (doc.get("rank") or 0) >= low


@settings(max_examples=150, deadline=None)
@given(writes())
def test_a_selection_stays_in_step_with_writes_and_failed_units(ops):
    store, folks = people(4)
    folks.selection(("rank at least", 1), "rank", by_rank, ranked_at_least(1))  # built before the writes
    for op, doc_id, rank, fails in ops:
        write(store, folks, op, doc_id, "rank", rank, fails)
        expected = [i for i in sorted_scan(folks) if folks.get(i)["rank"] >= 1]
        assert [d["id"] for d in folks.selection(("rank at least", 1), "rank", by_rank, ranked_at_least(1))] == expected


@pytest.mark.parametrize("size", [10, 10_000])
def test_a_selection_asked_again_reads_only_its_page(size):
    tenant = ranked(size)
    visits = count_visits(tenant)
    assert len(tenant["people"].selection("even", "rank", by_rank, lambda d: d["rank"] % 2 == 0)) == size // 2
    assert visits["people"] == size  # built from the rank index: every document tested once
    visits.clear()
    again = tenant["people"].selection("even", "rank", by_rank, lambda d: False)  # the kept one answers
    assert [d["rank"] for d in again[:3]] == [0, 2, 4] and len(again) == size // 2
    assert visits["people"] == 3


def test_a_selection_takes_its_keys_and_order_from_its_index():
    """Building a selection computes no key again (a contact's position parses its date): the index has them."""
    _, folks = people()
    keyed = []
    key_of = lambda doc: keyed.append(doc["id"]) or by_rank(doc)  # noqa: E731
    folks.ordered("rank", key_of)
    keyed.clear()
    assert [d["id"] for d in folks.selection("low", "rank", key_of, ranked_at_least(1))] == ["01", "04", "02", "05"]
    assert keyed == []
    folks.put({"id": "06", "rank": 1})  # a write computes the new document's key once per index it is in
    assert keyed == ["06", "06"]


def test_the_least_recently_used_selection_is_let_go_past_the_bound():
    _, folks = people()
    calls = []

    def counted(low):
        def where(doc):
            calls.append(low)
            return ranked_at_least(low)(doc)
        return where

    for low in range(SELECTIONS_KEPT):
        folks.selection(low, "rank", by_rank, counted(low))
    folks.selection(0, "rank", by_rank, counted(0))  # used again: now the most recent
    calls.clear()
    folks.selection("one more", "rank", by_rank, counted(-1))  # past the bound: selection 1, the least recent, goes
    folks.put({"id": "09", "rank": 2})
    kept_lows = {low for low in calls if low >= 0}
    assert kept_lows == set(range(SELECTIONS_KEPT)) - {1}
    calls.clear()
    assert [d["id"] for d in folks.selection(1, "rank", by_rank, counted(1))] == ["01", "04", "02", "05", "09"]
    assert calls  # built again by a scan, with the write in it


def test_last_is_the_newest_document():
    _, folks = people()
    assert folks.last()["id"] == "05"
    folks.put({"id": "01", "rank": 9})  # an update keeps its place
    assert folks.last()["id"] == "05"
    folks.delete("05")
    assert folks.last()["id"] == "04"
