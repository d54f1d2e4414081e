"""The filter-expression language of Search Logs: the parser, its errors, and every filter's predicate
on legacy call logs (the deprecated AfterCall webhook's short-field hashmap)."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings, strategies as st

from mock_server.developers import filter_expr as fx
from mock_server.developers.filter_expr import And, Filter, FilterExpressionError, Or, compile, evaluate, parse, unparse

# The AfterCall webhook's documented JSON example (item 33), pasted verbatim: an incoming IVR call, missed.
AFTER_CALL = json.loads("""
{
 "_ai": "5db94c34447d2410", "_so": "1", "_ci": "5c80e49d43876264", "_cr": "9999999999", "_cm": "",
 "_cl": "+919999999999", "_cy": "91", "_se": "RJ,IN", "_ts": 1572424762, "_st": 1572424731, "_ms": 1572424731000,
 "_ss": 31131, "_et": 1572424755, "_dr": "00:00:24", "_drm": 0.4, "_ty": 1, "_ev": 1, "_fn": "", "_fu": "",
 "_ns": "0", "_su": 2, "_dn": "Sales", "_di": "5c80e49e7c772564",
 "_pm": [
  {"ky": "ui", "vl": "test.157235dw4727.994"}, {"ky": "is", "vl": "0"}, {"ky": "vt", "vl": "2"},
  {"ky": "ic", "vl": "0"}, {"ky": "ia", "vl": "0"}, {"ky": "ib", "vl": "1"}
 ],
 "_cn": [],
 "_ld": [
  {"_rr": [{"_id": "5d45a342eab18943", "_na": "Agent 1", "_em": "", "_ex": "10", "_ct": "9999999999",
            "_nr": "+919999999999"}],
   "_rst": "2019-12-04 11:22:30", "_did": "abcdef123", "_ds": "ANSWER", "_tt": [], "_su": "1",
   "_st": 1572424745, "_et": 1572424750, "_dr": "00:00:05", "_ac": "received", "_wr": true}
 ],
 "_us": [{"ky": "5d45a342eab18943", "vl": "received"}],
 "_tc": []
}
""")
DROP = object()


def log(**changes) -> dict:
    """The documented log with some fields changed (DROP removes one); ``pm_<key>`` sets a _pm flag and
    ``did`` the first leg's last caller id."""
    result = copy.deepcopy(AFTER_CALL)
    for name, value in changes.items():
        if name.startswith("pm_"):
            key = name[3:]
            result["_pm"] = [p for p in result["_pm"] if p["ky"] != key]
            if value is not DROP:
                result["_pm"].append({"ky": key, "vl": value})
        elif name == "did":
            result["_ld"][0]["_did"] = value
        elif value is DROP:
            result.pop(name, None)
        else:
            result[name] = value
    return result


OUT_IVR = {"_ev": 2, "_so": "1", "_ns": "0"}
CALLBACK = {**OUT_IVR, "_su": 1}

