"""The pytest plugin as a user meets it: test files of a user's project, run by pytest (pytester).

Until the installed distribution declares the plugin's entry point, these runs load it explicitly
(``-p``); once it does, pytest loads it by itself, and naming it again would register it twice.
``test_installing_the_package_is_enough`` runs a user's project with the entry point installed and
nothing else.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import tomllib
from pathlib import Path

import httpx
import pytest

from mock_server.testing import Simulator, WebhookReceiver
from mock_server.testing.simulator import SERVERS

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINT = ("myoperator_mock", "mock_server.testing.plugin")


def installed_entry_point() -> bool:
    return any((ep.name, ep.value) == ENTRY_POINT for ep in importlib.metadata.entry_points(group="pytest11"))


def plugin_args() -> list[str]:
    return [] if installed_entry_point() else ["-p", ENTRY_POINT[1]]


@pytest.fixture(scope="module", autouse=True)
def imports_made_outside_the_runs():
    """pytester's in-process runs forget every module first imported during them, while libraries
    that import lazily keep what they loaded (httpx maps the errors of httpcore, imported on the first
    request): a later test would meet classes of a forgotten module. Running each kind of simulator
    once here makes those imports for good."""
    for server in SERVERS:
        with Simulator.start(server) as simulator, WebhookReceiver() as receiver:
            simulator.subscribe(receiver.url)
            simulator.obd_call()
            simulator.advance(60)
            httpx.get(receiver.url, trust_env=False)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider", *args)


# --- no configuration ------------------------------------------------------------------------------
def test_a_users_test_file_finds_every_fixture_with_no_configuration(pytester):
    pytester.makepyfile(test_user="""
        from starlette.applications import Starlette
        import httpx

        def test_simulator(myoperator):
            answer = myoperator.obd_call("+919876543210", reference_id="lead-7")
            myoperator.advance(seconds=120)
            end = myoperator.expect_event("call.end", client_ref_id="lead-7")
            assert end["payload"]["ref_id"] == answer["unique_id"]

        def test_receiver_and_schema(myoperator, webhook_receiver, assert_matches_schema):
            myoperator.obd_call()
            myoperator.advance(seconds=120)
            assert [b["event_type"] for b in webhook_receiver.bodies()][-2:] == ["call.end", "call.summary"]
            for body in webhook_receiver.bodies():
                assert_matches_schema(body, body["event_type"])

        async def bare_asgi_app(scope, receive, send):  # no lifespan support at all
            assert scope["type"] == "http"
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        def test_serve_app(serve_app):
            url = serve_app(Starlette())
            assert httpx.get(url + "/nothing-here", trust_env=False).status_code == 404
            assert httpx.get(serve_app(bare_asgi_app), trust_env=False).status_code == 204
    """)
    run(pytester).assert_outcomes(passed=3)


def test_the_marker_and_options_are_documented_in_pytests_help(pytester):
    result = run(pytester, "--markers")
    result.stdout.fnmatch_lines(["*@pytest.mark.myoperator(server='asgi'|'http', scope='function'|'module'*"])
    run(pytester, "--help").stdout.fnmatch_lines(["*--myoperator-server=*", "*myoperator_server*"])


# --- how the simulator runs ------------------------------------------------------------------------
def test_in_process_is_the_default(pytester):
    pytester.makepyfile("""
        def test_where(myoperator):
            assert (myoperator.server, myoperator.base_url) == ("asgi", "http://testserver")
    """)
    run(pytester).assert_outcomes(passed=1)


ON_A_PORT = """
def test_where(myoperator):
    assert myoperator.server == "http"  # reachable by anything, not only the fixture's client
    assert httpx.get(myoperator.base_url + "/_mock/clock", trust_env=False).json()["mode"] == "manual"
