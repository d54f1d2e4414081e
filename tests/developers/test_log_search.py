"""Search Logs without the web: parameter parsing, search_key matching and the selection rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from mock_server.developers import filter_expr, log_search
from mock_server.developers.log_search import Query, parse_query
from mock_server.refusals import Refusal
from mock_server.store import Store

TIMESTAMP_FROM = "from must be a UTC unix timestamp in whole seconds, e.g. 1752573600"
TIMESTAMP_TO = "to must be a UTC unix timestamp in whole seconds, e.g. 1752573600"
OFFSET = "log_from must be a whole number of at least 0"
PAGE_SIZE = "page_size must be a whole number of at least 1"


def problems(params: dict) -> str:
    with pytest.raises(Refusal) as caught:
        parse_query(params)
    return str(caught.value)


# --- parameters ---------------------------------------------------------------------------------------
def test_defaults_when_nothing_or_only_empty_values_are_given():
    for params in ({}, {"from": "", "to": " ", "log_from": "", "page_size": None, "search_key": "", "filters": "  "}):
        query = parse_query(params)
        assert (query.start, query.end, query.offset, query.size, query.key, query.match) == (None, None, 0, 20, "", None)


def test_numbers_as_strings_json_integers_or_integral_floats():
    query = parse_query({"from": "1752000000", "to": 1752600000, "log_from": "+5", "page_size": 7.0})
    assert (query.start, query.end, query.offset, query.size) == (1752000000, 1752600000, 5, 7)
    assert parse_query({"from": 5, "to": 5}).start == 5  # a one-second window


def test_page_size_above_100_is_capped_not_refused():
    assert parse_query({"page_size": "101"}).size == 100
    assert parse_query({"page_size": 10 ** 17}).size == 100
    assert parse_query({"page_size": "100"}).size == 100


@pytest.mark.parametrize("name, value, message", [
    ("from", "yesterday", TIMESTAMP_FROM), ("from", "-1", TIMESTAMP_FROM), ("from", "1.5", TIMESTAMP_FROM),
    ("from", True, TIMESTAMP_FROM), ("from", [1], TIMESTAMP_FROM), ("from", 1.5, TIMESTAMP_FROM),
    ("to", "1e9", TIMESTAMP_TO), ("to", "0x10", TIMESTAMP_TO), ("to", "9" * 19, TIMESTAMP_TO),
    ("log_from", "-1", OFFSET), ("log_from", "one", OFFSET), ("log_from", False, OFFSET),
    ("page_size", "0", PAGE_SIZE), ("page_size", 0, PAGE_SIZE), ("page_size", "-3", PAGE_SIZE),
    ("page_size", "ten", PAGE_SIZE),
    ("search_key", {"a": 1}, "search_key must be text"), ("search_key", True, "search_key must be text"),
    ("search_key", "x" * 256, "search_key must be at most 255 characters"),
])
def test_each_bad_parameter_has_its_message(name, value, message):
    assert problems({name: value}) == message


def test_from_later_than_to_is_refused_but_equal_is_fine():
    assert problems({"from": "1752600001", "to": "1752600000"}) == "from must not be later than to"
    assert parse_query({"from": "1752600000", "to": "1752600000"}).end == 1752600000


def test_every_problem_is_reported_in_parameter_order():
    assert problems({"page_size": "0", "from": "x", "to": "y", "log_from": "-2", "filters": "12 AND"}) == "; ".join([
        TIMESTAMP_FROM, TIMESTAMP_TO, OFFSET, PAGE_SIZE,
        "Invalid filter expression at position 7: expected a filter id or '(' after 'AND', found the end of the expression"])


@pytest.mark.parametrize("expression", ["12 AND", "(12", "12 5", "NOT 12", "12 && 5", "99", ")", [12], {"a": 1}])
def test_a_bad_filter_expression_is_answered_with_the_parser_s_own_message(expression):
    with pytest.raises(filter_expr.FilterExpressionError) as expected:
        filter_expr.parse(expression)
    assert problems({"filters": expression}) == str(expected.value)


def test_a_json_integer_search_key_or_filter_is_read_as_its_digits():
    query = parse_query({"search_key": 98765, "filters": 12})
    assert query.key == "98765"
    assert query.match({"_su": 1}) and not query.match({"_su": 2})


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10 ** 18 - 1))
def test_any_non_negative_integer_round_trips(n):
    assert log_search.whole_number(str(n)) == log_search.whole_number(n) == n


# --- search_key --------------------------------------------------------------------------------------
SESSION = {"comments": [{"text": "Wants the ANNUAL plan"}]}
LOG = {"_cm": "Ravi Kumar", "_cl": "+919876543210", "_cr": "9876543210", "_ld": [
    {"_rr": [{"_na": "Asha Rao", "_em": "asha@example.com", "_ct": "9811122233", "_nr": "+919811122233"}],
     "_tt": [{"_na": "Elijah Seth", "_em": "elijah@example.com", "_ct": "7974711818", "_nr": "+917974711818"}]}]}


@pytest.mark.parametrize("key", [
    "ravi", "KUMAR", "+919876543210", "919876543210", "9876543210", "43210", "+91 98765 43210", "(987) 654-3210",
    "asha rao", "ASHA@EXAMPLE.COM", "9811122233", "+919811122233", "+91 98111-22233", "elijah", "elijah@example",
    "7974711818", "91 79747 11818",
    "annual plan", "wants the",
])
def test_the_key_is_found_in_every_searchable_field(key):
    assert log_search.matches_key(SESSION, LOG, key)


@pytest.mark.parametrize("key", ["meera", "9876543211", "+44 98765", "monthly", "asha@example.org", "_cm"])
def test_other_keys_are_not_found(key):
    assert not log_search.matches_key(SESSION, LOG, key)


def test_a_blank_key_matches_every_log_even_an_empty_one():
    assert log_search.matches_key({}, {}, "")


# --- selection ---------------------------------------------------------------------------------------
def session(n: int, state: str = "ended", su: int = 1) -> dict:
    return {"id": f"{n:016x}", "state": state, "started_at": f"2025-07-0{1 + n // 10}T10:00:0{n % 10}.000000Z",
            "comments": [], "su": su}


def render(s: dict) -> dict:
    return {"_ai": s["id"], "_su": s["su"], "_cm": "", "_cl": "+919876543210", "_cr": "9876543210"}


SESSIONS = Store().seed("c1", {"calls": [session(n, su=1 + n % 2) for n in range(30)]
                                + [session(40, state="answered")]})["calls"]


def epoch_of(n: int) -> int:
    from mock_server.domain.call_log import epoch
    return epoch(session(n)["started_at"])


def test_only_finished_calls_newest_first():
    page = log_search.search(SESSIONS, Query(size=100), render, render)
    assert page.total == 30
    assert [log["_ai"] for log in page.logs] == [f"{n:016x}" for n in range(29, -1, -1)]


def test_the_window_is_inclusive_on_the_call_s_start():
    page = log_search.search(SESSIONS, Query(start=epoch_of(3), end=epoch_of(7), size=100), render, render)
    assert [log["_ai"] for log in page.logs] == [f"{n:016x}" for n in (7, 6, 5, 4, 3)]
    assert log_search.search(SESSIONS, Query(start=epoch_of(29) + 1), render, render).total == 0
    assert log_search.search(SESSIONS, Query(end=epoch_of(0)), render, render).total == 1


def test_paging_offsets():
    pages = [log_search.search(SESSIONS, Query(offset=o, size=12), render, render) for o in (0, 12, 24, 30, 99)]
    assert [len(p.logs) for p in pages] == [12, 12, 6, 0, 0] and {p.total for p in pages} == {30}
    assert [log["_ai"] for p in pages for log in p.logs] == [f"{n:016x}" for n in range(29, -1, -1)]


def test_filters_and_key_apply_to_the_rendering():
    query = parse_query({"filters": "13", "page_size": 100})
    page = log_search.search(SESSIONS, query, render, render)
    assert page.total == 15 and all(log["_su"] == 2 for log in page.logs)
    assert log_search.search(SESSIONS, parse_query({"search_key": "nobody"}), render, render).total == 0


def test_the_body_is_the_total_and_the_page_s_hits_without_paging_values():
    page = log_search.search(SESSIONS, Query(offset=28, size=5), render, render)
    assert log_search.body(page, lambda log: {"hit": log["_ai"]}) == {"status": "success", "code": 200, "data": {
        "total": 30, "hits": [{"hit": "0000000000000001"}, {"hit": "0000000000000000"}]}}
