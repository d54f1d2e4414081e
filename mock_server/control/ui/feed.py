"""What the UI's live feed tells a page: new API requests from the journal, new webhook events, deliveries
whose attempts changed, the clock; and a tenant whose state was put back (a reset) so the page reloads it.

``Watch`` remembers what one stream has already sent; ``changes`` compares the simulator with it and
returns the news as (SSE event name, data) pairs. It reads the journal and the logs the control plane
reads, so the feed and GET /_mock/journal, /_mock/events, /_mock/deliveries never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.control.common import clock_reading
from mock_server.store.names import WEBHOOK_EVENTS

if TYPE_CHECKING:
    from mock_server.context import AppContext

RECENT = 200  # what a page that just connected is shown first, of each feed


class Watch:
    def __init__(self, journal_seq: int | None = None):
        self.journal_seq = journal_seq  # None: a new page, shown the recent requests
        self.events: dict[str, set[str]] = {}  # company_id -> the event ids sent
        self.deliveries: dict[str, tuple] = {}  # delivery id -> what of it was sent
        self.clock: dict | None = None


def clock_summary(ctx: AppContext) -> dict:
    return {**clock_reading(ctx), "pending": len(ctx.scheduler.pending())}


def changes(ctx: AppContext, watch: Watch) -> list[tuple[str, Any]]:
    news: list[tuple[str, Any]] = []
    news += _requests(ctx, watch)
    for company_id, tenant in list(ctx.store.tenants.items()):
        news += _events(watch, company_id, tenant)
    news += _deliveries(ctx, watch)
    clock = clock_summary(ctx)
    if clock != watch.clock:
        watch.clock = clock
        news.append(("clock", clock))
    return news


def _requests(ctx: AppContext, watch: Watch) -> list[tuple[str, Any]]:
    if watch.journal_seq is None:
        entries = ctx.journal.since(0)[-RECENT:]
    else:
        entries = ctx.journal.since(watch.journal_seq) if ctx.journal.last_seq > watch.journal_seq else []
    watch.journal_seq = ctx.journal.last_seq
    return [("request", entry) for entry in entries]


def _events(watch: Watch, company_id: str, tenant) -> list[tuple[str, Any]]:
    logged = tenant[WEBHOOK_EVENTS]
    sent = watch.events.get(company_id)
    last = logged.last()
    if sent is not None and len(logged) == len(sent) and (last is None or last["id"] in sent):
        return []  # the common case, cheaply: nothing new
    current = list(logged)
    news: list[tuple[str, Any]] = []
    # The log is trimmed from the front only once it is full, so it never shrinks but when the tenant is
    # put back to its fixtures: the page reloads what it shows of that tenant.
    if sent is not None and len(current) < len(sent):
        news.append(("reset", {"company_id": company_id}))
    fresh = [e for e in current if sent is None or e["id"] not in sent]
    news += [("event", _event(company_id, e)) for e in (fresh if sent is not None else fresh[-RECENT:])]
    watch.events[company_id] = {e["id"] for e in current}
    return news


def _event(company_id: str, event: dict) -> dict:
    bodies = event.get("bodies") or {}
    body = bodies.get("envelope") or next((b for b in bodies.values() if b is not None), None)
    return {"company_id": company_id, "event_id": event["event_id"], "event_type": event["event_type"],
            "channel": event.get("channel"), "session_id": event.get("session_id"), "at": event.get("at"),
            "body": body}


def _deliveries(ctx: AppContext, watch: Watch) -> list[tuple[str, Any]]:
    news = []
    current = ctx.webhooks.deliveries()
    if not watch.deliveries:
        current = current[-RECENT:]
    seen = set()
    for delivery in current:
        seen.add(delivery["id"])
        mark = (delivery["status"], len(delivery["attempts"]), delivery["redelivering"])
        if watch.deliveries.get(delivery["id"]) != mark:
            watch.deliveries[delivery["id"]] = mark
            news.append(("delivery", delivery))
    for gone in set(watch.deliveries) - seen:
        del watch.deliveries[gone]
    return news