# id -> (changes making a matching log, changes making a log that does not match)
CASES: dict[str, tuple[list[dict], list[dict]]] = {
    "2": ([{}, {"_so": 1}, {"_so": " 1 "}], [{"_so": "2"}, {"_so": DROP}, {"_so": None}, {"_so": True}]),
    "3": ([{"_so": "2"}, {"_so": 2}], [{}, {"_so": "3"}, {"_so": DROP}, {"_so": "Mobile"}]),
    "5": ([{}, {"_ev": "1"}, {"_ev": "incoming"}, {"_ev": "Incoming"}],
          [{"_ev": 2}, {"_ev": "outgoing"}, {"_ev": DROP}]),
    "6": ([{"_ev": 2}, {"_ev": "2"}, {"_ev": "outgoing"}], [{}, {"_ev": "incoming"}, {"_ev": [2]}, {"_ev": 2.0}]),
    "8": ([{}, {"_ty": "1"}], [{"_ty": 2}, {"_ty": DROP}, {"_ty": "call"}]),
    "9": ([{"_ty": 2}, {"_ty": "2"}], [{}, {"_ty": 3}]),
    "12": ([{"_su": 1}, {"_su": "1"}], [{}, {"_su": 3}, {"_su": DROP}]),
    "13": ([{}, {"_su": "2"}], [{"_su": 1}, {"_su": 3}, {"_su": "missed"}]),
    "14": ([{"_su": 3}, {"_su": "3"}], [{}, {"_su": 1}, {"_su": 4}]),
    "22": ([{"pm_ic": "1"}, {"pm_ic": 1}], [{}, {"pm_ic": DROP}, {"pm_ic": "yes"}, {"_pm": DROP}, {"_pm": "ic=1"}]),
    "23": ([{"pm_ia": "1"}, {"pm_ia": 1}], [{}, {"pm_ia": DROP}, {"pm_ic": "1"}]),
    "24": ([{"pm_is": "1"}], [{}, {"pm_is": DROP}, {"pm_ia": "1", "pm_ic": "1"}]),
    "39": ([{}, {"pm_ic": DROP}, {"_pm": DROP}, {"pm_ia": "1"}], [{"pm_ic": "1"}, {"pm_ic": 1}]),
    "26": ([{}], [{"_ev": 2}, {"_so": "2"}]),
    "27": ([{"_so": "2"}], [{}, {"_so": "2", "_ev": 2}]),
    "28": ([{"_ev": 2}], [{}, {"_ev": 2, "_so": "2"}]),
    "29": ([{"_ev": 2, "_so": "2"}], [{"_ev": 2}, {"_so": "2"}]),
    "30": ([{}, {"_ty": "1", "_ev": "incoming"}], [{"_ty": 2}, {"_ev": 2}]),
    "31": ([{"_ty": 2}], [{}, {"_ty": 2, "_ev": 2}]),
    "33": ([{"_ev": 2}], [{}, {"_ev": 2, "_ty": 2}]),
    "34": ([{"_ev": 2, "_ty": 2}], [{"_ev": 2}, {"_ty": 2}]),
    "37": ([{"_su": 1}], [{}, {"_su": 1, "_ev": 2}, {"_su": 1, "_ty": 2}]),
    "38": ([{}], [{"_su": 1}, {"_ev": 2}, {"_ty": 2}]),
    "40": ([{"_ns": "1"}, {"_ns": 1}], [{}, {"_ns": "2"}, {"_ns": DROP}]),
    "41": ([{"_ns": "2"}, {"_ns": 2}], [{}, {"_ns": "1"}, {"_ns": "3"}]),
    "42": ([CALLBACK, {**CALLBACK, "_ns": DROP}, {**CALLBACK, "_so": "2", "_su": 2}],
           [{}, {**CALLBACK, "did": ""}, {**CALLBACK, "did": "  "}, {**CALLBACK, "did": None}, {**CALLBACK, "_ld": []},
            {**CALLBACK, "_ns": "1"}, {**CALLBACK, "_ns": "2"}, {**CALLBACK, "_ns": "3"}, {**CALLBACK, "_ty": 2},
            {**CALLBACK, "_ev": 1}]),
}


# --- the list -------------------------------------------------------------------------------------

def test_the_selectable_filters_and_the_categories():
    assert fx.PARENTS == ("1", "4", "7", "11", "15", "21", "25", "36")
    assert set(fx.SELECTABLE) == set(CASES) and len(fx.SELECTABLE) == 26
    assert fx.CHILDREN["15"] == ("40", "41", "42") and fx.CHILDREN["21"] == ("22", "23", "24", "39")
    assert fx.filters_body() is not fx.filters_body() and fx.filters_body()["filters"][6]["name"] == " Type of logs "


# --- parsing --------------------------------------------------------------------------------------

def F(*ids):
    return [Filter(i) for i in ids]


@pytest.mark.parametrize("text, tree", [
    ("12", Filter("12")),
    ("12 AND (5 OR 8)", And((Filter("12"), Or(tuple(F("5", "8")))))),  # the documented example
    ("2 OR 3", Or(tuple(F("2", "3")))),
    ("2 AND 4", And(tuple(F("2", "4")))),  # a category, as the docs combine them
    ("1 OR 2 AND 3", Or((Filter("1"), And(tuple(F("2", "3")))))),  # AND binds tighter
    ("1 AND 2 OR 3", Or((And(tuple(F("1", "2"))), Filter("3")))),
    ("(1 OR 2) AND 3", And((Or(tuple(F("1", "2"))), Filter("3")))),
    ("5 and 8 And 12 aNd 13", And(tuple(F("5", "8", "12", "13")))),
    ("5 or 6 OR 9", Or(tuple(F("5", "6", "9")))),
    ("  \t12\nAND\r\n( 5   OR 8 )  ", And((Filter("12"), Or(tuple(F("5", "8")))))),
    ("12AND(5OR8)", And((Filter("12"), Or(tuple(F("5", "8")))))),
    ("((((12))))", Filter("12")),
    ("012 OR 0005", Or(tuple(F("12", "5")))),
    ("(2 AND 3) AND 4", And((And(tuple(F("2", "3"))), Filter("4")))),
    ("(" * 50 + "42" + ")" * 50, Filter("42")),
    (12, Filter("12")),
])
def test_good_expressions(text, tree):
    assert parse(text) == tree
    assert parse(unparse(tree)) == tree


