"""PATCH /_mock/clock: the real clock's speed and pause (the sandbox UI's clock controls)."""

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from mock_server.clock import RealClock
from tests.conftest import make_app


@pytest.fixture
def real_client():
    with TestClient(make_app(clock="real", speed=1.0)) as client:
        yield client


def test_the_manual_clock_is_not_steered(client):
    r = client.patch("/_mock/clock", json={"paused": True})
    assert r.status_code == 409 and "advance" in r.json()["message"]


def test_a_paused_clock_stands_still_and_resumes_from_where_it_stood(real_client):
    paused = real_client.patch("/_mock/clock", json={"paused": True})
    assert paused.status_code == 200 and paused.json()["paused"] is True and paused.json()["mode"] == "real"
    assert real_client.get("/_mock/clock").json()["now"] == paused.json()["now"]
    resumed = real_client.patch("/_mock/clock", json={"paused": False}).json()
    assert resumed["paused"] is False and resumed["now"] >= paused.json()["now"]


def test_the_speed_changes_from_now_on(real_client):
    r = real_client.patch("/_mock/clock", json={"speed": 60})
    assert r.status_code == 200 and r.json()["speed"] == 60
    assert real_client.get("/_mock/clock").json()["speed"] == 60


@pytest.mark.parametrize("body, field", [({"speed": 0}, "speed"), ({"speed": 10_001}, "speed"), ({"speed": "fast"}, "speed"),
                                         ({"speed": True}, "speed"), ({"paused": "yes"}, "paused"), ({"rate": 2}, "rate")])
def test_a_bad_setting_is_refused_and_changes_nothing(real_client, body, field):
    before = real_client.get("/_mock/clock").json()
    r = real_client.patch("/_mock/clock", json=body)
    assert r.status_code == 400 and field in r.json()["errors"]
    after = real_client.get("/_mock/clock").json()
    assert (after["speed"], after["paused"]) == (before["speed"], before["paused"])


def test_steering_keeps_the_time_already_read():
    ticks = iter([0.0, 10.0, 10.0, 20.0, 20.0, 30.0])
    clock = RealClock(speed=2.0, monotonic=lambda: next(ticks))  # origin read at 0.0
    at_ten = clock.now()  # 10 real seconds: 20 simulated
    clock.steer(speed=1.0)  # reads the time (10.0) and re-anchors there
    assert clock.now() == at_ten + timedelta(seconds=10)  # 10 more real seconds at x1
    clock.steer(paused=True)  # at 20.0: 30 simulated seconds from the origin
    assert clock.now() == clock.now() == at_ten + timedelta(seconds=10)
