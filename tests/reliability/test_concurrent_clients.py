"""64 clients at once on a served simulator with --data-dir, every surface mixed, for a bounded time:
no answer is a 5xx, every create that was acknowledged can be read back afterwards, and the process's
memory stays bounded. Only outcomes are asserted, never timings."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

from tests.reliability.conftest import (
    all_messages,
    contact_body,
    obd_request_ids,
    template_message,
)

CLIENTS = 64
SECONDS = 4.0          # how long the clients keep sending (wall time; each stops by itself)
MAX_REQUESTS = 60      # and at most this many requests each
RSS_BOUND = 768 * 1024 * 1024  # generous: the served simulator sits near 100 MB


def client_loop(served, index: int, tenant, other, deadline: float, statuses: Counter, created: dict,
                failures: list, lock: threading.Lock) -> None:
    rng = random.Random(index)
    token = {"token": tenant.developer_token}
    cid = tenant.company_id
    mine = {"contacts": [], "messages": [], "calls": []}
    seen: Counter = Counter()
    with served.client() as client:
        for n in range(MAX_REQUESTS):
            if time.monotonic() > deadline:
                break
            number = f"97{index:02d}{n:06d}"
            kind = rng.choice(["contact", "contact", "list", "search", "get", "message", "message", "templates",
                               "phonenumbers", "obd", "users", "logs", "control", "control", "advance"])
            try:
                if kind == "contact":
                    r = client.post("/contacts", headers=tenant.headers, json=contact_body(number, f"Load {index} {n}"))
                    if r.status_code == 200:
                        mine["contacts"].append((r.json()["data"]["id"], f"Load {index} {n}"))
                elif kind == "list":
                    r = client.get("/contacts", headers=tenant.headers,
                                   params={"limit": 5, "offset": rng.randrange(20)})
                elif kind == "search":
                    r = client.post("/contacts", headers=tenant.headers, params={"limit": 10},
                                    json={"and": {"name__contains": f"Load {index}"}})
                elif kind == "get":
                    target = rng.choice(mine["contacts"])[0] if mine["contacts"] else "000000000000000000000000"
                    r = client.get(f"/contacts/{target}", headers=tenant.headers)
                elif kind == "message":
                    r = client.post("/chat/messages", headers=tenant.headers, json=template_message(tenant, number))
                    if r.status_code == 200:
                        mine["messages"].append(r.json()["data"]["message_id"])
                elif kind == "templates":
                    r = client.get("/chat/templates", headers=tenant.headers, params={"limit": 5})
                elif kind == "phonenumbers":
                    r = client.get("/chat/phonenumbers", headers=tenant.headers)
                elif kind == "obd":
                    r = client.post("/obd-api-v1", headers=tenant.obd_headers, json=tenant.obd_request(f"+91{number}"))
                    if r.status_code == 200:
                        mine["calls"].append(r.json()["unique_id"])
                elif kind == "users":
                    r = client.get("/search/user", params={**token, "page-size": 5})
                elif kind == "logs":
                    r = client.post("/search/search", params={**token, "page_size": 5})
                elif kind == "control":
                    path = rng.choice([f"/_mock/tenants/{cid}", f"/_mock/tenants/{other.company_id}/state",
                                       "/_mock/clock", "/_mock/health", f"/_mock/tenants/{cid}/obd-requests",
                                       "/_mock/deliveries", "/_mock/tenants"])
                    r = client.get(path)
                else:
                    r = client.post("/_mock/clock/advance", json={"seconds": 1})
            except Exception as error:  # a transport error or a hang is a failure too
                failures.append((kind, repr(error)))
                continue
            seen[(kind, r.status_code)] += 1
            if r.status_code >= 500:
                failures.append((kind, r.status_code, r.text[:300]))
    with lock:
        statuses.update(seen)
        for key, values in mine.items():
            created[cid][key] += values


def test_64_clients_mixing_every_surface_get_no_5xx_and_lose_no_acknowledged_create(serve, tmp_path):
    served = serve("--data-dir", str(tmp_path / "data"))
    tenants = served.tenants()
    with served.client() as control:
        for tenant in tenants:  # enough balance for every message the clients may send
            funded = control.patch(f"/_mock/tenants/{tenant.company_id}", json={"wallet_balance": 100000})
            assert funded.status_code == 200
    statuses: Counter = Counter()
    created = {t.company_id: {"contacts": [], "messages": [], "calls": []} for t in tenants}
    failures: list = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=client_loop, args=(served, i, tenants[i % 2], tenants[(i + 1) % 2], deadline,
                                                          statuses, created, failures, lock), daemon=True)
               for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client is still waiting for an answer"
    assert failures == [], failures[:10]
    assert sum(statuses.values()) >= CLIENTS  # the load really ran, every client sent something
    kinds = {kind for kind, _ in statuses}
    assert len(kinds) >= 12, statuses  # and mixed the surfaces
    for tenant in tenants:  # some creates of each kind were acknowledged, by each company
        assert all(created[tenant.company_id][key] for key in ("contacts", "messages", "calls")), created
    assert served.rss_bytes() < RSS_BOUND

    with served.client() as client:
        for tenant in tenants:
            mine = created[tenant.company_id]
            for contact_id, name in mine["contacts"]:
                r = client.get(f"/contacts/{contact_id}", headers=tenant.headers)
                assert r.status_code == 200 and r.json()["data"]["name"] == name, r.text
            stored = {m["id"] for m in all_messages(client, tenant.company_id)}
            assert set(mine["messages"]) <= stored
            assert set(mine["calls"]) <= obd_request_ids(client, tenant.company_id)
    served.assert_no_traceback()
