"""The app's whole state, owned by one app instance (nothing lives in module globals)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from mock_server import fixtures as fixture_data
from mock_server.clock import Clock, ManualClock, RealClock, Scheduler, TickingClock, iso, parse_iso
from mock_server.faults import Faults
from mock_server.ids import IdFactory
from mock_server.journal import Journal
from mock_server.settings import Settings
from mock_server.store import SqliteBackend, Store, TenantState
from mock_server.store.names import JOBS
from mock_server.webhooks.dispatcher import Dispatcher

if TYPE_CHECKING:
    from mock_server.engine.steps import Vocabulary

MANUAL_CLOCK = "manual_clock"  # where a manual clock's time is kept across restarts


class AppContext:
    vocabulary: Vocabulary  # the scenario actions and parameter kinds, given by engine.register_actions

    def __init__(self, settings: Settings):
        self.settings = settings
        self.started_monotonic = time.monotonic()  # for GET /_mock/health's uptime: wall time, whatever the clock does
        self.fixtures = (fixture_data.load_file(settings.fixtures_path) if settings.fixtures_path
                         else fixture_data.for_seed(settings.seed))
        backend = SqliteBackend(settings.data_dir / "state.sqlite3") if settings.data_dir else None
        self.store = Store(backend)
        self.clock = self._make_clock()
        # Read once: on the real clock the fixtures' timestamps are anchored here, at every reset alike.
        self.started_at = self.clock.now()
        self.ids = IdFactory(settings.seed, self.store.backend.bump_generation())
        self.journal = Journal(settings.journal_size)
        self.faults = Faults(self.clock)
        self.scheduler = Scheduler(self.clock)
        self.scheduler.on_fire = self._forget_job
        self.webhooks = Dispatcher(self)
        if not self.store.restore():
            self.reset()
        else:
            for tenant in self.store.tenants.values():
                self._reschedule(tenant)

    def _make_clock(self) -> Clock:
        if self.settings.clock in ("manual", "ticking"):
            # A restarted manual clock resumes where it stood: time never runs backwards over kept state.
            saved = self.store.backend.get_meta(MANUAL_CLOCK)
            start = (parse_iso(saved) if saved else self.settings.clock_start
                     or parse_iso(self.fixtures.get("reference_time", iso(fixture_data.REFERENCE_TIME))))
            return TickingClock(start) if self.settings.clock == "ticking" else ManualClock(start)
        return RealClock(self.settings.speed)

    async def advance_clock(self, target: datetime) -> int:
        """Move the manual clock, firing what falls due on the way; the new time is durable.

        Every webhook attempt a job queues is made before the next job fires, so receivers see
        events in order and each retry is scheduled from the moment its attempt failed; but once an
        attempt to a URL times out, the advance stops waiting for that URL (its lane goes on after).
        """
        await self.webhooks.flush()
        fired = 0
        while self.scheduler.fire_next(target):
            fired += 1
            await self.webhooks.settle()
        self.scheduler.finish_at(target)
        self.store.backend.set_meta(MANUAL_CLOCK, iso(self.clock.now()))
        return fired

    # --- tenants -------------------------------------------------------------------------
    def tenant_fixtures(self) -> dict[str, dict[str, Any]]:
        return {t["company_id"]: t for t in self.fixtures["tenants"]}

    def reset(self, company_id: str | None = None) -> list[str]:
        """Put one tenant (or all) back to its fixtures; pending timed changes are dropped."""
        fixtures = self.tenant_fixtures()
        targets = [company_id] if company_id else list(fixtures)
        with self.store.transaction():
            if company_id is None:
                for stale in set(self.store.tenants) - set(fixtures):
                    self.store.on_rollback(partial(self._rebuild_jobs, stale))  # runs once it is back
                    self.scheduler.cancel_tenant(stale)
                    self.store.drop(stale)
            reference = self.fixtures.get("reference_time", iso(fixture_data.REFERENCE_TIME))
            # On a manual clock the fixtures' dates stand as written (the reference instant is its
            # default start); on the real clock they keep their distance from the server's start.
            anchor = None if self.clock.manual else self.started_at
            for cid in targets:
                self.store.on_rollback(partial(self._rebuild_jobs, cid))
                self.scheduler.cancel_tenant(cid)
                state = fixture_data.tenant_state(fixtures[cid], reference, anchor)
                self._reschedule(self.store.seed(cid, state))
        return targets

    def authenticate(self, company_id: str, api_key: str) -> TenantState | None:
        tenant = self.store.tenant(company_id)
        if tenant is None or not api_key or tenant.account.get("api_key") != api_key:
            return None
        return tenant

    # --- timed changes -------------------------------------------------------------------
    def schedule(self, tenant: TenantState, delay_seconds: float, action: str, payload: dict,
                 since: datetime | None = None) -> str:
        """A timed change ``delay_seconds`` after ``since`` (the caller's moment; default: now)."""
        job_id = self.ids.uuid()
        due = (since or self.clock.now()) + timedelta(seconds=delay_seconds)
        tenant[JOBS].put({"id": job_id, "due_at": iso(due), "action": action, "payload": payload})
        self.scheduler.add(job_id, tenant.company_id, due, action, payload)
        self.store.on_rollback(lambda: self.scheduler.cancel(job_id))  # a failed unit leaves no job to fire
        return job_id

    def unschedule(self, tenant: TenantState, job_id: str) -> None:
        """Cancel a pending job (one a failed unit gets back)."""
        job = tenant[JOBS].get(job_id)
        self.scheduler.cancel(job_id)
        tenant[JOBS].delete(job_id)
        if job is not None:
            def reschedule() -> None:
                self.scheduler.add(job_id, tenant.company_id, parse_iso(job["due_at"]), job["action"], job["payload"])

            self.store.on_rollback(reschedule)

    def _rebuild_jobs(self, company_id: str) -> None:
        """The heap's jobs of a tenant a failed reset put back, from its kept jobs."""
        self.scheduler.cancel_tenant(company_id)
        if (tenant := self.store.tenant(company_id)) is not None:
            self._reschedule(tenant)

    def _reschedule(self, tenant: TenantState) -> None:
        for job in tenant[JOBS]:
            self.scheduler.add(job["id"], tenant.company_id, parse_iso(job["due_at"]), job["action"], job["payload"])

    def _forget_job(self, job) -> None:
        tenant = self.store.tenant(job.tenant_id)
        if tenant is not None:
            tenant[JOBS].delete(job.id)

    def now(self) -> datetime:
        return self.clock.now()

    def close(self) -> None:
        self.store.backend.close()
