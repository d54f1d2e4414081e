"""The User APIs' pure rules: parameter parsing, whole-user checks, uniqueness, paging and rendering."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import fixtures
from mock_server.developers import render
from mock_server.developers import user_rules as rules
from mock_server.refusals import Refusal
from mock_server.services import users as user_book

NOW, LATER = "2025-07-15T10:00:00.000000Z", "2025-07-15T11:00:00.000000Z"
BASE = {"name": "Asha", "contact_number": "9876543210", "country_code": "91", "extension": "21"}


def user(**changes) -> dict:
    values = rules.clean({**BASE, **changes}, creating=True)
    return user_book.new_user(values, "a" * 16, "123456789012", "c" * 16, NOW)


def errors_of(call) -> dict:
    with pytest.raises(Refusal) as caught:
        call()
    return caught.value.fields


# --- parsing parameters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value, given", [(None, False), ("", False), ("  ", False), ("0", True), (0, True),
                                          (False, True), ("x", True), ([], True)])
def test_empty_strings_and_null_mean_not_given(value, given):
    assert rules.given({"p": value}, "p") is given
    assert rules.given({}, "p") is False


@pytest.mark.parametrize("value, number", [("12", 12), (" 12 ", 12), (12, 12), (12.0, 12), ("+3", 3), ("-3", -3),
                                           (True, None), ("1.5", None), (1.5, None), ("1e3", None), ("", None),
                                           ("9" * 19, None), ([1], None), (float("inf"), None)])
def test_parse_int(value, number):
    assert rules.parse_int(value) == number


def test_clean_maps_parameters_to_document_fields():
    values = rules.clean({**BASE, "country_code": "+91", "extension": 21, "email": " a@b.co ", "contact_type": "SIP",
                          "alternate_contact_number": "9811100000", "alternate_cc": "91", "panel_access": "2",
                          "receive_calls": 2, "unknown": "ignored", "token": "t"}, creating=True)
    assert values == {"name": "Asha", "contact_number": "9876543210", "country_code": "91", "extension": 21,
                      "email": "a@b.co", "alternate_number": "9811100000", "alternate_cc": "91", "panel_access": 2,
                      "receive_calls": 2, "contact_type": "sip"}


def test_clean_for_an_update_requires_nothing():
    assert rules.clean({}, creating=False) == {}
    assert rules.clean({"name": "", "email": None}, creating=False) == {}


def test_errors_are_keyed_by_parameter_in_documented_order():
    assert list(errors_of(lambda: rules.clean({"contact_type": "x", "panel_access": "5"}, creating=True))) == \
        ["name", "contact_number", "country_code", "extension", "panel_access", "contact_type"]


@pytest.mark.parametrize("extension, ok", [(0, False), (1, True), (11, True), (99, True), (9999, True),
                                           (10000, False), (-5, False)])
def test_extension_range(extension, ok):
    if ok:
        assert rules.clean({"extension": extension}, creating=False) == {"extension": extension}
    else:
        assert errors_of(lambda: rules.clean({"extension": extension}, creating=False)) == {
            "extension": [rules.EXTENSION]}


# --- a user as a whole ----------------------------------------------------------------------------------
def test_new_user_defaults():
    doc = user()
    assert (doc["role_id"], doc["role"], doc["panel_access"], doc["receive_calls"], doc["contact_type"]) == \
        (8, "agent", 1, 1, "mobile")
    assert doc["created"] == doc["modified"] == NOW and doc["department_ids"] == []
    assert doc["is_active"] and doc["is_enabled"] and doc["is_available"]


def test_new_user_has_the_fixture_users_fields():
    fixture = fixtures.generate(1)["tenants"][0]["state"]["users"][0]
    assert set(user()) == set(fixture)


@pytest.mark.parametrize("cc, number, kind, problem", [
    ("91", "9876543210", "mobile", None),
    ("91", "987654321", "mobile", "contact_number must have 10 digits for country code 91"),
    ("91", "987654321", "landline", "contact_number must have 10 digits for country code 91"),
    ("91", "4021", "sip", None),
    ("1", "4155550100", "mobile", None),
    ("44", "207123", "landline", None),
    ("44", "123", "mobile", "contact_number must have 4 to 15 digits"),
    ("1234", "12345678901234", "mobile", "contact_number with its country code must not exceed 15 digits"),
])
def test_phone_rules(cc, number, kind, problem):
    doc = {**user(), "country_code": cc, "contact_number": number, "contact_type": kind}
    if problem is None:
        user_book.check_user(doc)
    else:
        assert errors_of(lambda: user_book.check_user(doc)) == {"contact_number": [problem]}


def test_alternate_rules():
    doc = user()
    assert errors_of(lambda: user_book.check_user({**doc, "alternate_cc": "91"})) == {
        "alternate_cc": [user_book.ALT_CC_ALONE]}
    same = {**doc, "alternate_cc": "91", "alternate_number": "9876543210", "alternate_contact_type": "mobile"}
    assert errors_of(lambda: user_book.check_user(same)) == {"alternate_contact_number": [user_book.ALT_SAME]}
    user_book.check_user({**same, "alternate_cc": "44"})


def test_uniqueness_ignores_the_user_itself_alternates_and_empty_numbers():
    me = user()
    anonymous = {**user(), "id": "b" * 16, "extension": 0, "contact_number": "", "country_code": "91"}
    alternate_twin = {**user(), "id": "d" * 16, "extension": 22, "contact_number": "9000000000",
                      "alternate_cc": "91", "alternate_number": me["contact_number"]}
    user_book.ensure_unique([me, anonymous, alternate_twin], me)
    user_book.ensure_unique([anonymous], {**me, "contact_number": ""} | {"extension": 5})
    clash = {**user(), "id": "e" * 16}
    assert errors_of(lambda: user_book.ensure_unique([me], clash)) == {
        "contact_number": [user_book.CONTACT_TAKEN], "extension": ["extension 21 is already assigned to another user"]}
    user_book.ensure_unique([me], {**clash, "country_code": "44", "extension": 23})


def test_updated_user_moves_modified_only_on_a_change():
    doc = user()
    assert user_book.updated_user(doc, {}, LATER) == doc
    assert user_book.updated_user(doc, {"name": "Asha"}, LATER) == doc
    changed = user_book.updated_user(doc, {"name": "Bela", "receive_calls": 2}, LATER)
    assert changed == {**doc, "name": "Bela", "receive_calls": 2, "role": "no_calls", "modified": LATER}
    assert doc["name"] == "Asha"  # the original is untouched


def test_updated_user_keeps_a_manager_s_label():
    manager = {**user(), "role_id": 4, "role": "manager"}
    assert user_book.updated_user(manager, {"receive_calls": 2}, LATER)["role"] == "manager"


# --- listing ------------------------------------------------------------------------------------------
def test_matches():
    doc = {**user(), "name": "Meera Nair", "email": "meera@Example.com"}
    for keyword in ("", "  ", "meera", "NAIR", "example.COM", "98765", "919876543210", "+919876543210", "+91"):
        assert user_book.matches(doc, keyword), keyword
    for keyword in ("zed", "+19876543210", "9876543210x"):
        assert not user_book.matches(doc, keyword), keyword
    assert not user_book.matches({**doc, "contact_number": ""}, "+91")


def test_in_order_is_oldest_first_then_by_id():
    a, b, c = ({**user(), "id": i, "created": t} for i, t in (("b", NOW), ("a", NOW), ("c", "2024-01-01")))
    assert [u["id"] for u in user_book.in_order([a, b, c])] == ["c", "a", "b"]


@pytest.mark.parametrize("value, expected", [(None, False), ("", False), ("1", True), (1, True), (True, True),
                                             ("TRUE", True), ("0", False), (0, False), (False, False),
                                             ("no", False)])
def test_wants_all(value, expected):
    assert rules.wants_all({"_all": value}) is expected


@pytest.mark.parametrize("value", ["2", "maybe", [1], 1.5])
def test_wants_all_refuses_other_values(value):
    assert errors_of(lambda: rules.wants_all({"_all": value})) == {"_all": [rules.ALL_FLAG]}


@pytest.mark.parametrize("total, page, size, links", [
    (0, 1, 20, ("", "")), (9, 1, 20, ("", "")), (9, 1, 4, ("2", "")), (9, 2, 4, ("3", "1")), (9, 3, 4, ("", "2")),
    (8, 2, 4, ("", "1")), (9, 9, 4, ("", "3")), (0, 5, 20, ("", "1")),
])
def test_page_links(total, page, size, links):
    assert rules.page_links(total, page, size) == links


@settings(max_examples=100, deadline=None)
@given(total=st.integers(0, 500), size=st.integers(1, 100))
def test_following_next_page_visits_every_page_once(total, size):
    page, pages = 1, []
    while True:
        pages.append(page)
        next_page, prev_page = rules.page_links(total, page, size)
        assert prev_page == ("" if page == 1 else str(page - 1))
        if not next_page:
            break
        page = int(next_page)
    assert len(pages) == max(1, -(-total // size))


def test_render_types():
    doc = {**user(), "is_active": False, "is_available": False, "alternate_number": "9811100000"}
    rendered = render.user(doc)
    assert list(rendered) == ["user_id", "uuid", "company_id", "name", "email", "extension", "contact_number",
                              "contact_type", "alternate_number", "alternate_contact_type", "role_id", "is_active",
                              "is_enabled", "is_available"]
    assert (rendered["extension"], rendered["role_id"], rendered["is_active"], rendered["is_enabled"],
            rendered["is_available"]) == ("21", "8", "0", "1", 0)
