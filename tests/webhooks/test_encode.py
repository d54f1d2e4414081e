"""The webhook encoders: exact bytes for each content type and format, the documented
``myoperator=<json>`` rendering of the call logs, and round trips through decode_form."""

from __future__ import annotations

import email.policy
import json
from email.parser import BytesParser
from urllib.parse import parse_qsl

import orjson
import pytest
from hypothesis import given, settings, strategies as st

from mock_server.webhooks.encode import CONTENT_TYPES, FORM, FORMATS, JSON, MULTIPART, decode_form, encode
from tests.support import webhook_examples

EXAMPLES = webhook_examples("call")

AFTER_CALL = next(e["body"] for e in EXAMPLES if e["schema"] == "legacy.call_log" and e["title"] == "JSON")
SMALL = {"event_id": "event-1", "event_sequence": 2, "ok": True, "direction": None,
         "payload": {"legs": [{"leg_index": 1, "name": "Ünï \"A\" & B"}], "tags": [], "extra": {}, "ratio": 0.4}}


def test_json_is_the_body_itself_in_utf8():
    body, content_type = encode(SMALL, JSON, "envelope")
    assert content_type == "application/json"
    assert body == ('{"event_id":"event-1","event_sequence":2,"ok":true,"direction":null,"payload":{"legs":'
                    '[{"leg_index":1,"name":"Ünï \\"A\\" & B"}],"tags":[],"extra":{},"ratio":0.4}}').encode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_json_is_the_same_for_every_format(fmt):
    assert encode(AFTER_CALL, JSON, fmt) == (orjson.dumps(AFTER_CALL), JSON)


@pytest.mark.parametrize("fmt", ["envelope", "legacy_whatsapp"])
def test_urlencoded_names_nested_fields_in_brackets(fmt):
    body, content_type = encode(SMALL, FORM, fmt)
    assert content_type == "application/x-www-form-urlencoded"
    assert body == (b"event_id=event-1&event_sequence=2&ok=true&direction="
                    b"&payload%5Blegs%5D%5B0%5D%5Bleg_index%5D=1"
                    b"&payload%5Blegs%5D%5B0%5D%5Bname%5D=%C3%9Cn%C3%AF+%22A%22+%26+B"
                    b"&payload%5Btags%5D=&payload%5Bextra%5D=&payload%5Bratio%5D=0.4")
    assert parse_qsl(body.decode("ascii"))[3:5] == [("payload[legs][0][leg_index]", "1"),
                                                     ("payload[legs][0][name]", 'Ünï "A" & B')]


@pytest.mark.parametrize("fmt", ["envelope", "legacy_whatsapp"])
def test_multipart_sends_one_part_per_field(fmt):
    body, content_type = encode({"event_id": "event-1", "payload": {"legs": [{"name": "Ünï"}], "ok": False}},
                                MULTIPART, fmt)
    assert content_type == "multipart/form-data; boundary=myoperator-mock-0000"
    assert body == ("--myoperator-mock-0000\r\n"
                    'Content-Disposition: form-data; name="event_id"\r\n\r\n'
                    "event-1\r\n"
                    "--myoperator-mock-0000\r\n"
                    'Content-Disposition: form-data; name="payload[legs][0][name]"\r\n\r\n'
                    "Ünï\r\n"
                    "--myoperator-mock-0000\r\n"
                    'Content-Disposition: form-data; name="payload[ok]"\r\n\r\n'
                    "false\r\n"
                    "--myoperator-mock-0000--\r\n").encode("utf-8")


def test_multipart_is_readable_by_an_independent_parser():
    body, content_type = encode(SMALL, MULTIPART, "envelope")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = {part.get_param("name", header="content-disposition"): part.get_payload(decode=True).decode("utf-8")
             for part in message.iter_parts()}
    assert parts == {"event_id": "event-1", "event_sequence": "2", "ok": "true", "direction": "",
                     "payload[legs][0][leg_index]": "1", "payload[legs][0][name]": 'Ünï "A" & B',
                     "payload[tags]": "", "payload[extra]": "", "payload[ratio]": "0.4"}


def test_the_boundary_is_never_part_of_the_content():
    body, content_type = encode({"note": "--myoperator-mock-0000", "myoperator-mock-0001": "x"}, MULTIPART, "envelope")
    assert content_type == "multipart/form-data; boundary=myoperator-mock-0002"
    assert body.count(b"myoperator-mock-0002") == 3
    assert decode_form(body, content_type) == {"note": "--myoperator-mock-0000", "myoperator-mock-0001": "x"}


def test_multipart_escapes_quotes_and_line_breaks_in_names_as_browsers_do():
    body, content_type = encode({'say "hi"\r\n': "v"}, MULTIPART, "envelope")
    assert b'name="say %22hi%22%0D%0A"' in body
    assert decode_form(body, content_type) == {'say "hi"\r\n': "v"}


