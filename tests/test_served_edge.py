"""The served simulator's edge (mock_server/serving.py): a request's head is bounded in size and in time, a body
must keep coming, and neither costs the server memory or its other clients."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from mock_server.serving import MAX_HEAD_BYTES
from tests.server import free_port, start_server, stop

READ_TIMEOUT = "1"  # lowered from 10 s: each cut below comes after about a second
BOUND = 10.0  # seconds any exchange below may take at most (a generous bound, not a measurement)
MB = 1024 * 1024


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    log = tmp_path_factory.mktemp("edge") / "server.log"
    port = free_port()
    with log.open("wb") as sink:
        process = start_server(port, "--read-timeout", READ_TIMEOUT, stderr=sink)
        try:
            yield port, process, log
        finally:
            stop(process)


def peak_rss_kb(pid: int) -> int:
    """The process's high-water mark of resident memory (what a buffered request costs, even once freed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc")


def oversized_head(kind: str, size: int) -> bytes:
    if kind == "line":
        return b"GET /chat/templates?limit=10&q=" + b"a" * size + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    pad = b"b" * 1000  # a header block of many ordinary headers
    return (b"GET /chat/templates HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + b"".join(b"X-Pad-%d: %s\r\n" % (n, pad) for n in range(size // 1000)) + b"\r\n")


def _send(sock: socket.socket, data: bytes) -> None:
    with contextlib.suppress(OSError):  # the server closed before all of it came: its answer is read all the same
        sock.sendall(data)


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def exchange(port: int, first: bytes, drip: bytes = b"") -> bytes:
    """Sends ``first``, then ``drip`` a byte every 0.1 s; returns what the server sent before it closed, or
    before ``BOUND`` seconds (then what came so far: an empty answer fails the test that expects one)."""
    deadline = time.monotonic() + BOUND
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=BOUND) as sock:
        sock.sendall(first)
        sock.settimeout(0.1)
        sent = 0
        while time.monotonic() < deadline:
            try:
                if sent < len(drip):
                    sock.send(drip[sent:sent + 1])
                    sent += 1
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            if not chunk:
                return received
            received += chunk
    return received + b"<still open>"


def assert_healthy(port: int, log: Path) -> None:
    assert httpx.get(f"http://127.0.0.1:{port}/_mock/health", timeout=BOUND).status_code == 200
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "Exception in ASGI application" not in text, text[-2000:]


@pytest.mark.parametrize("size", [100_000, 1 * MB, 64 * MB], ids=["100KB", "1MB", "64MB"])  # 100 KB: in one read
@pytest.mark.parametrize("kind, status", [("line", 414), ("headers", 431)])
def test_an_oversized_head_is_refused_without_buffering_it_while_others_are_served(served, kind, status, size):
    port, process, log = served
    before = peak_rss_kb(process.pid)
    with socket.create_connection(("127.0.0.1", port), timeout=BOUND) as sock:
        sender = threading.Thread(target=_send, args=(sock, oversized_head(kind, size)), daemon=True)
        sender.start()
        # Another client, meanwhile: answered (its timeout is a bound, not a measurement).
        assert httpx.get(f"http://127.0.0.1:{port}/_mock/health", timeout=BOUND).status_code == 200
        response = _read_until_closed(sock)
        sender.join(BOUND)
    assert response.startswith(b"HTTP/1.1 %d " % status), response[:200]
    assert b"\r\nconnection: close\r\n" in response and str(MAX_HEAD_BYTES).encode() in response
    grown = (peak_rss_kb(process.pid) - before) / 1024
    assert grown < 16, f"the server's peak RSS grew by {grown:.0f} MB for a head of {size} bytes"
    assert_healthy(port, log)


def test_a_head_just_under_the_bound_is_served(served):
    port, _, log = served
    response = exchange(port, oversized_head("headers", MAX_HEAD_BYTES - 2000)[:-2] + b"Connection: close\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 401 "), response[:200]  # read whole; refused only for its credentials
    assert_healthy(port, log)


def test_a_head_sent_a_byte_at_a_time_is_cut_off(served):
    port, _, log = served
    response = exchange(port, b"GET /chat/templates HTTP/1.1\r\nHost: 127.0.0.1\r\n", drip=b"X-Slow: " + b"a" * 200)
    assert response.startswith(b"HTTP/1.1 408 "), response[:200]
    assert_healthy(port, log)


def test_a_connection_that_sends_nothing_is_closed(served):
    port, _, log = served
    assert exchange(port, b"") == b""  # closed, no answer: there was no request to answer
    assert_healthy(port, log)


BODY_HEAD = (b"POST /chat/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             b"Content-Length: 1000\r\n\r\n{\"to\": ")


def test_a_body_that_stops_coming_is_cut_off(served):
    port, _, log = served
    response = exchange(port, BODY_HEAD)  # 993 bytes short, and nothing more
    assert response.startswith(b"HTTP/1.1 408 "), response[:200]
    assert_healthy(port, log)


def test_a_body_sent_a_byte_at_a_time_is_cut_off(served):
    port, _, log = served
    response = exchange(port, BODY_HEAD, drip=b" " * 990)  # a byte every 0.1 s: never a pause of a second
    assert response.startswith(b"HTTP/1.1 408 "), response[:200]
    assert_healthy(port, log)
