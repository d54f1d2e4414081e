"""Webhook delivery: the server's only outbound I/O.

``emit`` is called by whatever changes state (the scenario engine's steps, API handlers): it
keeps the event in the tenant's event log and makes one *delivery* per matching subscription.
A delivery is a document in the tenant's state (so a restart with ``--data-dir`` resumes it):
the rendered body, the target, the headers, and every attempt with its moment, status, latency
and a snippet of the answer. Attempts are HTTP POSTs made on the event loop (``sender``), one lane
(a FIFO and a task) per target URL, so a slow receiver holds up only its own events.

A 2xx answer means delivered. Anything else (non-2xx, timeout, refused connection) schedules the
next attempt on the server's clock after the published back-off (``RETRY_SCHEDULE``, Svix's); the
same event_id and body go out every time. On a manual clock the retries fire as the clock is
advanced, and ``AppContext.advance_clock`` waits for each attempt (``settle``) before firing the
next job, so a 27-hour schedule plays out, in order, in one call. A lane whose attempt times out is
no longer waited for until the advance ends: a receiver that hangs costs an advance one timeout, not
attempts x events x timeout; its lane keeps sending, in order, after the advance has returned.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter, deque
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from mock_server import schemas
from mock_server.clock import iso, parse_iso
from mock_server.store import TenantState
from mock_server.store.names import WEBHOOK_DELIVERIES, WEBHOOK_EVENTS
from mock_server.webhooks import subscriptions as subs
from mock_server.webhooks.encode import encode
from mock_server.webhooks.sender import SEND_ERRORS, Sender

if TYPE_CHECKING:
    from mock_server.context import AppContext

log = logging.getLogger("mock_server.webhooks")

SUBSCRIPTIONS = "webhook_subscriptions"  # the meta key of subscriptions added at run time
ATTEMPT = "webhook.attempt"
# Seconds from a failed attempt to the next one: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h, 10 h (Svix's published schedule; MyOperator publishes none). Eight attempts over ~27.6 h.
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)
SNIPPET = 500
USER_AGENT = "MyOperator-Webhooks (myoperator-mock)"


def _tell(delivery: dict, attempt: dict, tries: int) -> None:
    """The console's line for one attempt: what went where, the answer, and what happens next."""
    ok = attempt["status_code"] is not None and 200 <= attempt["status_code"] < 300
    level = logging.INFO if delivery["status"] == "delivered" and ok else logging.WARNING
    if not log.isEnabledFor(level):
        return  # (the line and its fields are not made for nobody)
    answer = attempt["status_code"] if attempt["status_code"] is not None else attempt["error"]
    which = "redelivery" if attempt["redelivery"] else f"attempt {tries} of {len(RETRY_SCHEDULE) + 1}"
    if delivery["status"] == "pending":
        outcome = f"next retry in {RETRY_SCHEDULE[tries - 1]:g} s, at {delivery['next_attempt_at']}"
    elif delivery["status"] == "failed":
        outcome = "no retry left: failed"
    else:
        outcome = "delivered" if ok else "not retried"
    log.log(level, "webhook %s -> %s: %s in %g ms (%s; %s)", delivery["event_type"], delivery["url"], answer,
            attempt["latency_ms"], which, outcome,
            extra={"event": "webhook.attempt", "event_type": delivery["event_type"], "url": delivery["url"],
                   "delivery_id": delivery["id"], "event_id": delivery["event_id"],
                   "company_id": delivery["company_id"], "status_code": attempt["status_code"],
                   "error": attempt["error"], "latency_ms": attempt["latency_ms"],
                   "attempt": attempt["n"], "attempts": len(RETRY_SCHEDULE) + 1, "redelivery": attempt["redelivery"],
                   "status": delivery["status"], "next_attempt_at": delivery["next_attempt_at"]})


class InvalidPayload(ValueError):
    """An emitted body that breaks its schema: a bug in the simulator (raised only with --strict)."""


def schema_name(event_type: str, fmt: str) -> str:
    """The JSON Schema a body of this event and format must satisfy."""
    if fmt == "legacy_call":
        return "webhooks/legacy.disposition" if event_type == "disposition" else "webhooks/legacy.call_log"
    if fmt == "legacy_whatsapp":
        special = f"webhooks/legacy.{event_type.removeprefix('message.')}"
        return special if special in schemas.names() else "webhooks/legacy.message"
    return f"webhooks/{event_type}"


def check(event: dict) -> None:
    for fmt, body in event["bodies"].items():
        if body is None:
            continue
        if errors := schemas.field_errors(schema_name(event["event_type"], fmt), body):
            raise InvalidPayload(f"{event['event_type']} ({fmt}) breaks its schema: {errors}")