def test_legacy_call_logs_are_one_myoperator_field_in_forms_as_documented():
    form, form_type = encode(AFTER_CALL, FORM, "legacy_call")
    assert form.startswith(b"myoperator=%7B%22_ai%22%3A%225db94c34447d2410%22") and b"&" not in form
    multipart, multipart_type = encode(AFTER_CALL, MULTIPART, "legacy_call")
    assert b'Content-Disposition: form-data; name="myoperator"\r\n\r\n{"_ai":"5db94c34447d2410"' in multipart
    for body, content_type in ((form, form_type), (multipart, multipart_type)):
        fields = decode_form(body, content_type)
        assert list(fields) == ["myoperator"]
        assert json.loads(fields["myoperator"]) == AFTER_CALL


def test_a_documented_call_log_keeps_its_empty_lists_as_empty_fields_in_forms():
    fields = decode_form(*encode(AFTER_CALL, FORM, "envelope"))
    assert fields["_cn"] == "" and fields["_tc"] == "" and fields["_ld"][0]["_tt"] == ""
    assert fields["_ld"][0]["_rr"][0]["_nr"] == "+919999999999" and fields["_ld"][0]["_wr"] == "true"
    assert fields["_drm"] == "0.4" and fields["_pm"][5] == {"ky": "ib", "vl": "1"}


def test_a_map_keyed_by_codes_stays_a_map():
    # Meta's failure codes key the errors object of message.failed; they must not read back as a list.
    body = {"payload": {"errors": {"131047": "Re-engagement message"}, "list": ["a", "b"]}}
    assert decode_form(*encode(body, FORM, "envelope")) == {
        "payload": {"errors": {"131047": "Re-engagement message"}, "list": ["a", "b"]}}


@pytest.mark.parametrize("body, content_type, message", [
    (b"a=1&a=2", FORM, "given twice"),
    (b"a=1&a[b]=2", FORM, "conflicts"),
    (b"a[b]=1&a=2", FORM, "given twice"),
    (b"%FF=1", FORM, "utf-8"),
    (b"\xff=1", FORM, "ascii"),
    (b"a" + b"[x]" * 40 + b"=1", FORM, "nested more than"),
    (b"--b\r\n\r\nvalue\r\n--b--\r\n", "multipart/form-data; boundary=b", "without a form-data name"),
    (b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue", "multipart/form-data; boundary=b",
     "closing boundary"),
    (b"", "multipart/form-data", "without a boundary"),
    (b"{}", JSON, "not a form"),
])
def test_malformed_forms_raise_value_error(body, content_type, message):
    with pytest.raises(ValueError, match=message):
        decode_form(body, content_type)


def test_unknown_formats_and_content_types_are_programming_errors():
    with pytest.raises(ValueError, match="format"):
        encode({}, JSON, "xml")
    with pytest.raises(ValueError, match="content type"):
        encode({}, "text/plain", "envelope")


# Round trips. Bracket notation cannot carry brackets in keys, and "%22"-style text in a multipart
# name reads as an escape, so generated keys avoid "[", "]" and "%".
keys = st.text(st.characters(exclude_characters="[]%", exclude_categories=("Cs",)), min_size=1, max_size=8)
scalars = (st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_like = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                         max_leaves=25)
bodies = st.dictionaries(keys, json_like, max_size=6)


def as_form_text(value):
    """What a form carries for ``value``, written from the module's rules: strings as they are,
    numbers and booleans as the JSON body writes them, null and empty containers as empty values,
    and a map keyed "0".."n-1" read back as a list."""
    if isinstance(value, list) and value:
        return [as_form_text(item) for item in value]
    if isinstance(value, dict) and value:
        if list(value) == [str(index) for index in range(len(value))]:
            return [as_form_text(item) for item in value.values()]
        return {key: as_form_text(item) for key, item in value.items()}
    if value is None or value == [] or value == {}:
        return ""
    return value if isinstance(value, str) else orjson.dumps(value).decode()


@settings(max_examples=200, deadline=None)
@given(body=bodies, content_type=st.sampled_from([FORM, MULTIPART]),
       fmt=st.sampled_from(["envelope", "legacy_whatsapp"]))
def test_forms_round_trip_to_the_stringified_body(body, content_type, fmt):
    expected = {key: as_form_text(value) for key, value in body.items()}
    assert decode_form(*encode(body, content_type, fmt)) == expected


@settings(max_examples=200, deadline=None)
@given(body=bodies, content_type=st.sampled_from(CONTENT_TYPES))
def test_legacy_call_bodies_round_trip_exactly(body, content_type):
    encoded, header = encode(body, content_type, "legacy_call")
    decoded = json.loads(encoded) if content_type == JSON else json.loads(decode_form(encoded, header)["myoperator"])
    assert decoded == body
