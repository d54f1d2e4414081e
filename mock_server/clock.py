"""One clock for the whole server, and the scheduler that fires timed state changes on it.

Every timestamp the server writes comes from ``Clock.now()``. ``ManualClock`` moves only when
told, which makes hour-long lifecycles run in milliseconds and repeat exactly (the model is
Stripe's test clocks); ``RealClock`` follows the wall clock, optionally sped up.
"""

from __future__ import annotations

import functools
import heapq
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

log = logging.getLogger("mock_server")

UTC = UTC


class Clock(Protocol):
    manual: bool

    def now(self) -> datetime: ...


class RealClock:
    """The wall clock, optionally sped up: ``speed`` simulated seconds pass per real second."""

    manual = False

    def __init__(self, speed: float = 1.0, monotonic: Callable[[], float] = time.monotonic):
        if not 0 < speed <= 10_000:
            raise ValueError("the speed factor must be above 0 and at most 10000")
        self.speed, self._monotonic = speed, monotonic
        self._origin = datetime.now(UTC)
        self._origin_mono = monotonic()

        self.paused = False

    def now(self) -> datetime:
        if self.paused:
            return self._origin
        return self._origin + timedelta(seconds=(self._monotonic() - self._origin_mono) * self.speed)

    def steer(self, *, speed: float | None = None, paused: bool | None = None) -> None:
        """Change the speed or pause (resume) from this instant on: time read so far stays as it was read."""
        if speed is not None and not 0 < speed <= 10_000:
            raise ValueError("the speed factor must be above 0 and at most 10000")
        reading = self._monotonic()  # one reading: the new anchor is exactly where the time stood
        if not self.paused:
            self._origin += timedelta(seconds=(reading - self._origin_mono) * self.speed)
        self._origin_mono = reading
        if speed is not None:
            self.speed = speed
        if paused is not None:
            self.paused = paused


class ManualClock:
    manual = True

    def __init__(self, start: datetime):
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        instant = instant.astimezone(UTC)
        if instant < self._now:
            raise ValueError("the clock cannot move backwards")
        self._now = instant


class TickingClock(ManualClock):
    """A manual clock that also moves a little on every read, as the real clock does between reads.

    The still manual clock hides "read the time twice" bugs: both readings agree, so a moment stored
    before an earlier one looks fine. Each ``now()`` here is strictly later than the one before, so
    the suite runs its timed paths under it too (``Settings(clock="ticking")``), and such a bug fails.
    """

    def __init__(self, start: datetime, tick: timedelta = timedelta(microseconds=1_000)):
        super().__init__(start)
        self.tick = tick

    def now(self) -> datetime:
        self._now += self.tick
        return self._now


# A step renders the same few moments many times over (every event's timestamps, the session's, the run's):
# both conversions are pure, of immutable values, so the recent ones are remembered.
@functools.lru_cache(maxsize=4096)
def iso(instant: datetime) -> str:
    """MyOperator's timestamp format: microseconds and a Z suffix."""
    # isoformat writes the same digits as strftime("%Y-%m-%dT%H:%M:%S.%f") at a third of the cost
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


@functools.lru_cache(maxsize=4096)
def parse_iso(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(order=True)
class Job:
    due_at: datetime
    seq: int
    tenant_id: str = field(compare=False)
    action: str = field(compare=False)
    payload: dict[str, Any] = field(compare=False)
    id: str = field(compare=False, default="")


Action = Callable[[str, dict[str, Any]], None]


class Scheduler:
    """Timed state changes, fired in due order on the clock.

    Jobs are persisted by the caller (who also forgets them in ``on_fire``) so that a restart with
    ``--data-dir`` keeps every pending change; actions are looked up by name so that a job is plain data.
    """

    def __init__(self, clock: Clock):
        self.clock = clock
        self._heap: list[Job] = []
        self._seq = 0
        self._actions: dict[str, Action] = {}
        self.on_fire: Callable[[Job], None] = lambda job: None
        # Told when a job becomes the next due: the real clock's ticker, asleep until the one before, wakes.
        self.on_earlier: Callable[[], None] = lambda: None

    def register(self, action: str, handler: Action) -> None:
        self._actions[action] = handler

    def add(self, job_id: str, tenant_id: str, due_at: datetime, action: str, payload: dict) -> Job:
        self._seq += 1
        job = Job(due_at.astimezone(UTC), self._seq, tenant_id, action, payload, job_id)
        heapq.heappush(self._heap, job)
        if self._heap[0] is job:
            self.on_earlier()
        return job

    def cancel_tenant(self, tenant_id: str) -> None:
        self._drop(lambda job: job.tenant_id == tenant_id)

    def cancel(self, job_id: str) -> None:
        self._drop(lambda job: job.id == job_id)

    def pending(self, tenant_id: str | None = None) -> list[Job]:
        return sorted(j for j in self._heap if tenant_id is None or j.tenant_id == tenant_id)

    def next_due(self) -> datetime | None:
        return self._heap[0].due_at if self._heap else None

    def run_due(self) -> int:
        """Fire every job due by now; cheap when nothing is due (one heap peek)."""
        fired = 0
        while (due := self.next_due()) is not None and due <= self.clock.now():
            self._fire(heapq.heappop(self._heap))
            fired += 1
        return fired

    def advance_to(self, target: datetime) -> int:
        """Move a manual clock to ``target``, firing each job due on the way at its own moment."""
        fired = 0
        while self.fire_next(target):
            fired += 1
        self.finish_at(target)
        return fired

    def fire_next(self, until: datetime) -> bool:
        """Fire the next job due by ``until``, the manual clock standing at its due time; False if none."""
        due = self.next_due()
        if due is None or due > until:
            return False
        job = heapq.heappop(self._heap)
        if job.due_at > self.clock.now():
            self._manual_clock().set(job.due_at)
        self._fire(job)
        return True

    def finish_at(self, target: datetime) -> None:
        if target > self.clock.now():
            self._manual_clock().set(target)

    def _manual_clock(self) -> ManualClock:
        if not isinstance(self.clock, ManualClock):
            raise TypeError("only a manual clock can be moved")
        return self.clock

    def _drop(self, unwanted: Callable[[Job], bool]) -> None:
        # Cancelling is rare (a reset, a deleted template): rebuilding the heap keeps firing simple.
        self._heap = [job for job in self._heap if not unwanted(job)]
        heapq.heapify(self._heap)

    def _fire(self, job: Job) -> None:
        handler = self._actions.get(job.action)
        if handler is None:  # a data dir written by another version: a job this server cannot do is dropped
            log.warning("dropped the timed job %s of tenant %s: no %r job here", job.id, job.tenant_id, job.action)
        else:
            handler(job.tenant_id, job.payload)
        self.on_fire(job)
