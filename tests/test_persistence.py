"""With --data-dir, every acknowledged write survives a restart, including kill -9."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
from starlette.testclient import TestClient

from tests.conftest import Tenant, make_app


def acknowledged_writes(client: TestClient | httpx.Client, tenant_id: str, pnid: str) -> None:
    """A sample of writes; each assertion is the acknowledgement."""
    assert client.patch(f"/_mock/tenants/{tenant_id}", json={"wallet_balance": 42.5}).status_code == 200
    assert client.patch(f"/_mock/tenants/{tenant_id}/phonenumbers/{pnid}", json={"status": "disabled"}).status_code == 200


def assert_writes_kept(client, tenant_id: str, pnid: str) -> None:
    state = client.get(f"/_mock/tenants/{tenant_id}").json()
    assert state["wallet_balance"] == 42.5
    assert next(p for p in state["phone_numbers"] if p["phone_number_id"] == pnid)["status"] == "disabled"


def test_restart_with_the_same_data_dir_keeps_every_write(tmp_path):
    app = make_app(data_dir=tmp_path)
    tenant = Tenant(app, list(app.state.ctx.store.tenants)[0])
    pnid = tenant.phone("primary")["phone_number_id"]
    with TestClient(app) as client:
        acknowledged_writes(client, tenant.company_id, pnid)
    with TestClient(make_app(data_dir=tmp_path)) as client:
        assert_writes_kept(client, tenant.company_id, pnid)
        client.post("/_mock/reset")
        assert client.get(f"/_mock/tenants/{tenant.company_id}").json()["wallet_balance"] == 500.0
    with TestClient(make_app(data_dir=tmp_path)) as client:  # the reset itself was durable
        assert client.get(f"/_mock/tenants/{tenant.company_id}").json()["wallet_balance"] == 500.0


def test_pending_timed_changes_survive_a_restart(tmp_path):
    app = make_app(data_dir=tmp_path)
    ctx = app.state.ctx
    tenant = next(iter(ctx.store.tenants.values()))
    ctx.schedule(tenant, 30, "probe", {"n": 1})
    restarted = make_app(data_dir=tmp_path).state.ctx
    assert [(j.action, j.payload) for j in restarted.scheduler.pending()] == [("probe", {"n": 1})]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir, port) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--data-dir", str(data_dir),
         "--clock", "manual", "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # waiting for a process to listen, not for simulated time
        try:
            httpx.get(f"http://127.0.0.1:{port}/_mock/tenants", timeout=1)
            return process
        except httpx.TransportError:
            if process.poll() is not None:
                raise RuntimeError("the server exited during start-up")
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start in 60 s")


def test_kill_dash_9_right_after_an_acknowledged_write_loses_nothing(tmp_path):
    port = free_port()
    server = start_server(tmp_path, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            tenants = client.get("/_mock/tenants").json()["tenants"]
            tenant_id = tenants[0]["company_id"]
            pnid = next(p["phone_number_id"] for p in tenants[0]["phone_numbers"] if p["role"] == "primary")
            acknowledged_writes(client, tenant_id, pnid)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        server = start_server(tmp_path, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert_writes_kept(client, tenant_id, pnid)
    finally:
        server.kill()
        server.wait(timeout=30)
