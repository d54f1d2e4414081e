"""The docs run as printed (the README's five-minute tour, against a served simulator) and build strictly as a site."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
