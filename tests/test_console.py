"""The console tells the story: a line per webhook attempt, per failed scenario run, per clock move; --quiet and
--log-format json for CI; uvicorn's access log stays off unless asked for."""

import json
import logging
import logging.config

import pytest
from starlette.testclient import TestClient

from mock_server import console
from mock_server.cli import build_parser, settings_from
from mock_server.testing.receiver import WebhookReceiver
from mock_server.webhooks.dispatcher import RETRY_SCHEDULE
from tests.conftest import make_app
from tests.support import ctx_of

ATTEMPTS = len(RETRY_SCHEDULE) + 1


def lines_of(caplog, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == event]


def test_a_failing_receiver_gives_a_line_for_each_attempt_until_the_last(caplog):
    caplog.set_level(logging.INFO, logger="mock_server")
    app = make_app()
    with WebhookReceiver() as receiver, TestClient(app) as client:
        receiver.fail(503)
        company_id = next(iter(ctx_of(app).store.tenants))
        client.post("/_mock/webhooks", json={"url": receiver.url, "events": ["call.initiated"], "company_id": company_id})
        client.post("/_mock/scenarios/ivr-only/run", json={"company_id": company_id, "params": {}})
        assert client.post("/_mock/clock/advance", json={"seconds": 30 * 3600}).status_code == 200
    attempts = lines_of(caplog, "webhook.attempt")
    assert [r.attempt for r in attempts] == list(range(1, ATTEMPTS + 1))
    assert {(r.event_type, r.url, r.status_code) for r in attempts} == {("call.initiated", receiver.url, 503)}
    messages = [r.getMessage() for r in attempts]
    assert all(r.levelno == logging.WARNING and r.latency_ms >= 0 for r in attempts)
    assert messages[0].startswith(f"webhook call.initiated -> {receiver.url}: 503 in ")
    assert f"(attempt 1 of {ATTEMPTS}; next retry in 5 s, at 2025-07-15T10:00:05.000000Z)" in messages[0]
    assert f"(attempt 2 of {ATTEMPTS}; next retry in 300 s, at" in messages[1]
    assert messages[-1].endswith(f"(attempt {ATTEMPTS} of {ATTEMPTS}; no retry left: failed)")


def test_a_delivered_attempt_and_a_redelivery_are_told_at_info(caplog):
    caplog.set_level(logging.INFO, logger="mock_server")
    app = make_app()
    with WebhookReceiver() as receiver, TestClient(app) as client:
        company_id = next(iter(ctx_of(app).store.tenants))
        client.post("/_mock/webhooks", json={"url": receiver.url, "events": ["call.initiated"]})
        client.post("/_mock/scenarios/ivr-only/run", json={"company_id": company_id, "params": {}})
        client.post("/_mock/clock/advance", json={"seconds": 0})
        delivery = client.get("/_mock/deliveries").json()["deliveries"][0]
        client.post(f"/_mock/deliveries/{delivery['id']}/redeliver")
        client.post("/_mock/clock/advance", json={"seconds": 0})
    told = [(r.levelno, r.getMessage().rsplit("(", 1)[1]) for r in lines_of(caplog, "webhook.attempt")]
    assert told == [(logging.INFO, f"attempt 1 of {ATTEMPTS}; delivered)"), (logging.INFO, "redelivery; delivered)")]


