"""Where the developers API takes its parameters: the query string, a JSON body (values as strings), a
urlencoded form or multipart/form-data (PHP's curl), PHP's bracket names; the body wins; bad bodies are 400s."""

from __future__ import annotations

import pytest

from mock_server.developers.params import NestingError, php_fields
from tests.developers.support import token, unauthorized, valid
from tests.support import ctx_of

ERROR = "developers/error"
BOUNDARY = "------------------------d74496d66958873e"  # as curl writes one


def multipart(fields: list[tuple[str, str]], boundary: str = BOUNDARY, files=()) -> bytes:
    """A body as PHP's curl sends an array CURLOPT_POSTFIELDS."""
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
              f'Content-Type: application/octet-stream\r\n\r\n'.encode() + content + b"\r\n"
              for name, filename, content in files]
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def post_multipart(client, path, body: bytes, boundary: str = BOUNDARY, query=None):
    return client.post(path, content=body, params=query,
                       headers={"content-type": f"multipart/form-data; boundary={boundary}"})


def bad_request(r, message_part: str) -> None:
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 400 and message_part in r.json()["message"], r.json()
    valid(ERROR, r.json())


def test_the_token_and_parameters_in_multipart_form_data(client, tenant):
    r = post_multipart(client, "/search", multipart([("token", token(tenant)), ("log_from", "2"), ("page_size", "3")]))
    assert r.status_code == 200, r.text
    every = client.post("/search", json={"token": token(tenant), "page_size": "100"}).json()["data"]["hits"]
    assert r.json()["data"]["hits"] == every[2:5]  # the answer carries no paging values: the hits say it


def test_a_multipart_file_part_is_not_a_parameter(client, tenant):
    body = multipart([("page_size", "1")], files=[("token", "token.txt", token(tenant).encode())])
    unauthorized(post_multipart(client, "/search", body))  # PHP keeps a file out of $_POST
    body = multipart([("token", token(tenant)), ("page_size", "1")], files=[("upload", "x.bin", b"\x00\xff" * 10)])
    assert post_multipart(client, "/search", body).status_code == 200


def test_json_values_as_strings_as_the_live_poller_sends_them(client, tenant):
    r = client.post("/search", json={"token": token(tenant), "from": "0", "to": "4102444800", "log_from": "0",
                                     "page_size": "100"})
    assert r.status_code == 200 and len(r.json()["data"]["hits"]) == 100


@pytest.mark.parametrize("send", ["json", "form", "multipart"])
def test_the_body_wins_over_the_query_string(client, tenant, send):
    query = {"token": "nope", "page_size": "7"}
    body = {"token": token(tenant), "page_size": "2"}
    if send == "json":
        r = client.post("/search", params=query, json=body)
    elif send == "form":
        r = client.post("/search", params=query, data=body)
    else:
        r = post_multipart(client, "/search", multipart(list(body.items())), query=query)
    assert r.status_code == 200, r.text
    assert len(r.json()["data"]["hits"]) == 2


def test_the_query_string_fills_what_the_body_leaves_out(client, tenant):
    r = post_multipart(client, "/search", multipart([("page_size", "4")]), query={"token": token(tenant)})
    assert (r.status_code, len(r.json()["data"]["hits"])) == (200, 4)


@pytest.mark.parametrize("content_type, body, message", [
    ("multipart/form-data", multipart([("token", "x")]), "gives no boundary"),
    (f"multipart/form-data; boundary={BOUNDARY}", multipart([("token", "x")])[:-30], "ended before the closing"),
    (f"multipart/form-data; boundary={BOUNDARY}", b"garbage, not a multipart body", "Multipart form parse error"),
    (f"multipart/form-data; boundary={BOUNDARY}", multipart([("token", "x")]).replace(b"\r\nx\r\n", b"\r\n\xff\r\n"),
     "not UTF-8"),
    ("application/x-www-form-urlencoded", b"token=\xff\xfe", "neither JSON nor a UTF-8 form"),
    ("application/json", b"{not json", "JSON parse error"),
    ("application/json", b'["token"]', "Expected a JSON object"),
])
def test_a_malformed_body_is_a_400_in_the_developers_body(client, content_type, body, message):
    bad_request(client.post("/search", content=body, headers={"content-type": content_type}), message)


def test_a_body_over_the_limit_is_a_400_never_read_whole(client, tenant):
    body = multipart([("token", token(tenant)), ("pad", "x" * (1024 * 1024))])
    bad_request(post_multipart(client, "/search", body), "too large")


def test_php_bracket_names_arrive_as_structure_and_are_refused_where_text_is_wanted(client, tenant):
    body = multipart([("token", token(tenant)), ("filters[0][key]", "12"), ("filters[0][value]", "5")])
    bad_request(post_multipart(client, "/search", body), "the expression must be a string")
    r = client.post("/search", data={"token": token(tenant), "search_key[]": "annual"})
    bad_request(r, "search_key must be text")


def test_php_bracket_names_decode_as_php_reads_them():
    assert php_fields([("token", "t"), ("f[0][key]", "a"), ("f[0][value]", "b"), ("ids[]", "x"), ("ids[]", "y"),
                       ("a[][b]", "1"), ("a[][b]", "2"), ("x[", "1"), ("token", "u")]) == {
        "token": "u", "f": {"0": {"key": "a", "value": "b"}}, "ids": {"0": "x", "1": "y"},
        "a": {"0": {"b": "1"}, "1": {"b": "2"}}, "x[": "1"}
    assert php_fields([("a", "1"), ("a[b]", "2")]) == {"a": {"b": "2"}}  # a later field overrides, as in PHP
    with pytest.raises(NestingError):
        php_fields([("a" + "[x]" * 8, "deep")])


def test_a_name_nested_too_deep_is_a_400(client, tenant):
    bad_request(client.post("/search", data={"token": token(tenant), "a" + "[x]" * 8: "1"}), "nest at most")


def test_the_token_is_found_without_scanning_every_tenant(app, client, tenant):
    class NoScans(dict):
        def values(self):
            raise AssertionError("the tenants were scanned")

        items = values

    store = ctx_of(app).store
    store.tenant_by("developer_token", "warm")  # the index is built once, on first use
    store.tenants = NoScans(store.tenants)
    assert client.get("/filters", params={"token": token(tenant)}).status_code == 200
    unauthorized(client.get("/filters", params={"token": token(tenant)[:-1]}))


def test_a_reset_keeps_the_tokens_working(client, tenant, other_tenant):
    assert client.get("/filters", params={"token": token(tenant)}).status_code == 200
    assert client.post("/_mock/reset").status_code == 200
    for company in (tenant, other_tenant):
        fresh = client.get(f"/_mock/tenants/{company.company_id}").json()["developer_token"]
        assert client.get("/filters", params={"token": fresh}).status_code == 200
