"""The simulator's performance in one run, as ratios of a bare Starlette app measured beside it.

    python benchmarks/run.py            # about six minutes on a 2-core machine; --quick for a smoke run

Prints three sections:

1. **throughput**: each operation under load (wrk when installed, else a Python client), in memory and with
   ``--data-dir``: requests/s, p50/p99 latency, and the ratio to the bare app (a bare GET for reads, a bare
   POST that parses and echoes JSON for writes), with the startup time and the server's RSS idle and after load;
2. **growth**: each operation's service time (one request at a time) on fresh fixtures and with the first company
   grown to N contacts and 0.4 N sent messages, calls and accepted OBD requests (started from a ``--data-dir``
   built for it: its startup and RSS are shown too), and the ratio of the largest size to fresh; then, at the
   issue's scale (``--scale``: 100,000 contacts and 100,000 finished calls), the startup, the RSS and the searches;
3. **webhooks**: on the manual clock, one advance over about 10,000 events, without and with a subscriber (a
   local receiver), and the deliveries per second it made; on the real clock, 200 concurrent calls, each
   event's lateness at the receiver (arrival minus the event's ``timestamp``), p50/p99.

Loopback only; every measurement is bounded by time or a request count, so the run stops by itself. Machines
here are shared and noisy: compare ratios, not absolute numbers, and runs made on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
NUMBERED = str(HERE / "numbered.lua")
UVICORN = [sys.executable, "-m", "uvicorn", "--log-level", "warning", "--no-access-log", "--app-dir", str(HERE)]
SERVE = [sys.executable, "-m", "mock_server", "serve", "--log-level", "warning"]
_numbers = itertools.count(5_000_000_001)  # customers and references of the Python-driven requests


# --- servers ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    startup: float  # seconds from the process's start to its first 2xx

    def cpu_seconds(self) -> float:
        """The process's user and system time so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


