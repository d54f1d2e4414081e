"""The docs run as printed (the README's five-minute tour and every page's shell examples, each page against a served
simulator), build strictly as a site, and state the magic numbers as the code has them."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.engine import call_rules, message_rules
from tests import doc_shell, doc_tables

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


SHELL = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq") and shutil.which("bash")),
                           reason="the pages' examples are shell scripts that need bash, curl and jq")
PAGES = sorted(path for path in (ROOT / "docs").rglob("*.md") if doc_shell.blocks(path))


@SHELL
def test_the_readme_tour_runs_as_printed(tmp_path):
    readme = doc_shell.blocks(ROOT / "README.md")
    # the install and the server are what the test does itself: the tour is the rest, run as printed
    assert [b.code.strip() for b in readme if b.not_run][-1] == ".venv/bin/myoperator-mock serve --clock manual"
    assert len([b for b in readme if not b.not_run]) == 1
    run = doc_shell.run_page(readme, tmp_path)
    assert run.returncode == 0, run.failure()
    out = run.stdout
    assert '"details":"Request accepted successfully"' in out
    assert '"mode":"manual"' in out
    events = re.findall(r"^\S+Z (call\.\w+)$", out, re.M)
    assert events[0] == "call.initiated" and events[-2:] == ["call.end", "call.summary"]
    delivered = re.findall(r"^(call\.\w+) delivered 1 200$", out, re.M)
    assert sorted(delivered) == sorted(events)  # every event reached the receiver, first time, with a 200
    tour = next(b.code for b in readme if not b.not_run)
    for shown in re.findall(r"^# (\{.*\})", tour, re.M):  # every answer a comment shows is one the tour printed
        assert any(doc_shell.shows(shown, line) for line in out.splitlines()), shown


@SHELL
@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_every_shell_example_of_the_page_runs_as_printed(page, tmp_path):
    # one served simulator per page, its blocks one script top to bottom (tests/doc_shell.py)
    blocks = doc_shell.blocks(page)
    run = doc_shell.run_page(blocks, tmp_path)
    assert run.returncode == 0, run.failure()
    assert run.stderr.splitlines()[-1] == ">>> the end"
    for command, expected, printed in run.console:
        assert printed == expected, command
    # every answer a comment shows ("# 200 {…}") is one the page's requests got
    assert run.unshown(blocks) == []


def test_the_shell_examples_that_do_not_run_say_why_and_are_few():
    every = [b for path in [ROOT / "README.md", *PAGES] for b in doc_shell.blocks(path)]
    skipped = [b.where for b in every if b.not_run]
    assert len(every) > 30
    # what cannot run: installing, and starting a server (the tests serve their own)
    assert len(skipped) <= 4, skipped
    text = "\n".join(path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *PAGES])
    assert text.count("<!-- not run") == len(skipped)  # every marker is one the test honours (before a block)
    # and the answers the pages show are compared (tests/doc_shell.py): enough of them that the check means something
    assert len([a for path in PAGES for a in doc_shell.documented_answers(doc_shell.blocks(path))]) >= 15


def test_the_docs_site_builds_strictly(tmp_path):
    # mkdocs.yml makes every broken link, missing anchor or page outside the nav a warning, and --strict fails on one
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "site" / "fidelity" / "index.html").exists()


def tables(header: str) -> list[tuple[tuple[str, ...], ...]]:
    """Every Markdown table whose header row starts with ``header``: its rows' cells."""
    return [table.rows for table in doc_tables.find(header)]


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