@pytest.mark.parametrize("text, position, reason", [
    ("", 1, "the expression is empty; combine filter ids with AND, OR and parentheses, e.g. 12 AND (5 OR 8)"),
    (" \t\n ", 1, "the expression is empty; combine filter ids with AND, OR and parentheses, e.g. 12 AND (5 OR 8)"),
    ("99", 1, "unknown filter id 99 (GET /search/filters lists the filter ids)"),
    ("12 AND 10", 8, "unknown filter id 10 (GET /search/filters lists the filter ids)"),
    ("0", 1, "unknown filter id 0 (GET /search/filters lists the filter ids)"),
    ("1" * 60, 1, "unknown filter id " + "1" * 37 + "... (GET /search/filters lists the filter ids)"),
    ("12 AND", 7, "expected a filter id or '(' after 'AND', found the end of the expression"),
    ("12 or ", 7, "expected a filter id or '(' after 'or', found the end of the expression"),
    ("AND 12", 1, "expected a filter id or '(' at the start of the expression, found 'AND'"),
    ("12 AND OR 5", 8, "expected a filter id or '(' after 'AND', found 'OR'"),
    ("12 AND (OR 5)", 9, "expected a filter id or '(' after '(', found 'OR'"),
    ("()", 2, "expected a filter id or '(' after '(', found ')'"),
    (")", 1, "expected a filter id or '(' at the start of the expression, found ')'"),
    ("12 AND (5 OR 8", 8, "this '(' is never closed"),
    ("((12) AND 5", 1, "this '(' is never closed"),
    ("12 AND (5 OR 8))", 16, "')' has no matching '('"),
    ("12)", 3, "')' has no matching '('"),
    ("12 5", 4, "missing AND or OR before filter id 5"),
    ("(12 5)", 5, "missing AND or OR before filter id 5"),
    ("12 (5)", 4, "missing AND or OR before '('"),
    ("(12)(5)", 5, "missing AND or OR before '('"),
    ("NOT 12", 1, "unknown word 'NOT': the only operators are AND and OR"),
    ("12 XOR 5", 4, "unknown word 'XOR': the only operators are AND and OR"),
    ("12 ANDOR 5", 4, "unknown word 'ANDOR': the only operators are AND and OR"),
    ("12 && 5", 4, "unexpected character '&'"),
    ("12 | 5", 4, "unexpected character '|'"),
    ("12,5", 3, "unexpected character ','"),
    ("12 AND -5", 8, "unexpected character '-'"),
    ("12 AND \x00", 8, "unexpected character U+0000"),
    ("१२", 1, "unexpected character '१'"),  # only ASCII digits are ids
    ("ÁND", 1, "unexpected character 'Á'"),
    ("(" * 51 + "42" + ")" * 51, 51, "parentheses nest deeper than 50 levels"),
    ("12 OR " * 200, 1001, "the expression is 1200 characters long; the limit is 1000"),
    (None, 1, "the expression must be a string such as 12 AND (5 OR 8)"),
    (["12"], 1, "the expression must be a string such as 12 AND (5 OR 8)"),
    (True, 1, "the expression must be a string such as 12 AND (5 OR 8)"),
])
def test_bad_expressions(text, position, reason):
    with pytest.raises(FilterExpressionError) as caught:
        parse(text)
    assert (caught.value.position, caught.value.reason) == (position, reason)
    assert str(caught.value) == f"Invalid filter expression at position {position}: {reason}"


def test_the_leftmost_error_is_reported():
    with pytest.raises(FilterExpressionError) as caught:
        parse("12 AND AND 5 @")
    assert caught.value.position == 8