@contextmanager
def running(command: list[str], probe: str = "/") -> Iterator[Server]:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if httpx.get(base + probe, timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.perf_counter() - started > 120:
                raise RuntimeError(f"{' '.join(command)} did not start")
            time.sleep(0.005)
        yield Server(process, base, time.perf_counter() - started)
    finally:
        process.kill()
        process.wait()


def bare() -> Iterator[Server]:
    return running([*UVICORN, "bare_app:app"], "/read")


def simulator(*flags: str) -> Iterator[Server]:
    return running([*SERVE, *flags], "/_mock/health")


# --- the operations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    body: str | None  # JSON text; each "{n}" becomes a number no other request uses
    headers: dict
    write: bool = False


def operations(client: httpx.Client, company_id: str) -> list[Operation]:
    """The measured requests, for this company's fixtures; its wallet and IVR made room for a load test."""
    tenant = client.get(f"/_mock/tenants/{company_id}").json()
    public = {"Authorization": f"Bearer {tenant['api_key']}", "X-MYOP-COMPANY-ID": company_id}
    ivr = next(i for i in tenant["ivrs"] if i["label"] == "main")
    phone = next(p for p in tenant["phone_numbers"] if p["role"] == "primary")["phone_number_id"]
    client.patch(f"/_mock/tenants/{company_id}", json={"wallet_balance": 1e9}).raise_for_status()
    client.patch(f"/_mock/tenants/{company_id}/ivrs/{ivr['public_ivr_id']}",
                 json={"usage_threshold": 1_000_000_000}).raise_for_status()
    template = client.get("/chat/templates?limit=1", headers=public).json()["data"]["results"][0]
    send = {"phone_number_id": phone, "customer_country_code": "91", "customer_number": "{n}",
            "data": {"type": "template", "context": {"template_name": "start_chat", "language": "en"}}}
    call = {"company_id": company_id, "secret_token": ivr["secret_token"], "type": "2", "number": "+91{n}",
            "public_ivr_id": ivr["public_ivr_id"], "reference_id": "bench-{n}"}
    contact = {"name": "Bench {n}", "country_code": "91", "phone_number": "{n}"}
    return [
        Operation("GET /contacts?limit=10", "GET", "/contacts?limit=10", None, public),
        Operation("search contacts (name contains a)", "POST", "/contacts?limit=10",
                  '{"and":{"name__contains":"a"}}', public),
        Operation("GET /chat/templates?limit=10", "GET", "/chat/templates?limit=10", None, public),
        Operation("GET /chat/templates/{id}", "GET", f"/chat/templates/{template['id']}", None, public),
        Operation("POST /search/search (call logs)", "POST", f"/search/search?token={tenant['developer_token']}",
                  "", {}),
        Operation("POST /search/search search_key=98", "POST",
                  f"/search/search?token={tenant['developer_token']}&search_key=98", "", {}),
        Operation("POST /chat/messages (template)", "POST", "/chat/messages", json.dumps(send), public, True),
        Operation("POST /obd-api-v1", "POST", "/obd-api-v1", json.dumps(call), {"x-api-key": tenant["obd_api_key"]},
                  True),
        Operation("POST /contacts (create)", "POST", "/contacts", json.dumps(contact), public, True),
    ]


def first_company(client: httpx.Client) -> str:
    return client.get("/_mock/tenants").json()["tenants"][0]["company_id"]


def measured(server: Server) -> list[Operation]:
    with httpx.Client(base_url=server.base) as client:
        return operations(client, first_company(client))


def numbered(body: str | None) -> str | None:
    return None if body is None else body.replace("{n}", str(next(_numbers)))


# --- load -----------------------------------------------------------------------------------------
@dataclass
class Load:
    rps: float
    p50: float  # ms
    p99: float


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(base: str, op: Operation, seconds: int, concurrency: int) -> Load:
    """wrk drives far more load than a Python client, so the server, not the client, is measured."""
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds}s", "--latency", base + op.path]
    for name, value in op.headers.items():
        command += ["-H", f"{name}: {value}"]
    if op.method == "POST":
        command += ["-s", NUMBERED, "--", op.body or ""]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"{op.name}: errors under load\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # The distribution's own lines: a thread's "+/- Stdev" column (72.50%) also ends in "50%"
    p50, p99 = (re.search(rf"^\s+{n}%\s+(\S+)$", out, re.M).group(1) for n in (50, 99))
    return Load(rps, _ms(p50), _ms(p99))


def python_load(base: str, op: Operation, requests: int, concurrency: int) -> Load:
    """Without wrk: an asyncio client, which saturates before the servers do and flattens the ratios."""
    async def main() -> Load:
        latencies: list[float] = []
        left = itertools.count()
        async with httpx.AsyncClient(base_url=base, headers=op.headers, timeout=30) as client:
            async def worker() -> None:
                while next(left) < requests:
                    body = numbered(op.body)
                    started = time.perf_counter()
                    response = await client.request(op.method, op.path, content=body,
                                                    headers={"Content-Type": "application/json"} if body else {})
                    latencies.append((time.perf_counter() - started) * 1000)
                    if not response.is_success:
                        raise RuntimeError(f"{op.name} -> {response.status_code}: {response.text[:200]}")
            began = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - began
        return Load(requests / elapsed, *percentiles(latencies))
    return asyncio.run(main())


def percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def service_time(base: str, op: Operation, samples: int) -> tuple[float, float]:
    """p50/p99 in ms of ``samples`` requests sent one at a time (after a few to warm up)."""
    latencies = []
    with httpx.Client(base_url=base, headers=op.headers, timeout=60) as client:
        for i in range(samples + 5):
            body, path = numbered(op.body), numbered(op.path)
            started = time.perf_counter()
            response = client.request(op.method, path, content=body,
                                      headers={"Content-Type": "application/json"} if body else {})
            if i >= 5:
                latencies.append((time.perf_counter() - started) * 1000)
            if not response.is_success:
                raise RuntimeError(f"{op.name} -> {response.status_code}: {response.text[:200]}")
    return percentiles(latencies)


