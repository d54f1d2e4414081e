"""The simulator as users run it: a real uvicorn process on loopback."""

import socket

import httpx
import pytest

from tests.server import free_port, start_server, stop


@pytest.fixture(scope="module")
def served():
    port = free_port()
    process = start_server(port)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        tenant = client.get("/_mock/tenants").json()["tenants"][0]
        client.headers.update({"Authorization": f"Bearer {tenant['api_key']}", "X-MYOP-COMPANY-ID": tenant["company_id"]})
        yield client
    stop(process)


def test_the_journal_keeps_bodies_the_endpoint_never_read(served):
    served.delete("/_mock/journal")
    assert served.put("/chat/phonenumbers", json={"a": 1}).status_code == 405
    served.post("/_mock/faults", json={"path": "/chat/messages", "method": "POST"})
    assert served.post("/chat/messages", json={"b": 2}).status_code == 500
    bodies = [(e["status"], e["body"]) for e in served.get("/_mock/journal").json()["requests"]]
    assert bodies == [(405, '{"a":1}'), (500, '{"b":2}')]


def test_a_request_after_a_refused_body_on_the_same_connection_works(served):
    assert served.post("/chat/phonenumbers", content=b"x" * 200_000).status_code == 405
    assert served.get("/chat/phonenumbers").status_code == 200


def _post_a_head(served, path: str, content_type: str, declared: int, head: bytes) -> tuple[bytes, bytes]:
    """POSTs the first bytes of a body of ``declared`` bytes on a raw socket; returns the response's head
    and what came after it before the server closed the connection (a timeout fails the test)."""
    port = served.base_url.port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        headers = "".join(f"{k}: {v}\r\n" for k, v in served.headers.items() if k.lower().startswith(("auth", "x-myop")))
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Type: {content_type}\r\n"
                     f"Content-Length: {declared}\r\n\r\n".encode() + head)
        received = b""
        while chunk := sock.recv(65536):  # until the server closes its side
            received += chunk
    response_head, _, rest = received.partition(b"\r\n\r\n")
    return response_head, rest


def test_a_body_refused_before_it_is_read_whole_closes_the_connection(served):
    # A client still sending the body (Node's, newman's) waits on a kept-open connection nobody reads.
    head = (b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n"
            b"Content-Type: video/mp4\r\n\r\n" + b"\0" * 200_000)
    response, body = _post_a_head(served, "/chat/media/upload", "multipart/form-data; boundary=b0undary",
                                  300 * 1024 * 1024, head)
    assert response.startswith(b"HTTP/1.1 400 ") and b"\r\nconnection: close" in response.lower()
    assert b"not allowed for file_type video/mp4!" in body
    response, body = _post_a_head(served, "/chat/messages", "application/json", 50 * 1024 * 1024, b"{" * 100_000)
    assert response.startswith(b"HTTP/1.1 400 ") and b"\r\nconnection: close" in response.lower()
    assert b"Request body is too large" in body


def test_a_body_read_whole_keeps_the_connection_open(served):
    with httpx.Client(base_url=served.base_url, headers=served.headers) as client:
        first = client.post("/chat/media/upload", files={"file": ("clip.mp4", bytes(11 * 1024 * 1024), "video/mp4")},
                            data={"application": "template"})
        assert first.status_code == 400 and "connection" not in first.headers
        assert client.get("/chat/phonenumbers").status_code == 200


def test_a_body_declared_too_large_is_answered_at_once_though_most_of_it_never_comes(served):
    # 1 KB of a declared 500 MB: the journal used to wait for 64 KB before the answer could go out.
    response, body = _post_a_head(served, "/chat/messages", "application/json", 500 * 1024 * 1024, b"{" * 1024)
    assert response.startswith(b"HTTP/1.1 400 ") and b"Request body is too large" in body
    journaled = served.get("/_mock/journal", params={"path": "/chat/messages"}).json()["requests"][-1]
    assert journaled["status"] == 400 and journaled["body"] == ""  # the endpoint read none of it


def test_a_client_that_leaves_mid_body_leaves_no_traceback(tmp_path):
    log = tmp_path / "server.log"
    port = free_port()
    with log.open("wb") as sink:
        process = start_server(port, stderr=sink)
        try:
            tenant = httpx.get(f"http://127.0.0.1:{port}/_mock/tenants", timeout=10).json()["tenants"][0]
            auth = f"Authorization: Bearer {tenant['api_key']}\r\nX-MYOP-COMPANY-ID: {tenant['company_id']}\r\n"
            for path, content_type in (("/chat/messages", "application/json"),
                                       ("/chat/media/upload", "multipart/form-data; boundary=b0undary"),
                                       (f"/_mock/tenants/{tenant['company_id']}/inbound", "application/json")):
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: {content_type}\r\n"
                                 "Content-Length: 5000\r\n\r\n--b0undary\r\n".encode())
                # gone, 4995 bytes short; the server is still healthy after
            assert httpx.get(f"http://127.0.0.1:{port}/_mock/health", timeout=10).status_code == 200
        finally:
            stop(process)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "Exception in ASGI application" not in text, text[-2000:]
