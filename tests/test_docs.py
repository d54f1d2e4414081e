"""The docs run as printed (the README's five-minute tour, against a served simulator) and build strictly as a site."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.engine import call_rules, message_rules
from tests.server import free_port, start_server, stop

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def tour_blocks() -> list[str]:
    section = README.split("## A five-minute tour\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq") and shutil.which("bash")),
                    reason="the tour is a shell script that needs bash, curl and jq")
def test_the_readme_tour_runs_as_printed():
    serve, script = tour_blocks()  # the first block starts the server: here the test starts it, on a free port
    assert serve.strip() == ".venv/bin/myoperator-mock serve --clock manual"
    port, receiver = free_port(), free_port()
    # the only edits: the two ports, so the test runs beside anything already on 8800 or 5000
    script = script.replace("127.0.0.1:8800", f"127.0.0.1:{port}").replace("5000", str(receiver))
    process = start_server(port)
    try:
        run = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], capture_output=True, text=True,
                             timeout=120, cwd=ROOT)
    finally:
        stop(process)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert '"details":"Request accepted successfully"' in out
    assert '"mode":"manual"' in out
    events = re.findall(r"^\S+Z (call\.\w+)$", out, re.M)
    assert events[0] == "call.initiated" and events[-2:] == ["call.end", "call.summary"]
    delivered = re.findall(r"^(call\.\w+) delivered 1 200$", out, re.M)
    assert sorted(delivered) == sorted(events)  # every event reached the receiver, first time, with a 200


def test_the_docs_site_builds_strictly(tmp_path):
    # mkdocs.yml makes every broken link, missing anchor or page outside the nav a warning, and --strict fails on one
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "site" / "fidelity" / "index.html").exists()


def tables(header: str) -> list[list[list[str]]]:
    """Every Markdown table under docs/ whose header row starts with ``header``: its rows' cells."""
    found = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        for start in (i for i, line in enumerate(lines) if line.startswith(header)):
            rows = []
            for line in lines[start + 2:]:
                if not line.startswith("|"):
                    break
                rows.append([cell.strip() for cell in line.strip("|").split("|")])
            found.append(rows)
    assert found, f"no table starts with {header!r}"
    return found


def test_each_magic_number_is_stated_once():
    # one table per kind of number, in docs/scenarios.md; every other mention links to it
    for header in ("| number | outcome |", "| `+<customer_country_code><customer_number>` |"):
        assert len(tables(header)) == 1, header
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md")))
    for number in (*call_rules.MAGIC_NUMBERS, *message_rules.MAGIC_NUMBERS):
        rows = [line for line in text.splitlines() if line.startswith(f"| `{number}` |")]
        assert len(rows) == 1, number


def test_the_obd_magic_number_table_is_the_codes():
    for table in tables("| number | outcome |"):
        check_obd_table({row[0].strip("`"): row for row in table})


def check_obd_table(rows: dict[str, list[str]]) -> None:
    assert set(rows) == set(call_rules.MAGIC_NUMBERS) | {"any other"}
    for number, (_, _, agent_first, customer_first) in rows.items():
        number = "+919876543210" if number == "any other" else number
        for cell, dialers in ((agent_first, ("user", "anonymous")), (customer_first, ("ivr",))):
            choices = [call_rules.choose(d, number, hold) for d in dialers for hold in (True, False)]
            # the scenarios the cell names are exactly those the rule can choose for these dialers
            assert set(re.findall(r"`(obd-[a-z-]+)`", cell)) == {scenario for scenario, _, _ in choices}, (number, cell)
            for _, params, _ in choices:
                if "dial_status" in params:
                    assert params["dial_status"] in cell, (number, cell)
                if "queue" in params:
                    assert f"{params['queue']} s" in cell, (number, cell)


def test_the_whatsapp_magic_number_table_is_the_codes():
    for rows in tables("| `+<customer_country_code><customer_number>` |"):
        named = {row[0].strip("`") for row in rows}
        assert named - {"any other"} == set(message_rules.MAGIC_NUMBERS), rows
        for number, outcome_cell, scenario in rows:
            outcome = message_rules.MAGIC_NUMBERS.get(number.strip("`"), message_rules.READ)
            assert scenario.strip("`") == outcome.scenario, number
            if "error" in outcome.params:
                assert outcome.params["error"] in outcome_cell, number