class Dispatcher:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        settings = ctx.settings
        self.strict = settings.strict
        self.log_size = settings.delivery_log_size
        self.timeout = settings.webhook_timeout
        # From --webhook-url / --webhook-config: fixed for the server's life, unlike those added at run time.
        self.configured = [dict(s, source="config", company_id=s.get("company_id"))
                           for s in settings.webhook_subscriptions]
        self._lanes: dict[str, deque[tuple[str, str, int]]] = {}  # url: (company id, delivery id, attempt number)
        self._workers: dict[str, asyncio.Task] = {}
        self._busy: Counter[str] = Counter()  # url: attempts queued or in flight
        self._given_up: set[str] = set()  # lanes this advance no longer waits for (an attempt timed out)
        self._changed: asyncio.Condition | None = None
        self._sender: Sender | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queued: set[tuple[str, int]] = set()  # (delivery id, attempt number) in a lane or in flight
        kept = json.loads(ctx.store.backend.get_meta(SUBSCRIPTIONS) or "[]")
        self._added: dict[str, dict] = {s["id"]: s for s in kept}
        ctx.scheduler.register(ATTEMPT, lambda tenant_id, job: self._enqueue(tenant_id, job["delivery_id"], job["n"]))

    # --- ids and subscriptions -------------------------------------------------------------
    def new_event_id(self) -> str:
        """event-<72 hex>, the documented shape; deterministic for a seed like every other id."""
        ids = self.ctx.ids
        return "event-" + (ids.uuid_hex() + ids.uuid_hex() + ids.uuid_hex())[:72]

    def subscriptions(self, company_id: str | None = None) -> list[dict]:
        """Configured subscriptions, then those added through /_mock/webhooks (for one company, or all)."""
        every = [*self.configured, *self._added.values()]
        return [s for s in every if company_id is None or s.get("company_id") in (None, company_id)]

    def add_subscription(self, subscription: dict) -> dict:
        """Kept across resets and (with --data-dir) restarts: a subscription is configuration, not data."""
        self._added[subscription["id"]] = dict(subscription, source="api")
        self._save_subscriptions()
        return self._added[subscription["id"]]

    def remove_subscription(self, subscription_id: str | None = None) -> bool:
        if subscription_id is None:
            self._added.clear()
        elif self._added.pop(subscription_id, None) is None:
            return False
        self._save_subscriptions()
        return True

    def _save_subscriptions(self) -> None:
        self.ctx.store.backend.set_meta(SUBSCRIPTIONS, json.dumps(list(self._added.values())))

    # --- emitting ----------------------------------------------------------------------------
    def emit(self, tenant: TenantState, event: dict) -> None:
        """Log the event and queue a delivery to each subscription that wants it."""
        if self.strict:
            check(event)
        tenant[WEBHOOK_EVENTS].put(dict(event, id=event["event_id"]))
        now = iso(self.ctx.now())  # one reading: every delivery of this event is created (and due) now
        for subscription in self.subscriptions(tenant.company_id):
            if subs.matches(subscription, event):
                delivery = self._new_delivery(tenant.company_id, subscription, event, now)
                tenant[WEBHOOK_DELIVERIES].put(delivery)
                # Queued now, sent later by the lane's task: by then a unit of work that failed has
                # removed the delivery document, and ``_attempt`` skips an attempt whose document is gone.
                self._enqueue(tenant.company_id, delivery["id"], 1)
        self._trim(tenant)

    def _new_delivery(self, company_id: str, subscription: dict, event: dict, now: str) -> dict:
        fmt = subscription["format"]
        return {
            "id": self.ctx.ids.uuid(), "company_id": company_id, "event_id": event["event_id"],
            "event_type": event["event_type"],
            "session_id": event["session_id"], "channel": event["channel"], "subscription_id": subscription["id"],
            "url": subscription["url"], "format": fmt, "content_type": subscription["content_type"],
            "headers": subs.request_headers(subscription), "body": event["bodies"][fmt],
            "status": "pending", "attempts": [], "redelivering": False, "created_at": now,
            "next_attempt_at": now, "delivered_at": None,
        }

    def _trim(self, tenant: TenantState) -> None:
        """Keep the logs bounded: drop the oldest finished entries (a pending delivery is never dropped)."""
        events = tenant[WEBHOOK_EVENTS]
        while len(events) > self.log_size and (oldest := events.first()) is not None:
            events.delete(oldest["id"])
        deliveries = tenant[WEBHOOK_DELIVERIES]
        excess = len(deliveries) - self.log_size
        if excess <= 0:
            return
        for delivery in deliveries.first_matching(lambda d: d["status"] != "pending", excess):
            deliveries.delete(delivery["id"])

    # --- the queue ---------------------------------------------------------------------------
    def _enqueue(self, company_id: str, delivery_id: str, n: int) -> None:
        """Queue attempt number ``n`` (an attempt whose number is no longer next is skipped: no duplicates)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # emitted outside the server's loop (a script, a test's thread): the
            return            # delivery stays pending in the log and ``flush`` queues it
        self._bind(loop)
        tenant = self.ctx.store.tenant(company_id)
        delivery = tenant[WEBHOOK_DELIVERIES].get(delivery_id) if tenant else None
        if delivery is None or (delivery_id, n) in self._queued:
            return
        self._queued.add((delivery_id, n))
        self._busy[delivery["url"]] += 1
        self._lanes.setdefault(delivery["url"], deque()).append((company_id, delivery_id, n))
        worker = self._workers.get(delivery["url"])
        if worker is None or worker.done():
            self._workers[delivery["url"]] = loop.create_task(self._drain(delivery["url"]))

    def _bind(self, loop: asyncio.AbstractEventLoop) -> asyncio.Condition:
        """Loop-bound helpers are made on the loop that first needs them (tests start several apps)."""
        if self._loop is not loop:
            self._loop, self._sender, self._changed = loop, None, asyncio.Condition()
            self._lanes, self._workers, self._busy, self._queued = {}, {}, Counter(), set()
        return self._signal()

    def _signal(self) -> asyncio.Condition:
        """Notified after every attempt: every attempt and wait is queued after ``_bind`` made it."""
        assert self._changed is not None, "bound by _bind"
        return self._changed

    def kick(self) -> None:
        """At start-up: every pending delivery a restart left behind goes out when it is due."""
        now = self.ctx.now()
        for tenant, delivery, n, due in self._pending():
            if due > now:
                self.ctx.scheduler.add(f"{delivery['id']}:{n}", tenant.company_id, due, ATTEMPT,
                                       {"delivery_id": delivery["id"], "n": n})
        self._catch_up()

    def _pending(self):
        for tenant in list(self.ctx.store.tenants.values()):
            for delivery in tenant[WEBHOOK_DELIVERIES]:
                if delivery["status"] == "pending":
                    yield tenant, delivery, len(delivery["attempts"]) + 1, parse_iso(delivery["next_attempt_at"])

    def _catch_up(self) -> None:
        """Queue the due attempts nobody queued (emitted outside the event loop)."""
        now = self.ctx.now()
        for tenant, delivery, n, due in self._pending():
            if due <= now:
                self._enqueue(tenant.company_id, delivery["id"], n)

    async def flush(self) -> None:
        """At the start of an advance: make every attempt due by now, and wait for them."""
        self._bind(asyncio.get_running_loop())
        self._given_up.clear()  # each advance waits for every lane again, up to one timeout
        self._catch_up()
        await self.settle()

    async def settle(self) -> None:
        """Wait until every queued attempt has been made (the manual clock's advance calls this), but for
        the lanes given up on in this advance: a timed-out attempt says the receiver is not answering."""
        if self._changed is None or self._loop is not asyncio.get_running_loop():
            return
        async with self._changed:
            await self._changed.wait_for(
                lambda: all(url in self._given_up for url, busy in self._busy.items() if busy))

    async def _drain(self, url: str) -> None:
        lane = self._lanes[url]
        changed = self._signal()
        while lane:
            company_id, delivery_id, n = lane.popleft()
            try:
                await self._attempt(company_id, delivery_id, n)
            except Exception:  # a bug must not stall the lane: log it, keep delivering
                log.exception("webhook attempt %s failed unexpectedly", delivery_id)
            finally:
                self._queued.discard((delivery_id, n))
                self._busy[url] -= 1
                async with changed:
                    changed.notify_all()

    # --- one attempt -------------------------------------------------------------------------
    async def _attempt(self, company_id: str, delivery_id: str, n: int) -> None:
        tenant = self.ctx.store.tenant(company_id)
        delivery = tenant[WEBHOOK_DELIVERIES].get(delivery_id) if tenant else None
        if tenant is None or delivery is None or delivery["status"] != "pending" or len(delivery["attempts"]) + 1 != n:
            return  # a reset removed it, it was delivered meanwhile, or this attempt was already made
        content, content_type = encode(delivery["body"], delivery["content_type"], delivery["format"])
        headers = httpx.Headers({"User-Agent": USER_AGENT})  # a configured User-Agent replaces ours
        headers.update(delivery["headers"])
        headers["Content-Type"] = content_type
        attempt: dict[str, Any] = {"n": n, "at": iso(self.ctx.now()), "redelivery": delivery["redelivering"],
                                   "status_code": None, "error": None, "latency_ms": None, "response": ""}
        started = time.perf_counter()
        try:
            # the whole attempt is bounded in time (a receiver that hangs, or trickles its answer)
            async with asyncio.timeout(self.timeout):
                status_code, text = await self._http().post(delivery["url"], content, headers)
            attempt.update(status_code=status_code, response=text[:SNIPPET])
        except (httpx.TimeoutException, TimeoutError):
            attempt["error"] = f"timed out after {self.timeout:g} s"
            self._given_up.add(delivery["url"])
        except SEND_ERRORS as exc:
            attempt["error"] = f"{type(exc).__name__}: {exc}"[:SNIPPET]
        attempt["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        self._record(tenant, delivery_id, attempt)

    def _record(self, tenant: TenantState, delivery_id: str, attempt: dict) -> None:
        delivery = tenant[WEBHOOK_DELIVERIES].get(delivery_id)
        if delivery is None:  # reset while the request was in flight
            return
        delivery = dict(delivery, attempts=[*delivery["attempts"], attempt], redelivering=False)
        ok = attempt["status_code"] is not None and 200 <= attempt["status_code"] < 300
        tries = sum(1 for a in delivery["attempts"] if not a["redelivery"])
        if ok:
            delivery.update(status="delivered", delivered_at=delivery["delivered_at"] or attempt["at"],
                            next_attempt_at=None)
        elif attempt["redelivery"] or tries > len(RETRY_SCHEDULE):
            # A redelivery is one extra try; a delivery that got through before stays delivered.
            delivery.update(status="delivered" if delivery["delivered_at"] else "failed", next_attempt_at=None)
        else:
            due = self.ctx.now() + timedelta(seconds=RETRY_SCHEDULE[tries - 1])
            n = len(delivery["attempts"]) + 1
            delivery["next_attempt_at"] = iso(due)
            self.ctx.scheduler.add(f"{delivery_id}:{n}", tenant.company_id, due, ATTEMPT,
                                   {"delivery_id": delivery_id, "n": n})
        tenant[WEBHOOK_DELIVERIES].put(delivery)
        self._trim(tenant)
        _tell(delivery, attempt, tries)

    def _http(self) -> Sender:
        if self._sender is None:
            self._sender = Sender(self.timeout)
        return self._sender

    # --- the log -----------------------------------------------------------------------------
    def events(self, company_id: str) -> list[dict]:
        tenant = self.ctx.store.tenant(company_id)
        return [{k: v for k, v in e.items() if k != "id"} for e in tenant[WEBHOOK_EVENTS]] if tenant else []

    def deliveries(self, company_id: str | None = None) -> list[dict]:
        tenants = [self.ctx.store.tenant(company_id)] if company_id else list(self.ctx.store.tenants.values())
        return [d for t in tenants if t is not None for d in t[WEBHOOK_DELIVERIES]]

    def find_delivery(self, delivery_id: str) -> tuple[TenantState, dict] | None:
        for tenant in self.ctx.store.tenants.values():
            if (found := tenant[WEBHOOK_DELIVERIES].get(delivery_id)) is not None:
                return tenant, found
        return None

    def redeliver(self, tenant: TenantState, delivery_id: str) -> dict:
        """Send a delivery once more, same event_id and body (to test a receiver's deduplication)."""
        current = tenant[WEBHOOK_DELIVERIES].get(delivery_id)
        if current is None:  # the caller found it in this tenant's log (find_delivery)
            raise KeyError(delivery_id)
        delivery = dict(current, status="pending", next_attempt_at=iso(self.ctx.now()), redelivering=True)
        tenant[WEBHOOK_DELIVERIES].put(delivery)
        self._enqueue(tenant.company_id, delivery_id, len(delivery["attempts"]) + 1)
        return delivery

    def idle(self) -> bool:
        """No attempt is queued or in flight (a retry not yet due on the clock is neither)."""
        return not any(self._busy.values())

    async def wait_for(self, matches, count: int, timeout: float, settled: bool = False) -> bool:
        """Wait (real seconds) until ``count`` deliveries satisfy ``matches`` and, when ``settled``, every
        queued attempt has been made; False on timeout."""
        loop = asyncio.get_running_loop()
        changed = self._bind(loop)
        self._catch_up()
        deadline = loop.time() + timeout
        async with changed:
            while (settled and not self.idle()) or sum(1 for d in self.deliveries() if matches(d)) < count:
                left = deadline - loop.time()
                if left <= 0:
                    return False
                try:
                    await asyncio.wait_for(changed.wait(), left)
                except TimeoutError:
                    return False
        return True

    async def close(self) -> None:
        for task in self._workers.values():
            task.cancel()
        if self._sender is not None:
            await self._sender.close()
            self._sender = None