# --- 1. throughput --------------------------------------------------------------------------------
def throughput(options: argparse.Namespace) -> None:
    use_wrk = shutil.which("wrk") is not None

    def load(base: str, op: Operation) -> Load:
        if use_wrk:
            return wrk(base, op, options.seconds, options.concurrency)
        return python_load(base, op, options.requests, options.concurrency)

    with bare() as ceiling:
        read = load(ceiling.base, Operation("bare GET", "GET", "/read", None, {}))
        write = load(ceiling.base, Operation("bare POST", "POST", "/write", '{"n":"{n}"}', {}, True))
        print(f"\n## 1. Throughput ({'wrk' if use_wrk else 'Python client'}, {options.concurrency} connections)\n")
        print(f"bare Starlette: started in {ceiling.startup:.2f} s; GET {read.rps:,.0f} req/s, "
              f"POST {write.rps:,.0f} req/s\n")
        print("| operation | storage | req/s | p50 ms | p99 ms | ratio to bare |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for storage in ("memory", "data-dir"):
            data_dir = tempfile.mkdtemp(prefix="bench-") if storage == "data-dir" else None
            flags = ["--clock", "manual", *(["--data-dir", data_dir] if data_dir else [])]
            try:
                with simulator(*flags) as mock:
                    idle = mock.rss_mb()
                    for op in measured(mock):
                        if storage == "data-dir" and not op.write:
                            continue  # reads do not touch the disk
                        got = load(mock.base, op)
                        ratio = got.rps / (write.rps if op.write else read.rps)
                        print(f"| {op.name} | {storage} | {got.rps:,.0f} | {got.p50:.2f} | {got.p99:.2f} | "
                              f"{ratio:.2f} |", flush=True)
                    print(f"| *startup to first 2xx: {mock.startup:.2f} s; RSS idle {idle:.0f} MB, after load "
                          f"{mock.rss_mb():.0f} MB* | {storage} | | | | |", flush=True)
            finally:
                if data_dir:
                    shutil.rmtree(data_dir, ignore_errors=True)


# --- 2. growth ------------------------------------------------------------------------------------
def grown_data_dir(path: Path, contacts: int, others: int, calls: int | None = None) -> None:
    """A ``--data-dir`` whose first company has ``contacts`` more contacts and ``others`` more sent messages
    (each in its own conversation), finished calls (``calls`` if given) and accepted OBD requests: copies, with
    new ids, of one sent through the API (and of its fixtures' contacts and calls), written through the store
    so every index and the disk are as a server's."""
    calls = others if calls is None else calls
    sys.path.insert(0, str(ROOT))
    with warnings.catch_warnings():  # Starlette's notice that its test client will move to httpx2
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from mock_server.app import create_app
    from mock_server.settings import Settings

    app = create_app(Settings(data_dir=path, clock="manual"))
    with TestClient(app) as client:
        company = first_company(client)
        for op in operations(client, company):
            if op.name in ("POST /chat/messages (template)", "POST /obd-api-v1"):
                client.request(op.method, op.path, content=numbered(op.body),
                               headers={**op.headers, "Content-Type": "application/json"}).raise_for_status()
        tenant = app.state.ctx.store.tenant(company)
        model = {kind: tenant[kind].values()[-1] for kind in ("contacts", "conversations", "messages", "obd_requests")}
        model["calls"] = next(call for call in tenant["calls"] if call["state"] == "ended")  # one with a log
        with app.state.ctx.store.transaction():
            for i in range(contacts):
                tenant["contacts"].put(dict(model["contacts"], id=f"grown-contact-{i}", phone_number=f"4{i:09d}",
                                            name=f"Grown {i}"))
            for i in range(others):
                number = f"3{i:09d}"
                tenant["conversations"].put(dict(model["conversations"], id=f"grown-conversation-{i}",
                                                 customer_contact=number))
                tenant["messages"].put(dict(model["messages"], id=f"grown-message-{i}",
                                            conversation_id=f"grown-conversation-{i}", customer_number=number))
                tenant["obd_requests"].put(dict(model["obd_requests"], id=f"grown-request-{i}",
                                                reference_id=f"grown-{i}"))
            for i in range(calls):
                tenant["calls"].put(dict(model["calls"], id=f"grown-call-{i}", uid=f"grown-uid-{i}"))


def growth(options: argparse.Namespace) -> None:
    sizes = [0, *options.sizes]
    print(f"\n## 2. Growth: service time p50 (p99) in ms, one request at a time, {options.samples} samples\n")
    columns: dict[int, dict[str, tuple[float, float]]] = {}
    notes = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-") as data_dir:
            began = time.perf_counter()
            grown_data_dir(Path(data_dir), size, int(size * 0.4))
            built = time.perf_counter() - began
            with simulator("--clock", "manual", "--data-dir", data_dir) as mock:
                columns[size] = {op.name: service_time(mock.base, op, options.samples) for op in measured(mock)}
                notes.append(f"{size:,} contacts: built in {built:.1f} s, startup {mock.startup:.2f} s, "
                             f"RSS {mock.rss_mb():.0f} MB")
    labels = [f"{size:,} contacts" if size else "fresh" for size in sizes]
    print(f"| operation | {' | '.join(labels)} | largest / fresh |")
    print(f"| --- |{' ---: |' * len(sizes)} ---: |")
    for name in columns[0]:
        cells = [f"{columns[size][name][0]:.2f} ({columns[size][name][1]:.2f})" for size in sizes]
        print(f"| {name} | {' | '.join(cells)} | {columns[sizes[-1]][name][0] / columns[0][name][0]:.2f} |")
    print()
    for note in notes:
        print(f"- {note}")
    scale(options)


SEARCHES = ("search contacts (name contains a)", "POST /search/search (call logs)", "POST /search/search search_key=98")


def scale(options: argparse.Namespace) -> None:
    """The issue's scale: ``--scale`` contacts and as many finished calls, started from a ``--data-dir``."""
    with tempfile.TemporaryDirectory(prefix="bench-") as data_dir:
        began = time.perf_counter()
        grown_data_dir(Path(data_dir), options.scale, 0, options.scale)
        built = time.perf_counter() - began
        with simulator("--clock", "manual", "--data-dir", data_dir) as mock:
            print(f"\n{options.scale:,} contacts and {options.scale:,} finished calls: built in {built:.1f} s, "
                  f"startup {mock.startup:.2f} s, RSS {mock.rss_mb():.0f} MB\n")
            print("| search | p50 ms | p99 ms |")
            print("| --- | ---: | ---: |")
            for op in measured(mock):
                if op.name in SEARCHES:
                    p50, p99 = service_time(mock.base, op, options.samples)
                    print(f"| {op.name} | {p50:.2f} | {p99:.2f} |", flush=True)
            for op in first_asks(measured(mock)):
                p50, p99 = service_time(mock.base, op, max(options.samples // 10, 5))
                print(f"| {op.name} | {p50:.2f} | {p99:.2f} |", flush=True)
            print(f"\nRSS after the searches: {mock.rss_mb():.0f} MB")


def first_asks(operations: list[Operation]) -> list[Operation]:
    """The searches with a filter or key no request asked before (each request a new number): what a search
    costs when its selection is not kept, a test of every contact or finished call."""
    by_name = {op.name: op for op in operations}
    contacts, logs = by_name[SEARCHES[0]], by_name[SEARCHES[2]]
    return [Operation("search contacts, a new filter each time (name contains {n})", "POST", contacts.path,
                      '{"and":{"name__contains":"{n}"}}', contacts.headers),
            Operation("POST /search/search, a new search_key each time", "POST",
                      logs.path.replace("search_key=98", "search_key={n}"), "", logs.headers)]


# --- 3. webhooks ----------------------------------------------------------------------------------
def place_calls(mock: Server, count: int) -> None:
    call = next(op for op in measured(mock) if op.name == "POST /obd-api-v1")

    async def main() -> None:
        async with httpx.AsyncClient(base_url=mock.base, headers=call.headers, timeout=60) as client:
            async def one() -> None:
                response = await client.post(call.path, content=numbered(call.body),
                                             headers={"Content-Type": "application/json"})
                response.raise_for_status()
            for start in range(0, count, 200):
                await asyncio.gather(*(one() for _ in range(min(200, count - start))))
    asyncio.run(main())


def webhooks(options: argparse.Namespace) -> None:
    print("\n## 3. Webhooks\n")
    with running([*UVICORN, "receiver_app:app"], "/arrivals") as receiver:
        hooks = {"url": f"{receiver.base}/hooks", "events": ["call.*"]}
        advances, cpus = {}, {}  # wall seconds; the server's CPU seconds (which a loaded machine moves least)
        for subscribed in (True, False):
            with simulator("--clock", "manual") as mock:
                if subscribed:
                    httpx.post(f"{mock.base}/_mock/webhooks", json=hooks).raise_for_status()
                place_calls(mock, options.calls)
                began, cpu = time.perf_counter(), mock.cpu_seconds()
                httpx.post(f"{mock.base}/_mock/clock/advance", json={"seconds": 900}, timeout=600).raise_for_status()
                advances[subscribed] = time.perf_counter() - began
                cpus[subscribed] = mock.cpu_seconds() - cpu
        events = len(httpx.get(f"{receiver.base}/arrivals").json())
        print(f"manual clock, {options.calls} calls placed, then one advance of 900 s over their {events:,} events:")
        print(f"- without a subscriber: {advances[False]:.2f} s (server CPU {cpus[False]:.2f} s)")
        print(f"- with a local receiver subscribed: {advances[True]:.2f} s (server CPU {cpus[True]:.2f} s), "
              f"{events / advances[True]:,.0f} deliveries/s\n")

        with simulator("--clock", "real") as mock:
            httpx.post(f"{mock.base}/_mock/webhooks", json=hooks).raise_for_status()
            before = time.time()
            server_now = parse(httpx.get(f"{mock.base}/_mock/clock").json()["now"])
            offset = server_now - (before + time.time()) / 2  # the server's clock minus the wall clock
            place_calls(mock, 200)
            time.sleep(options.webhook_seconds)
            arrived = httpx.get(f"{receiver.base}/arrivals").json()
        late = [(at + offset - parse(stamp)) * 1000 for at, stamp in arrived]
        p50, p99 = percentiles(late) if late else (float("nan"), float("nan"))
        print(f"real clock, 200 concurrent calls, {len(late):,} events in {options.webhook_seconds} s: lateness "
              f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, worst {max(late, default=float('nan')):.1f} ms")


def parse(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run (default 5)")
    parser.add_argument("--requests", type=int, default=3000, help="requests per measurement without wrk")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sizes", type=lambda s: [int(n) for n in s.split(",")], default=[10_000, 50_000],
                        help="contacts of the grown states (default 10000,50000)")
    parser.add_argument("--samples", type=int, default=200, help="requests per growth measurement")
    parser.add_argument("--scale", type=int, default=100_000,
                        help="contacts and finished calls of the scale measurement (default 100000)")
    parser.add_argument("--calls", type=int, default=1000, help="calls played in the manual-clock advance")
    parser.add_argument("--webhook-seconds", type=int, default=15)
    parser.add_argument("--only", choices=["throughput", "growth", "webhooks"])
    parser.add_argument("--quick", action="store_true", help="a smoke run: short, small and few")
    options = parser.parse_args()
    if options.quick:
        options.seconds, options.requests, options.sizes, options.samples, options.scale = 1, 200, [1000], 20, 2000
        options.calls, options.webhook_seconds = 50, 3
    print(f"# myoperator-mock benchmark, {time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, "
          f"{len(os.sched_getaffinity(0))} cores")
    for section in (throughput, growth, webhooks):
        if options.only in (None, section.__name__):
            section(options)


if __name__ == "__main__":
    main()
