"""Pagination links and the shared JSON parser (mock_server/http.py)."""

import pytest

from mock_server.errors import DRF_INVALID, ApiError
from mock_server.http import EMPTY, Json, parse_json


def test_next_links_keep_repeated_query_parameters(client, tenant):
    url = "/chat/templates?category=marketing&category=utility&limit=2"
    first = client.get(url, headers=tenant.headers).json()["data"]
    seen, page = [], first
    while True:
        seen += [t["id"] for t in page["results"]]
        if not page["next"]:
            break
        assert "category=marketing" in page["next"] and "category=utility" in page["next"]
        page = client.get(page["next"], headers=tenant.headers).json()["data"]
    assert len(seen) == len(set(seen)) == first["count"] == 9


@pytest.mark.parametrize("raw", [b"NaN", b'{"a": Infinity}', b'{"a": 1e400}', b'{"a": ' + b"9" * 4400 + b"}",
                                 b'"\\ud83d"', b"\xff", b"[" * 50_000])
def test_the_parser_refuses_what_strict_json_does_not_allow(raw):
    with pytest.raises(ApiError) as refused:
        parse_json(raw, DRF_INVALID)
    assert refused.value.status == 400 and "non_field_errors" in refused.value.body["errors"]


def test_the_parser_accepts_valid_json_and_tells_empty_from_null():
    assert parse_json(b" ", DRF_INVALID) is EMPTY
    assert parse_json(b"null", DRF_INVALID) is None
    assert parse_json('{"a": "\\ud83d\\ude00 é", "b": 1.5, "c": 12345678901234567890123}'.encode(), DRF_INVALID) == \
        {"a": "😀 é", "b": 1.5, "c": 12345678901234567890123}


def test_responses_render_integers_beyond_64_bits():
    assert Json({"n": 10 ** 30}).body == b'{"n":1000000000000000000000000000000}'
    assert Json({"s": "é"}).body == '{"s":"é"}'.encode()
