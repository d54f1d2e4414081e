"""What the reliability tests share: a simulator served by a real process (``python -m mock_server serve``,
as users run it) whose log can be read and whose memory can be measured, and the requests that make an
acknowledged write of each kind, so a test can look for every one of them afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from mock_server.testing.simulator import Tenant
from tests.server import free_port, start_server, stop

# A request to a loopback server that does not answer in this long is a hang: the test fails on it.
HTTP_TIMEOUT = httpx.Timeout(30.0)
TRACEBACKS = ("Traceback", "Exception in ASGI application")


@dataclass
class Served:
    """A simulator process on a free loopback port, its stderr kept in ``log``."""

    flags: tuple[str, ...]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> Served:
        with self.log.open("ab") as sink:
            self.process = start_server(self.port, *self.flags, stderr=sink)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=HTTP_TIMEOUT, trust_env=False, **kwargs)

    def tenants(self) -> list[Tenant]:
        with self.client() as client:
            return [Tenant(t) for t in client.get("/_mock/tenants").json()["tenants"]]

    def rss_bytes(self) -> int:
        """The process's resident memory now (VmRSS of /proc/<pid>/status)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS line")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def assert_no_traceback(self) -> None:
        text = self.log_text()
        assert not any(marker in text for marker in TRACEBACKS), text[-3000:]

    def assert_healthy(self, tenant: Tenant) -> None:
        """A normal request of the public API and the control plane's view of the tenant are answered."""
        with self.client() as client:
            assert client.get("/_mock/health").status_code == 200
            assert client.get("/chat/phonenumbers", headers=tenant.headers).status_code == 200
            assert client.get(f"/_mock/tenants/{tenant.company_id}/state").status_code == 200


@pytest.fixture
def serve(tmp_path):
    """``serve(*flags)`` starts a simulator process (manual clock, as ``tests.server.start_server``); every
    one started is stopped after the test."""
    started: list[Served] = []

    def start(*flags: str) -> Served:
        served = Served(flags, tmp_path / f"server-{len(started)}.log").start()
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


# --- acknowledged writes ------------------------------------------------------------------------------
def contact_body(number: str, name: str) -> dict:
    return {"name": name, "country_code": "91", "phone_number": number}


def template_message(tenant: Tenant, number: str) -> dict:
    """A Send Message body that needs no open window: the fixtures' parameterless ``start_chat`` template."""
    return {"phone_number_id": tenant.phone_number_id(), "customer_country_code": "91", "customer_number": number,
            "data": {"type": "template", "context": {"template_name": "start_chat", "language": "en"}}}


def all_messages(client: httpx.Client, company_id: str) -> list[dict]:
    """Every message the control plane lists for the company, page after page."""
    found: list[dict] = []
    while True:
        page = client.get(f"/_mock/tenants/{company_id}/messages", params={"limit": 1000, "offset": len(found)})
        assert page.status_code == 200, page.text
        found += page.json()["messages"]
        if not page.json()["next"]:
            return found


def obd_request_ids(client: httpx.Client, company_id: str) -> set[str]:
    response = client.get(f"/_mock/tenants/{company_id}/obd-requests")
    assert response.status_code == 200, response.text
    return {r["id"] for r in response.json()["requests"]}
