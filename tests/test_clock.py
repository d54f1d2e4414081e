from datetime import datetime, timedelta, timezone

import pytest

from mock_server.clock import ManualClock, Scheduler, iso, parse_iso

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_manual_clock_moves_only_forward():
    clock = ManualClock(T0)
    clock.set(T0 + timedelta(seconds=5))
    assert clock.now() == T0 + timedelta(seconds=5)
    with pytest.raises(ValueError):
        clock.set(T0)


def test_advance_fires_due_jobs_in_order_each_at_its_own_moment():
    clock = ManualClock(T0)
    scheduler = Scheduler(clock)
    seen = []
    scheduler.register("note", lambda tenant, payload: seen.append((payload["n"], clock.now())))
    scheduler.add("j3", "c", T0 + timedelta(seconds=30), "note", {"n": 3})
    scheduler.add("j1", "c", T0 + timedelta(seconds=10), "note", {"n": 1})
    scheduler.add("j2", "c", T0 + timedelta(seconds=20), "note", {"n": 2})
    scheduler.add("j4", "c", T0 + timedelta(seconds=99), "note", {"n": 4})
    assert scheduler.advance_to(T0 + timedelta(seconds=60)) == 3
    assert seen == [(1, T0 + timedelta(seconds=10)), (2, T0 + timedelta(seconds=20)), (3, T0 + timedelta(seconds=30))]
    assert clock.now() == T0 + timedelta(seconds=60)
    assert [j.id for j in scheduler.pending()] == ["j4"]


def test_cancelled_jobs_never_fire():
    clock = ManualClock(T0)
    scheduler = Scheduler(clock)
    seen = []
    scheduler.register("note", lambda tenant, payload: seen.append(payload["n"]))
    scheduler.add("a", "c1", T0 + timedelta(seconds=1), "note", {"n": 1})
    scheduler.add("b", "c2", T0 + timedelta(seconds=2), "note", {"n": 2})
    scheduler.add("c", "c1", T0 + timedelta(seconds=3), "note", {"n": 3})
    scheduler.cancel("a")
    scheduler.cancel_tenant("c1")
    scheduler.advance_to(T0 + timedelta(seconds=10))
    assert seen == [2]


def test_run_due_fires_only_what_is_due():
    clock = ManualClock(T0)
    scheduler = Scheduler(clock)
    seen = []
    scheduler.register("note", lambda tenant, payload: seen.append(payload["n"]))
    scheduler.add("a", "c", T0, "note", {"n": 1})
    scheduler.add("b", "c", T0 + timedelta(seconds=1), "note", {"n": 2})
    assert scheduler.run_due() == 1 and seen == [1]


def test_iso_round_trip():
    moment = datetime(2025, 7, 15, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert iso(moment) == "2025-07-15T10:00:00.123456Z"
    assert parse_iso(iso(moment)) == moment


def test_a_job_cancelled_then_added_again_under_its_id_fires_once():
    # A reset cancels a tenant's jobs and reloads the same ones from its fixtures.
    clock = ManualClock(T0)
    scheduler = Scheduler(clock)
    seen = []
    scheduler.register("note", lambda tenant, payload: seen.append(payload["n"]))
    scheduler.add("same", "c", T0 + timedelta(seconds=5), "note", {"n": 1})
    scheduler.cancel_tenant("c")
    scheduler.add("same", "c", T0 + timedelta(seconds=5), "note", {"n": 1})
    scheduler.advance_to(T0 + timedelta(seconds=10))
    assert seen == [1]


def test_the_real_clock_runs_at_its_speed():
    from mock_server.clock import RealClock
    ticks = iter([100.0, 102.5])  # real seconds, as time.monotonic would read them
    clock = RealClock(speed=10, monotonic=lambda: next(ticks))
    start = clock._origin
    assert clock.now() - start == timedelta(seconds=25)
    with pytest.raises(ValueError):
        RealClock(speed=0)


def test_the_scheduler_says_when_a_job_becomes_the_next_due():
    """The real clock's ticker sleeps until the next job: one added due sooner must wake it."""
    clock = ManualClock(datetime(2025, 7, 15, 10, 0, tzinfo=timezone.utc))
    scheduler = Scheduler(clock)
    woken = []
    scheduler.on_earlier = lambda: woken.append(True)
    now = clock.now()
    scheduler.add("a", "t", now + timedelta(seconds=60), "x", {})
    scheduler.add("b", "t", now + timedelta(seconds=90), "x", {})  # later than the next: no need to wake
    scheduler.add("c", "t", now + timedelta(seconds=5), "x", {})
    assert woken == [True, True]


def test_timestamps_are_written_with_microseconds_and_a_z_in_utc():
    ist = timezone(timedelta(hours=5, minutes=30))
    assert iso(datetime(2025, 7, 15, 15, 30, 0, 123, tzinfo=ist)) == "2025-07-15T10:00:00.000123Z"
    assert iso(datetime(2025, 7, 15, 10, 0, tzinfo=timezone.utc)) == "2025-07-15T10:00:00.000000Z"
