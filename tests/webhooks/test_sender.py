"""The dispatcher's own HTTP/1.1 client for plain-http receivers, against a scripted asyncio server: what it
sends, each way an answer may be framed, kept-alive connections reused, and a connection interrupted
(or closed by the receiver) never reused."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mock_server.webhooks.sender import SEND_ERRORS, Sender

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class Scripted:
    """A loopback server answering each request with the next of ``answers`` (bytes; None: hang up without
    answering; "close": answer then close), noting every request and every connection."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                self.requests.append(head + await reader.readexactly(length))
                answer = self.answers.pop(0)
                if answer is None:
                    break
                close = isinstance(answer, tuple)
                writer.write(answer[0] if close else answer)
                await writer.drain()
                if close:
                    break
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/hooks/in?x=1"

    async def __aexit__(self, *exc) -> None:
        self.server.close()


def run(coroutine):
    return asyncio.run(coroutine)


def headers() -> httpx.Headers:
    return httpx.Headers({"User-Agent": "test", "Content-Type": "application/json", "X-Token": "t"})


def post_all(server: Scripted, bodies: list[bytes]) -> list[tuple[int, str]]:
    """Each body POSTed in turn by one sender to the scripted server: the answers."""
    async def main():
        sender = Sender(5)
        async with server as url:
            answers = [await sender.post(url, body, headers()) for body in bodies]
        await sender.close()
        return answers
    return run(main())


def test_a_post_carries_the_path_host_headers_and_body_and_the_connection_is_kept_for_the_next():
    server = Scripted(OK, b"HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\nbad!", OK)
    assert post_all(server, [b'{"n": %d}' % n for n in range(3)]) == [(200, "ok"), (500, "bad!"), (200, "ok")]
    assert server.connections == 1
    first = server.requests[0].decode()
    assert first.startswith("POST /hooks/in?x=1 HTTP/1.1\r\n")
    assert "\r\nHost: 127.0.0.1:" in first and "\r\nX-Token: t\r\n" in first and "\r\nUser-Agent: test\r\n" in first
    assert "\r\nContent-Length: 8\r\n" in first and first.endswith('\r\n\r\n{"n": 0}')


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nTrailer: 1\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nabcde",
])
def test_chunked_and_interim_answers_are_read_whole_and_the_connection_kept(answer):
    server = Scripted(answer, OK)
    assert post_all(server, [b"{}", b"{}"]) == [(200, "abcde"), (200, "ok")]
    assert server.connections == 1


@pytest.mark.parametrize("answer", [
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",),  # said so, then closed
    (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",),  # HTTP/1.0 closes
    (b"HTTP/1.1 200 OK\r\n\r\nok",),  # no length: the answer runs to the end of the connection
])
def test_a_connection_the_receiver_closes_is_not_reused(answer):
    server = Scripted(answer, OK)
    assert post_all(server, [b"{}", b"{}"]) == [(200, "ok"), (200, "ok")]
    assert server.connections == 2


def test_a_kept_connection_the_receiver_closed_while_idle_is_replaced():
    closed = asyncio.Event()

    async def once(reader, writer):  # answers one request on a kept-alive connection, then closes it idle
        await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(2)
        writer.write(OK)
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        closed.set()

    async def main():
        server = await asyncio.start_server(once, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        sender = Sender(5)
        first = await sender.post(url, b"{}", headers())
        await asyncio.wait_for(closed.wait(), 10)  # as a receiver's keep-alive timeout does
        closed.clear()
        for _ in range(100):  # the end of file reaches the idle connection
            await asyncio.sleep(0)
        second = await sender.post(url, b"{}", headers())
        await sender.close()
        server.close()
        return first, second

    assert run(main()) == ((200, "ok"), (200, "ok"))


@pytest.mark.parametrize("answer", [None, b"SMTP ready\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort"])
def test_no_answer_or_a_broken_one_is_an_error_and_the_next_post_has_a_new_connection(answer):
    server = Scripted(answer if answer is None else (answer,), OK)

    async def main():
        sender = Sender(5)
        async with server as url:
            with pytest.raises(SEND_ERRORS):
                await sender.post(url, b"{}", headers())
            after = await sender.post(url, b"{}", headers())
        await sender.close()
        return after

    assert run(main()) == (200, "ok")
    assert server.connections == 2


def test_an_interrupted_post_closes_its_connection():
    async def main():
        asked, held = asyncio.Event(), asyncio.Event()
        seen = []

        async def hang(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            asked.set()
            seen.append(await reader.read())  # the end of file: the sender closed the connection
            await held.wait()
            writer.close()

        server = await asyncio.start_server(hang, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        sender = Sender(5)
        task = asyncio.create_task(sender.post(url, b"{}", headers()))
        await asyncio.wait_for(asked.wait(), 10)
        task.cancel()  # as the dispatcher's timeout does
        with pytest.raises(asyncio.CancelledError):
            await task
        while not seen:
            await asyncio.sleep(0)
        held.set()
        server.close()
        await sender.close()
        return seen

    assert run(main()) == [b"{}"]  # the request's body, then the end of file: a late answer has nowhere to go


def test_a_header_with_a_line_break_is_refused_before_anything_is_sent():
    async def main():
        sender = Sender(5)
        with pytest.raises(SEND_ERRORS):
            await sender.post("http://127.0.0.1:9/", b"{}", httpx.Headers({"X-Bad": "a\nb"}.items(), encoding="utf-8"))

    run(main())