"""
ASKING = {"marker": ("import httpx, pytest\n\n@pytest.mark.myoperator(server='http')", []),
          "module marker": ("import httpx, pytest\npytestmark = pytest.mark.myoperator(server='http')\n", []),
          "option": ("import httpx\n", ["--myoperator-server=http"]),
          "ini": ("import httpx\n", [])}


@pytest.mark.parametrize("how", ASKING)
def test_a_real_server_when_asked(pytester, how):
    header, args = ASKING[how]
    if how == "ini":
        pytester.makeini("[pytest]\nmyoperator_server = http\n")
    pytester.makepyfile(header + ON_A_PORT)
    run(pytester, *args).assert_outcomes(passed=1)


def test_a_tests_marker_wins_over_its_modules_and_the_option(pytester):
    pytester.makepyfile("""
        import pytest
        pytestmark = pytest.mark.myoperator(server="http", seed=7)

        @pytest.mark.myoperator(server="asgi")
        def test_nearest_wins(myoperator):
            assert myoperator.server == "asgi"
            assert myoperator.tenant.company_id != "87d05bea95f1fc22"  # the module's seed still applies

        def test_module(myoperator):
            assert myoperator.server == "http"
    """)
    run(pytester, "--myoperator-server=asgi").assert_outcomes(passed=2)


def test_a_bad_marker_is_an_error_that_says_why(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.myoperator(server="ftp")
        def test_server(myoperator):
            pass

        @pytest.mark.myoperator(scope="session")
        def test_scope(myoperator):
            pass

        @pytest.mark.myoperator(colour="blue")
        def test_setting(myoperator):
            pass

        @pytest.mark.myoperator("http")
        def test_positional(myoperator):
            pass
    """)
    result = run(pytester)
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines_random([
        "*myoperator server must be one of ('asgi', 'http'), not 'ftp'*",
        "*myoperator scope must be one of ('function', 'module'), not 'session'*",
        "*Unknown simulator setting(s) colour*",
        "*takes keyword arguments only*",
    ])


# --- fresh state -----------------------------------------------------------------------------------
def test_each_test_gets_a_simulator_of_its_own_by_default(pytester):
    pytester.makepyfile("""
        import pytest
        pytestmark = pytest.mark.myoperator(server="http")
        SEEN = []

        @pytest.mark.parametrize("n", range(3))
        def test_calls(myoperator, n):
            SEEN.append(myoperator.base_url)
            assert myoperator.events() == [] and myoperator.journal() == []
            assert str(myoperator.now()) == "2025-07-15 10:00:00+00:00"  # every test starts at the same instant
            myoperator.obd_call(reference_id="same-reference")           # refused if state leaked
            myoperator.advance(seconds=3600)

        def test_servers_differ():
            assert len(set(SEEN)) == 3
    """)
    run(pytester).assert_outcomes(passed=4)


def test_a_module_can_share_one_simulator_and_each_test_still_starts_from_the_fixtures(pytester):
    pytester.makepyfile(test_1_shared="""
        import pytest
        from mock_server.testing import WebhookReceiver
        pytestmark = pytest.mark.myoperator(scope="module", server="http")
        SEEN = []

        @pytest.mark.parametrize("n", range(3))
        def test_dirty_everything(myoperator, n):
            SEEN.append((myoperator.base_url, myoperator.now()))
            cid = myoperator.tenant.company_id
            assert myoperator.events() == [] and myoperator.deliveries() == [] and myoperator.journal() == []
            assert myoperator.client.get("/_mock/webhooks").json()["subscriptions"] == []
            assert myoperator.client.get("/_mock/faults").json()["faults"] == []
            assert myoperator.client.get(f"/_mock/tenants/{cid}").json()["wallet_balance"] == 500
            with WebhookReceiver() as receiver:
                myoperator.subscribe(receiver.url)
                myoperator.obd_call(reference_id="same-reference")
                myoperator.client.patch(f"/_mock/tenants/{cid}", json={"wallet_balance": 1})
                myoperator.client.post("/_mock/faults", json={"path": "/chat/messages"})
                myoperator.override("obd", "obd-agent-unanswered")
                myoperator.advance(seconds=600)
                assert len(receiver.bodies()) == 7

        def test_one_server_and_the_clock_carried_on():
            assert len({url for url, _ in SEEN}) == 1
            assert {(later - earlier).total_seconds() for (_, earlier), (_, later) in zip(SEEN, SEEN[1:])} == {600}
    """, test_2_other_module="""
        import pytest
        pytestmark = pytest.mark.myoperator(scope="module", server="http")

        def test_another_module_has_its_own(myoperator):
            import test_1_shared
            assert len(test_1_shared.SEEN) == 3 and myoperator.base_url != test_1_shared.SEEN[0][0]
            assert str(myoperator.now()) == "2025-07-15 10:00:00+00:00"
    """)
    run(pytester).assert_outcomes(passed=5)


