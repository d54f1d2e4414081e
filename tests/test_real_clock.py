"""The default clock as sandbox users run it: a real server process on the real clock (sped up), every
shipped scenario played to the end, its webhooks delivered, and `trigger` failing loudly when a run fails.

The suite's other tests use manual clocks; this one is where "two readings of the time a few
microseconds apart" really happen. Simulated minutes pass in real milliseconds (--speed 1000), and
every wait below is for the process, bounded by a deadline, never a fixed sleep for simulated time.
"""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from mock_server.engine import loader
from mock_server.steps import VOCABULARY
from mock_server.testing.receiver import WebhookReceiver
from tests.server import free_port, start_server, stop

SHIPPED = sorted(loader.catalog((loader.builtin_dir(),), VOCABULARY))


@pytest.fixture(scope="module")
def served():
    port = free_port()
    with WebhookReceiver() as receiver:
        process = start_server(port, "--clock", "real", "--speed", "1000", "--strict", "--webhook-url", receiver.url)
        try:
            yield f"http://127.0.0.1:{port}", receiver
        finally:
            stop(process)


def finished(base: str, company_id: str, run: dict, deadline_s: float = 30) -> dict:
    """The run once it has ended (status no longer running), polling the control plane."""
    deadline = time.monotonic() + deadline_s
    while run["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.02)  # real time for the process to play what falls due; simulated time runs by itself
        run = httpx.get(f"{base}/_mock/tenants/{company_id}/scenario-runs/{run['id']}").json()
    return run


def test_every_shipped_scenario_runs_to_the_end_on_the_real_clock(served):
    base, receiver = served
    company_id = httpx.get(f"{base}/_mock/tenants").json()["tenants"][0]["company_id"]
    outcomes = {}
    for name in SHIPPED:
        assert httpx.post(f"{base}/_mock/reset").status_code == 200  # each from the fixtures, as a user's first try
        started = httpx.post(f"{base}/_mock/scenarios/{name}/run", json={"company_id": company_id, "params": {}})
        assert started.status_code == 201, (name, started.text)
        run = finished(base, company_id, started.json())
        outcomes[name] = (run["status"], run["error"], delivered(base, company_id))
    assert outcomes == {name: ("finished", None, "all delivered") for name in SHIPPED}
    assert len(receiver.requests) > len(SHIPPED)  # each call scenario alone sends several events


def delivered(base: str, company_id: str, deadline_s: float = 30) -> str:
    """Wait until no delivery of the tenant is pending; say whether all of them got through."""
    deadline = time.monotonic() + deadline_s
    while True:
        log = httpx.get(f"{base}/_mock/deliveries", params={"company_id": company_id}).json()["deliveries"]
        statuses = {d["status"] for d in log}
        if "pending" not in statuses or time.monotonic() > deadline:
            return "all delivered" if statuses <= {"delivered"} else f"not all delivered: {sorted(statuses)}"
        time.sleep(0.02)


def test_a_new_customer_writing_in_is_answered_on_the_real_clock(served):
    base, _ = served
    tenant = httpx.get(f"{base}/_mock/tenants").json()["tenants"][0]
    phone = next(p for p in tenant["phone_numbers"] if p["role"] == "primary")
    for n in range(20):  # each a new conversation: created, then written in, a few microseconds apart
        r = httpx.post(f"{base}/_mock/tenants/{tenant['company_id']}/inbound",
                       json={"phone_number_id": phone["phone_number_id"], "customer_country_code": "91",
                             "customer_number": f"98765{n:05d}", "text": "Hello"})
        assert r.status_code == 201, r.text


def test_trigger_exits_non_zero_with_the_reason_when_the_run_fails(served):
    base, _ = served
    tenant = httpx.get(f"{base}/_mock/tenants").json()["tenants"][0]
    disabled = next(p for p in tenant["phone_numbers"] if p["role"] == "disabled")
    failed = subprocess.run(
        [sys.executable, "-m", "mock_server", "trigger", "whatsapp-sent", "--param",
         f"phone_number={disabled['phone_number_id']}", "--url", base], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "scenario whatsapp-sent failed: step 1 (message.accept)" in failed.stderr
    assert "CHAT_0303 Phone Number is Disabled" in failed.stderr
    ok = subprocess.run([sys.executable, "-m", "mock_server", "trigger", "whatsapp-read", "--url", base],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr  # a run still playing is a success
