"""SIGKILL in the middle of a write load on --data-dir: after a restart on the same directory every write
that was acknowledged (a 2xx received) is there, and the wallet agrees with the messages that were kept."""

from __future__ import annotations

import math
import threading
import time

import httpx

from tests.reliability.conftest import all_messages, contact_body, obd_request_ids, template_message

WRITERS = 16
KILL_AFTER_ACKS = 150   # kill once this many writes were acknowledged (or after KILL_AFTER_SECONDS)
KILL_AFTER_SECONDS = 5.0
WALLET = 10000.0


def writer(served, index: int, tenant, acked: list, broken: list, stop: threading.Event, lock) -> None:
    with served.client() as client:
        for n in range(10_000):
            if stop.is_set():
                return
            number = f"96{index:02d}{n:06d}"
            kind = ("contact", "message", "obd")[n % 3]
            try:
                if kind == "contact":
                    name = f"Kill {index} {n}"
                    r = client.post("/contacts", headers=tenant.headers, json=contact_body(number, name))
                    ack = (kind, tenant.company_id, r.json()["data"]["id"], name) if r.is_success else None
                elif kind == "message":
                    r = client.post("/chat/messages", headers=tenant.headers, json=template_message(tenant, number))
                    ack = (kind, tenant.company_id, r.json()["data"]["message_id"], None) if r.is_success else None
                else:
                    r = client.post("/obd-api-v1", headers=tenant.obd_headers, json=tenant.obd_request(f"+91{number}"))
                    ack = (kind, tenant.company_id, r.json()["unique_id"], None) if r.is_success else None
            except httpx.TransportError:
                broken.append(index)  # the server is gone: this write was never acknowledged
                return
            assert r.status_code < 500, r.text
            if ack:
                with lock:
                    acked.append(ack)


def test_every_write_acknowledged_before_a_sigkill_is_there_after_a_restart(serve, tmp_path):
    data = str(tmp_path / "data")
    served = serve("--data-dir", data)
    tenants = served.tenants()
    with served.client() as client:
        for tenant in tenants:
            assert client.patch(f"/_mock/tenants/{tenant.company_id}", json={"wallet_balance": WALLET}).is_success
        before = {t.company_id: {m["id"] for m in all_messages(client, t.company_id)} for t in tenants}

    acked: list = []
    broken: list = []
    stop, lock = threading.Event(), threading.Lock()
    threads = [threading.Thread(target=writer, args=(served, i, tenants[i % 2], acked, broken, stop, lock), daemon=True)
               for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + KILL_AFTER_SECONDS
    while len(acked) < KILL_AFTER_ACKS and time.monotonic() < deadline:  # real time: the load runs meanwhile
        time.sleep(0.02)
    served.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert broken, "no writer was cut off: the kill did not land mid-load"
    assert {kind for kind, *_ in acked} == {"contact", "message", "obd"}, acked[:5]

    restarted = serve("--data-dir", data)
    with restarted.client() as client:
        for kind, company_id, ident, name in acked:
            if kind == "contact":
                tenant = next(t for t in tenants if t.company_id == company_id)
                r = client.get(f"/contacts/{ident}", headers=tenant.headers)
                assert r.status_code == 200 and r.json()["data"]["name"] == name, (ident, r.text)
        for tenant in tenants:
            cid = tenant.company_id
            messages = [m for m in all_messages(client, cid) if m["id"] not in before[cid]]
            assert {i for k, c, i, _ in acked if k == "message" and c == cid} <= {m["id"] for m in messages}
            assert {i for k, c, i, _ in acked if k == "obd" and c == cid} <= obd_request_ids(client, cid)
            # what was debited is what the kept messages cost: a message and its charge are one write
            wallet = client.get(f"/_mock/tenants/{cid}").json()["wallet_balance"]
            spent = sum(m["price"] for m in messages)
            assert math.isclose(wallet, WALLET - spent, abs_tol=1e-6), (wallet, spent, len(messages))
    restarted.assert_healthy(tenants[0])