def test_exactly_1000_characters_is_allowed():
    text = "12" + " " * 994 + "OR 5"
    assert len(text) == 1000 and parse(text) == Or(tuple(F("12", "5")))


def test_a_long_flat_chain_is_no_deep_tree():
    tree = parse(" OR ".join(["12"] * 150))
    assert isinstance(tree, Or) and len(tree.operands) == 150


# --- the predicates -------------------------------------------------------------------------------

def test_the_documented_example_log_matches_exactly_these_filters():
    matching = {i for i in fx.SELECTABLE if evaluate(Filter(i), AFTER_CALL)}
    assert matching == {"2", "5", "8", "13", "39", "26", "30", "38"}


@pytest.mark.parametrize("filter_id", sorted(CASES, key=int))
def test_each_filter_matches_its_logs_and_no_others(filter_id):
    matching, other = CASES[filter_id]
    predicate = compile(filter_id)
    for changes in matching:
        assert predicate(log(**changes)) is True, changes
    for changes in other:
        assert predicate(log(**changes)) is False, changes


def test_the_pm_pairs_may_be_written_with_underscored_keys_or_as_a_map():
    assert compile("22")(log(_pm=[{"_ky": "ic", "_vl": "1"}]))
    assert compile("24")(log(_pm={"is": "1"}))
    assert not compile("24")(log(_pm={"is": "0"}))


@pytest.mark.parametrize("parent", fx.PARENTS)
def test_a_category_means_any_of_its_children(parent):
    children = fx.CHILDREN[parent]
    as_or = parse(" OR ".join(children))
    for changes in [c for cases in CASES.values() for group in cases for c in group]:
        sample = log(**changes)
        assert evaluate(Filter(parent), sample) == evaluate(as_or, sample)


def test_the_documented_examples_select_what_they_say():
    incoming_ivr_missed = AFTER_CALL
    assert compile("12 AND (5 OR 8)")(log(_su=1))
    assert not compile("12 AND (5 OR 8)")(incoming_ivr_missed)
    assert compile("2 OR 3")(log(_so="2")) and not compile("2 OR 3")(log(_so=DROP))
    assert compile("2 AND 4")(incoming_ivr_missed) and not compile("2 AND 4")(log(_ev=DROP))


@pytest.mark.parametrize("junk", [None, [], "log", 12, {"_pm": [None, 1, "x", {"ky": []}]}, {"_ld": "x"},
                                  {"_ld": [None, {"_did": 5}]}, {"_so": {"x": 1}, "_ns": "9" * 5000}])
def test_malformed_logs_match_nothing_and_never_raise(junk):
    for filter_id in fx.SELECTABLE:
        assert compile(filter_id)(junk) is (filter_id == "39")  # Unnoted: a log without the ic flag


def test_evaluate_rejects_what_is_not_a_tree():
    with pytest.raises(TypeError):
        evaluate("12", AFTER_CALL)


# --- properties -----------------------------------------------------------------------------------

# The filters' meaning, restated independently over the canonical field forms the random logs use.
ORACLE = {
    "2": lambda l: l["_so"] == "1", "3": lambda l: l["_so"] == "2",
    "5": lambda l: l["_ev"] == 1, "6": lambda l: l["_ev"] == 2,
    "8": lambda l: l["_ty"] == 1, "9": lambda l: l["_ty"] == 2,
    "12": lambda l: l["_su"] == 1, "13": lambda l: l["_su"] == 2, "14": lambda l: l["_su"] == 3,
    "22": lambda l: pm(l, "ic") == "1", "23": lambda l: pm(l, "ia") == "1", "24": lambda l: pm(l, "is") == "1",
    "39": lambda l: pm(l, "ic") != "1",
    "26": lambda l: l["_ev"] == 1 and l["_so"] == "1", "27": lambda l: l["_ev"] == 1 and l["_so"] == "2",
    "28": lambda l: l["_ev"] == 2 and l["_so"] == "1", "29": lambda l: l["_ev"] == 2 and l["_so"] == "2",
    "30": lambda l: l["_ev"] == 1 and l["_ty"] == 1, "31": lambda l: l["_ev"] == 1 and l["_ty"] == 2,
    "33": lambda l: l["_ev"] == 2 and l["_ty"] == 1, "34": lambda l: l["_ev"] == 2 and l["_ty"] == 2,
    "37": lambda l: l["_ev"] == 1 and l["_su"] == 1 and l["_ty"] == 1,
    "38": lambda l: l["_ev"] == 1 and l["_su"] == 2 and l["_ty"] == 1,
    "40": lambda l: l["_ns"] == "1", "41": lambda l: l["_ns"] == "2",
    "42": lambda l: l["_ev"] == 2 and l["_ty"] == 1 and l["_ns"] == "0" and l["_ld"][0]["_did"] != "",
}