@pytest.mark.parametrize("server", ["asgi", "http"])
def test_a_shared_simulator_in_either_mode_keeps_the_tests_apart(pytester, server):
    pytester.makepyfile(f"""
        import pytest
        pytestmark = pytest.mark.myoperator(scope="module", server="{server}")

        @pytest.mark.parametrize("n", range(2))
        def test_one_call_each(myoperator, webhook_receiver, n):
            myoperator.obd_call(reference_id="r")
            myoperator.advance(seconds=600)
            assert [e["event_type"] for e in myoperator.events("call.end")] == ["call.end"]
            assert len(webhook_receiver.event_ids()) == 7  # only this test's receiver is subscribed
    """)
    run(pytester).assert_outcomes(passed=2)


# --- helpers as tests use them ---------------------------------------------------------------------
def test_expect_event_finds_the_event_and_fails_listing_what_arrived(pytester):
    pytester.makepyfile("""
        def test_found(myoperator):
            myoperator.obd_call(reference_id="lead-1")
            myoperator.advance(seconds=120)
            assert myoperator.expect_event("call.end", client_ref_id="lead-1")["event_type"] == "call.end"

        def test_forgot_to_advance(myoperator):
            myoperator.obd_call(reference_id="lead-1")
            myoperator.expect_event("call.end", client_ref_id="lead-1")
    """)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "E*AssertionError: No call.end event with client_ref_id='lead-1' (company 87d05bea95f1fc22, envelope format;"
        " waited 0 s).",
        "E*The clock is manual and stands at 2025-07-15T10:00:00.000000Z: nothing happens until you advance it*",
        "E*Events so far (2):",
        "E*2025-07-15T10:00:00.000000Z call.initiated session_id=* client_ref_id=(absent)",
        "E*2025-07-15T10:00:00.000000Z call.dial_begin session_id=* client_ref_id=(absent)",
    ])


def test_a_receiver_told_to_fail_time_out_or_go_down_gets_every_event_once_it_recovers(pytester):
    pytester.makepyfile("""
        import pytest
        from mock_server.webhooks.dispatcher import RETRY_SCHEDULE

        def test_outage(myoperator, webhook_receiver):
            webhook_receiver.fail(503)
            myoperator.obd_call()
            myoperator.advance(seconds=600)
            assert webhook_receiver.event_ids() == []
            assert {d["status"] for d in myoperator.deliveries()} == {"pending"}
            webhook_receiver.recover()
            myoperator.advance(seconds=sum(RETRY_SCHEDULE))
            assert webhook_receiver.event_ids() == [e["event_id"] for e in myoperator.events()]
            assert len(webhook_receiver.event_ids()) == 7

        def test_down_then_up(myoperator, webhook_receiver):
            webhook_receiver.down()
            myoperator.obd_call()
            myoperator.advance(seconds=600)
            webhook_receiver.up()
            myoperator.advance(seconds=sum(RETRY_SCHEDULE))
            assert webhook_receiver.event_ids() == [e["event_id"] for e in myoperator.events()]

        @pytest.mark.myoperator(webhook_timeout=0.2)
        def test_too_slow_then_recovered(myoperator, webhook_receiver):
            myoperator.unsubscribe()  # the fixture's subscription: every event; this test wants one
            myoperator.subscribe(webhook_receiver.url, events=["call.end"])
            webhook_receiver.timeout(30)
            myoperator.obd_call()
            myoperator.advance(seconds=300)  # stops waiting for the receiver once its first attempt times out
            [delivery] = myoperator.deliveries(settle=10)  # so the retry (due 5 s in) may still be in flight
            assert [a["error"] for a in delivery["attempts"]] == ["timed out after 0.2 s"] * 2
            webhook_receiver.recover()
            myoperator.advance(seconds=RETRY_SCHEDULE[1])
            assert myoperator.deliveries()[0]["status"] == "delivered"
            # The receiver took the late ones in too (it answered after the sender gave up): hence event_id dedup.
            assert webhook_receiver.event_ids() == [myoperator.expect_event("call.end")["event_id"]] * 3

        def test_receiver_alone_is_not_subscribed_anywhere(webhook_receiver):
            assert webhook_receiver.requests == [] and webhook_receiver.url.startswith("http://127.0.0.1:")
    """)
    run(pytester).assert_outcomes(passed=4)