def test_a_scenario_run_that_fails_at_a_step_says_which_and_why(caplog, tmp_path, monkeypatch):
    from mock_server.engine import loader, runner

    (tmp_path / "hang-up-nobody.yaml").write_text(
        "name: hang-up-nobody\ndescription: A call whose agent hangs up before anyone dialled them.\nchannel: call\n"
        "params:\n  customer: {kind: customer, description: The caller., pick: 1}\n"
        "  did: {kind: did, description: The number., pick: 1}\n"
        "steps:\n  - at: 0\n    do: call.start\n    with: {category: incoming, caller: customer, customer: $customer, did: $did}\n"
        "  - after: 3\n    do: call.hangup\n    with: {leg: agent}\n", encoding="utf-8")
    monkeypatch.setattr(runner, "scenario_dirs", lambda ctx: (loader.builtin_dir(), tmp_path))
    caplog.set_level(logging.INFO, logger="mock_server")
    app = make_app()
    with TestClient(app) as client:
        company_id = next(iter(ctx_of(app).store.tenants))
        run = client.post("/_mock/scenarios/hang-up-nobody/run", json={"company_id": company_id, "params": {}}).json()
        assert run["status"] == "running"
        client.post("/_mock/clock/advance", json={"seconds": 10})
        run = client.get(f"/_mock/tenants/{company_id}/scenario-runs/{run['id']}").json()
    assert run["status"] == "failed"
    [line] = lines_of(caplog, "scenario.failed")
    assert (line.levelno, line.scenario, line.step, line.action, line.run_id) == (
        logging.WARNING, "hang-up-nobody", 2, "call.hangup", run["id"])
    assert line.getMessage() == f"scenario hang-up-nobody failed at step 2 (call.hangup): {line.reason}"
    assert line.reason and line.reason in run["error"]


def test_each_clock_advance_is_a_line(caplog, client):
    caplog.set_level(logging.INFO, logger="mock_server")
    client.post("/_mock/clock/advance", json={"seconds": 90})
    client.post("/_mock/clock/advance", json={"seconds": -1})  # refused: the clock did not move
    [line] = lines_of(caplog, "clock.advance")
    assert line.getMessage() == "clock advanced 90s to 2025-07-15T10:01:30.000000Z (0 timed changes fired)"
    assert (line.seconds, line.fired) == (90, 0)


def serve_args(*extra: str):
    return settings_from(build_parser().parse_args(["serve", *extra]))


def test_quiet_keeps_warnings_only_and_the_access_log_stays_off_by_default():
    assert (serve_args().log_level, serve_args().log_format, serve_args().access_log) == ("info", "text", False)
    assert serve_args("--quiet").log_level == "warning"
    assert serve_args("-q", "--log-format", "json").log_format == "json"
    assert serve_args("--access-log").access_log is True
    with pytest.raises(SystemExit):
        serve_args("--log-format", "xml")


@pytest.fixture
def configured_console():
    """The console's logging set-up, undone afterwards (the test run's own is put back)."""
    loggers = {name: logging.getLogger(name) for name in console.LOGGERS}
    saved = {name: (lg.handlers[:], lg.level, lg.propagate) for name, lg in loggers.items()}

    def configure(level: str, fmt: str):
        logging.config.dictConfig(console.logging_config(level, fmt))

    yield configure
    for name, (handlers, level, propagate) in saved.items():
        loggers[name].handlers[:], loggers[name].level, loggers[name].propagate = handlers, level, propagate


def test_json_lines_carry_the_message_and_its_fields(configured_console, capsys):
    configured_console("info", "json")
    logging.getLogger("mock_server.webhooks").warning("webhook %s failed", "call.end",
                                                      extra={"event": "webhook.attempt", "status_code": 500})
    logging.getLogger("mock_server.clock").debug("not at info")
    [line] = capsys.readouterr().err.splitlines()
    told = json.loads(line)
    assert {k: told[k] for k in ("level", "logger", "message", "event", "status_code")} == {
        "level": "warning", "logger": "mock_server.webhooks", "message": "webhook call.end failed",
        "event": "webhook.attempt", "status_code": 500}


def test_quiet_text_shows_a_warning_and_hides_info(configured_console, capsys):
    configured_console("warning", "text")
    logging.getLogger("mock_server.clock").info("clock advanced")
    logging.getLogger("mock_server.engine").warning("scenario x failed at step 2")
    err = capsys.readouterr().err
    assert "clock advanced" not in err and "WARNING scenario x failed at step 2" in err
