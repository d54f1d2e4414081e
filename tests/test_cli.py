import json
import subprocess
import sys

import pytest

from mock_server import cli, create_app
from mock_server.fixtures import generate
from tests.conftest import make_app
from tests.support import ctx_of


def test_serve_flags_become_settings(tmp_path):
    args = cli.build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9001", "--data-dir", str(tmp_path),
                                          "--seed", "5", "--clock", "manual", "--log-level", "warning",
                                          "--obd-reference-ttl", "60", "--control-token", "t0ken",
                                          "--allowed-host", "mock.internal"])
    settings = cli.settings_from(args)
    assert (settings.control_token, settings.allowed_hosts) == ("t0ken", ("mock.internal",))
    assert settings.obd_reference_ttl_seconds == 60
    assert (settings.host, settings.port, settings.data_dir, settings.seed, settings.clock) == \
        ("0.0.0.0", 9001, tmp_path, 5, "manual")
    assert settings.public_base_url == "http://127.0.0.1:9001"


def test_an_obd_reference_stays_taken_two_days_unless_told_otherwise():
    settings = cli.settings_from(cli.build_parser().parse_args(["serve"]))
    assert settings.obd_reference_ttl_seconds == 172_800  # the live lock: ~171777 s left some minutes after a call
    for wrong in ("0", "-5", "nan"):
        with pytest.raises(SystemExit, match="--obd-reference-ttl"):
            cli.settings_from(cli.build_parser().parse_args(["serve", "--obd-reference-ttl", wrong]))


def test_banner_names_the_urls_and_the_default_tenants_credentials():
    app = make_app()
    tenant = next(iter(ctx_of(app).store.tenants.values()))
    text = cli.banner(ctx_of(app).settings, app)
    assert "http://127.0.0.1:8800" in text
    assert tenant.company_id in text and tenant.account["api_key"] in text


def test_fixtures_export_writes_the_generated_fixtures(tmp_path):
    target = tmp_path / "f.json"
    assert cli.main(["fixtures", "export", str(target), "--seed", "3"]) == 0
    assert json.loads(target.read_text()) == generate(3)


def test_python_dash_m_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "mock_server", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "serve" in out.stdout


def test_serve_refuses_a_bad_fixtures_file_with_a_message_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "mine.json"
    path.write_text("{}")
    assert cli.main(["serve", "--fixtures", str(path)]) == 2
    assert "not a valid fixtures file" in capsys.readouterr().err


def test_speed_is_a_serve_option_for_the_real_clock():
    settings = cli.settings_from(cli.build_parser().parse_args(["serve", "--speed", "10"]))
    assert settings.speed == 10 and settings.clock == "real"
    app = create_app(settings)
    assert ctx_of(app).clock.speed == 10
    assert "clock: real x10" in cli.banner(ctx_of(app).settings, app)
    with pytest.raises(SystemExit):
        cli.settings_from(cli.build_parser().parse_args(["serve", "--speed", "0"]))


def test_webhook_flags_become_subscriptions(tmp_path):
    config = tmp_path / "hooks.yaml"
    config.write_text("subscriptions:\n  - url: http://127.0.0.1:5000/aftercall\n    format: legacy_call\n"
                      "    content_type: application/x-www-form-urlencoded\n")
    args = cli.build_parser().parse_args(["serve", "--webhook-url", "http://127.0.0.1:5000/all",
                                          "--webhook-config", str(config), "--webhook-timeout", "2.5", "--strict",
                                          "--scenarios", str(tmp_path)])
    settings = cli.settings_from(args)
    assert [(s["id"], s["url"], s["format"]) for s in settings.webhook_subscriptions] == [
        ("url-1", "http://127.0.0.1:5000/all", "envelope"), ("config-1", "http://127.0.0.1:5000/aftercall", "legacy_call")]
    assert settings.webhook_timeout == 2.5 and settings.strict and settings.scenario_dirs == (tmp_path,)


@pytest.mark.parametrize("argv, message", [
    (["--webhook-url", "ftp://example.com/x"], "webhook URL"),
    (["--webhook-config", "/nonexistent/hooks.json"], "cannot read"),
    (["--webhook-timeout", "0"], "--webhook-timeout"),
])
def test_bad_webhook_flags_stop_with_a_message(argv, message):
    with pytest.raises(SystemExit) as stopped:
        cli.settings_from(cli.build_parser().parse_args(["serve", *argv]))
    assert message in str(stopped.value)


def test_trigger_refuses_a_param_that_is_not_key_value(capsys):
    assert cli.main(["trigger", "incoming-answered", "--param", "talk"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_serve_runs_uvicorn_without_its_access_log_unless_asked(monkeypatch):
    import gc

    import uvicorn

    seen = []

    def run(server) -> None:  # instead of listening: note how the server was configured, and say it started
        seen.append(server.config)
        server.started = True

    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # the test process's objects stay collectable
    assert cli.main(["serve", "--clock", "manual", "--port", "9002"]) == 0
    assert cli.main(["serve", "--clock", "manual", "--port", "9002", "--access-log"]) == 0
    assert [config.access_log for config in seen] == [False, True]
    assert seen[0].log_level == "info" and seen[0].port == 9002


def test_serve_freezes_the_loaded_state_out_of_the_collector(monkeypatch):
    """Full collections stay short at any size of state: what is loaded before serving is frozen."""
    import gc

    import uvicorn

    frozen: list = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server: frozen.append("run"))
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append("freeze"))
    cli.main(["serve", "--clock", "manual", "--port", "9003"])
    assert frozen == ["freeze", "run"]
