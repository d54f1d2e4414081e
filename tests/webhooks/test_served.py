"""Webhooks as users get them: a real server process on a sped-up real clock, started with
--webhook-url, a scenario triggered from the command line, and the events arriving at a real receiver."""

import subprocess
import sys

import httpx

from mock_server.testing.receiver import WebhookReceiver
from tests.server import free_port, start_server, stop

CALL = ["call.initiated", "call.dial_begin", "call.answered", "call.end", "call.summary"]


def test_a_triggered_call_arrives_at_the_webhook_url_in_order():
    port = free_port()
    with WebhookReceiver() as receiver:
        process = start_server(port, "--clock", "real", "--speed", "1000", "--strict", "--webhook-url", receiver.url)
        try:
            base = f"http://127.0.0.1:{port}"
            triggered = subprocess.run(
                [sys.executable, "-m", "mock_server", "trigger", "incoming-answered", "--param", "talk=30",
                 "--url", base], capture_output=True, text=True, timeout=60)
            assert triggered.returncode == 0, triggered.stderr + triggered.stdout
            # a minute of simulated call is 60 ms of real time; waiting is for the process, not for the clock
            assert receiver.wait_for(len(CALL), timeout=60)
            bodies = receiver.bodies()
            assert [b["event_type"] for b in bodies] == CALL
            assert len({b["session_id"] for b in bodies}) == 1
            deliveries = httpx.get(f"{base}/_mock/deliveries", params={"status": "delivered"}).json()["deliveries"]
            assert sorted(d["event_id"] for d in deliveries) == sorted(b["event_id"] for b in bodies)
        finally:
            stop(process)


def test_trigger_reports_a_refused_run_and_an_unreachable_server():
    port = free_port()
    process = start_server(port)
    try:
        refused = subprocess.run([sys.executable, "-m", "mock_server", "trigger", "no-such-scenario",
                                  "--url", f"http://127.0.0.1:{port}"], capture_output=True, text=True, timeout=60)
        assert refused.returncode == 1 and "no-such-scenario" in refused.stdout
    finally:
        stop(process)
    gone = subprocess.run([sys.executable, "-m", "mock_server", "trigger", "incoming-answered",
                           "--url", f"http://127.0.0.1:{port}"], capture_output=True, text=True, timeout=60)
    assert gone.returncode == 2 and "cannot reach" in gone.stderr
