"""Throughput of the simulator's read and write paths as ratios of a bare Starlette baseline.

Loopback only; every loop is bounded by a request count, so the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server on port {port} did not start")


async def measure(base: str, method: str, path: str, bodies, headers: dict, requests: int, concurrency: int) -> float:
    counter = itertools.count()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        async def worker():
            while (n := next(counter)) < requests:
                response = await client.request(method, path, json=bodies(n) if bodies else None)
                if response.status_code >= 400:
                    raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - started)


def measure_wrk(url: str, headers: dict, seconds: int, concurrency: int, script: str | None) -> float:
    """wrk drives far more load than a Python client, so the server, not the client, is measured."""
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url}: errors under load\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--data-dir", action="store_true", help="measure writes with SQLite write-through")
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    options = parser.parse_args()

    bare_port, mock_port = free_port(), free_port()
    uvicorn = [sys.executable, "-m", "uvicorn", "--log-level", "warning", "--no-access-log"]
    bare = start([*uvicorn, "--port", str(bare_port), "--app-dir", "benchmarks", "bare_app:app"], bare_port)
    data_dir = tempfile.mkdtemp() if options.data_dir else None
    serve = [sys.executable, "-m", "mock_server", "serve", "--port", str(mock_port), "--clock", "manual",
             "--log-level", "warning", *(["--data-dir", data_dir] if data_dir else [])]
    mock = start(serve, mock_port)
    try:
        tenant = httpx.get(f"http://127.0.0.1:{mock_port}/_mock/tenants").json()["tenants"][0]
        auth = {"Authorization": f"Bearer {tenant['api_key']}", "X-MYOP-COMPANY-ID": tenant["company_id"]}
        bare_base, mock_base = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{mock_port}"
        if shutil.which("wrk"):
            script = str(Path(__file__).with_name("contact.lua"))
            run = lambda url, headers, lua=None: measure_wrk(url, headers, options.seconds, options.concurrency, lua)  # noqa: E731
            bare_read = run(f"{bare_base}/read", {})
            mock_read = run(f"{mock_base}/chat/templates?limit=10", auth)
            bare_write = run(f"{bare_base}/write", {}, script)
            mock_write = run(f"{mock_base}/contacts", auth, script)
        else:  # a Python client: it may saturate before the servers do, flattening the ratios
            contact = lambda n: {"name": f"Bench {n}", "country_code": "91", "phone_number": f"{9000000000 + n}"}  # noqa: E731
            run = lambda *a: asyncio.run(measure(*a, options.requests, options.concurrency))  # noqa: E731
            bare_read = run(bare_base, "GET", "/read", None, {})
            mock_read = run(mock_base, "GET", "/chat/templates?limit=10", None, auth)
            bare_write = run(bare_base, "POST", "/write", contact, {})
            mock_write = run(mock_base, "POST", "/contacts", contact, auth)
    finally:
        for process in (bare, mock):
            process.kill()
            process.wait()
    print(f"{'':28}{'req/s':>10}{'ratio':>8}")
    print(f"{'bare Starlette GET':28}{bare_read:10.0f}")
    print(f"{'GET /chat/templates':28}{mock_read:10.0f}{mock_read / bare_read:8.2f}")
    print(f"{'bare Starlette POST':28}{bare_write:10.0f}")
    print(f"{'POST /contacts':28}{mock_write:10.0f}{mock_write / bare_write:8.2f}"
          f"{'  (SQLite write-through)' if data_dir else '  (in memory)'}")


if __name__ == "__main__":
    main()