def test_assert_matches_schema_passes_and_fails_with_path_expected_got(pytester):
    pytester.makepyfile("""
        from mock_server.testing import assert_matches_schema

        def test_valid(myoperator):
            myoperator.obd_call()
            myoperator.advance(seconds=120)
            end = myoperator.expect_event("call.end")
            assert_matches_schema(end, "call.end")
            summary = myoperator.events("call.summary", format="legacy_call")[0]
            assert_matches_schema(summary, "call.summary", format="legacy_call")

        def test_broken(myoperator, assert_matches_schema):
            myoperator.obd_call()
            myoperator.advance(seconds=120)
            end = myoperator.expect_event("call.end")
            end["payload"]["duration"] = "57"
            assert_matches_schema(end, "call.end")
    """)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "E*AssertionError: invalid: call.end (webhooks/call.end): 1 problem",
        'E*$.payload.duration: expected integer; got string "57"',
    ])


# --- parallel runs ---------------------------------------------------------------------------------
def test_xdist_workers_run_simulators_of_their_own(pytester):
    pytest.importorskip("xdist", reason="pytest-xdist is in the test extra")
    pytester.makepyfile(**{f"test_parallel_{m}": f"""
        import os
        import pytest
        pytestmark = pytest.mark.myoperator(scope="module", server="http")

        @pytest.mark.parametrize("n", range(4))
        def test_call(myoperator, webhook_receiver, n):
            with open(os.path.join({str(pytester.path)!r}, "seen.txt"), "a") as seen:
                seen.write(os.environ["PYTEST_XDIST_WORKER"] + " " + myoperator.base_url + "\\n")
            myoperator.obd_call(reference_id="same-reference")
            myoperator.advance(seconds=600)
            assert len(myoperator.events()) == 7 and len(webhook_receiver.event_ids()) == 7
    """ for m in range(4)})
    result = pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=16)
    seen = [line.split() for line in (pytester.path / "seen.txt").read_text().splitlines()]
    workers = {worker for worker, _ in seen}
    assert workers == {"gw0", "gw1"}
    assert all(not ({url for w, url in seen if w == a} & {url for w, url in seen if w == b})
               for a in workers for b in workers if a != b), seen  # no server serves two workers


# --- installation ----------------------------------------------------------------------------------
def test_the_package_declares_the_plugins_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project.get("entry-points", {}).get("pytest11") == {ENTRY_POINT[0]: ENTRY_POINT[1]}


def test_the_installed_distribution_declares_it_too():
    """Fails until the package is reinstalled after the entry point was added (pip install -e .)."""
    entry_points = importlib.metadata.distribution("myoperator-mock").entry_points
    assert [(ep.name, ep.value) for ep in entry_points if ep.group == "pytest11"] == [ENTRY_POINT]


def test_installing_the_package_is_enough(pytester, monkeypatch, tmp_path):
    """A user's project (the worked example, copied) run by a pytest that knows the plugin only from
    an installed distribution's entry point: no -p, no conftest, no configuration."""
    installed = tmp_path / "site"
    dist_info = installed / "myoperator_mock_entry_point-0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: myoperator-mock-entry-point\nVersion: 0\n")
    (dist_info / "entry_points.txt").write_text(f"[pytest11]\n{ENTRY_POINT[0]} = {ENTRY_POINT[1]}\n")
    monkeypatch.setenv("PYTHONPATH", str(installed))
    for example in (ROOT / "examples" / "webhook_app").glob("*.py"):
        shutil.copy(example, pytester.path / example.name)
    assert not (pytester.path / "conftest.py").exists()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_loading_the_plugin_imports_none_of_the_simulator():
    """pytest loads the plugin at every start of an environment with the package installed: a run that uses
    none of its fixtures should not pay for importing the app (a fixture imports it when first used)."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, mock_server.testing.plugin; "
                               "print(sorted(m for m in sys.modules if m.startswith('mock_server')))"],
        capture_output=True, text=True, check=True).stdout
    assert eval(loaded) == ["mock_server", "mock_server.profiles", "mock_server.settings", "mock_server.testing",
                            "mock_server.testing.options", "mock_server.testing.plugin"]


def test_the_packages_names_still_import_as_before():
    from mock_server import Settings, create_app
    from mock_server.testing import Simulator, Tenant, WebhookReceiver, assert_matches_schema

    assert callable(create_app) and Settings().clock == "real"
    assert {Simulator.__name__, Tenant.__name__, WebhookReceiver.__name__} == {"Simulator", "Tenant", "WebhookReceiver"}
    assert callable(assert_matches_schema)