def pm(entry: dict, key: str) -> str | None:
    return next((p["vl"] for p in entry["_pm"] if p["ky"] == key), None)


def brute(tree, entry: dict) -> bool:
    kind, content = tree
    if kind == "id":
        children = fx.CHILDREN.get(content)
        if children:
            result = False
            for child in children:
                result = result or ORACLE[child](entry)
            return result
        return ORACLE[content](entry)
    result = kind == "and"
    for child in content:
        result = (result and brute(child, entry)) if kind == "and" else (result or brute(child, entry))
    return result


legacy_logs = st.builds(
    lambda so, ev, ty, su, ns, ic, ia, star, did: log(_so=so, _ev=ev, _ty=ty, _su=su, _ns=ns, pm_ic=ic, pm_ia=ia,
                                                      pm_is=star, did=did),
    st.sampled_from(["1", "2"]), st.sampled_from([1, 2]), st.sampled_from([1, 2]), st.sampled_from([1, 2, 3]),
    st.sampled_from(["0", "1", "2", "3"]), st.sampled_from(["0", "1"]), st.sampled_from(["0", "1"]),
    st.sampled_from(["0", "1"]), st.sampled_from(["", "abcdef123"]))

trees = st.recursive(
    st.tuples(st.just("id"), st.sampled_from(fx.SELECTABLE + fx.PARENTS)),
    lambda inner: st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3)),
    max_leaves=12)

spaces = st.sampled_from(["", " ", " ", "  ", "\t", "\n", " \r\n "])


@st.composite
def printed(draw, tree) -> str:
    """The tree as text: parentheses where precedence needs them, plus random redundant ones, random
    spacing and random keyword case."""
    kind, content = tree
    if kind == "id":
        text = draw(st.sampled_from(["", "0", "00"])) + content
    else:
        parts = []
        for child in content:
            inner = draw(printed(child))
            if kind == "and" and child[0] == "or":
                inner = f"({draw(spaces)}{inner}{draw(spaces)})"
            parts.append(inner)
        keyword = "".join(c.upper() if draw(st.booleans()) else c for c in kind)
        text = parts[0]
        for part in parts[1:]:
            text += f"{draw(spaces)}{keyword}{draw(spaces)}{part}"
    for _ in range(draw(st.integers(0, 2))):
        text = f"({draw(spaces)}{text}{draw(spaces)})"
    return text


@settings(max_examples=100, deadline=None)
@given(data=st.data(), tree=trees, entries=st.lists(legacy_logs, min_size=1, max_size=8))
def test_parsing_then_evaluating_equals_brute_force_on_the_tree(data, tree, entries):
    text = data.draw(printed(tree))
    if len(text) > fx.MAX_LENGTH:
        return
    parsed = parse(text)
    predicate = compile(text)
    for entry in entries:
        assert evaluate(parsed, entry) == predicate(entry) == brute(tree, entry), (text, entry)
    assert parse(unparse(parsed)) == parsed


junk_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from(list("()0123456789 ANDORandor\t\n&|!-,x")), max_size=60),
    st.lists(st.sampled_from(["(", ")", "AND", "OR", "12", "5", "99", "0", " ", "not", "(("]), max_size=20)
    .map("".join),
)


@settings(max_examples=100, deadline=None)
@given(text=junk_text, entry=legacy_logs)
def test_junk_never_raises_anything_but_a_filter_expression_error(text, entry):
    try:
        tree = parse(text)
    except FilterExpressionError as error:
        assert 1 <= error.position <= len(text) + 1
        assert str(error).startswith(f"Invalid filter expression at position {error.position}: ")
        return
    assert isinstance(evaluate(tree, entry), bool)
    assert parse(unparse(tree)) == tree
