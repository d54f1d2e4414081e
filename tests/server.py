"""Run the simulator as a real process (python -m mock_server serve) for tests that need one."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, *flags: str, stderr=subprocess.DEVNULL, ready_headers=None) -> subprocess.Popen:
    """``stderr``: where the server's log goes (a file, for a test that reads it); ``ready_headers``: what
    the readiness probe sends (a control token)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--clock", "manual",
         "--log-level", "warning", *flags], stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # waiting for a process to listen, not for simulated time
        try:
            httpx.get(f"http://127.0.0.1:{port}/_mock/tenants", timeout=1, headers=ready_headers)
            return process
        except httpx.TransportError:
            if process.poll() is not None:
                raise RuntimeError("the server exited during start-up")
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start in 60 s")


def stop(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(timeout=30)
