"""The live feed on a served simulator: it streams as it happens, and it does not hold up a stopping server."""

import signal
import threading

import httpx

from tests.server import free_port, start_server, stop


def test_an_open_live_feed_does_not_keep_the_server_from_stopping():
    port = free_port()
    process = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        opened, told = threading.Event(), []

        def follow():  # a page's feed, open for up to a minute
            try:
                with httpx.stream("GET", f"{base}/_mock/ui/stream?seconds=60", timeout=90) as response:
                    for line in response.iter_lines():
                        told.append(line)
                        opened.set()
            except httpx.HTTPError:
                pass

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        assert opened.wait(30)
        httpx.post(f"{base}/_mock/clock/advance", json={"seconds": 60})
        process.send_signal(signal.SIGINT)  # Ctrl+C
        # Well before the stream's minute is over: the server ended the feed and stopped, and said "end".
        assert process.wait(timeout=30) in (0, -signal.SIGINT)  # uvicorn re-raises the signal once stopped
        reader.join(30)
        assert "event: end" in told and any('"now":"2025-07-15T10:01:00.000000Z"' in line for line in told)
    finally:
        if process.poll() is None:
            stop(process)
        else:
            process.wait()


def test_the_feed_does_not_answer_a_page_of_another_origin():
    port = free_port()
    process = start_server(port)
    try:
        r = httpx.get(f"http://127.0.0.1:{port}/_mock/ui/stream?seconds=0", headers={"Origin": "https://evil.example"})
        assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
    finally:
        stop(process)


