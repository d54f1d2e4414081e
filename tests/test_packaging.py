"""What a fresh clone and a built wheel depend on: the pinned versions and the files the wheel carries."""

import re
import tomllib
from pathlib import Path

from mock_server import fixtures

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_of_the_test_install_is_pinned_in_the_constraints_file():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonical(name)] = version
    wanted = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"]
    names = {canonical(re.match(r"[A-Za-z0-9_.-]+", requirement).group()) for requirement in wanted}
    assert [name for name in sorted(names) if not pins.get(name)] == []


def test_the_ci_script_installs_through_the_constraints_file():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q -c constraints.txt -e \".[test]\"" in ci


def test_the_ci_script_lints_and_type_checks_the_package_and_runs_the_readmes_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ".venv/bin/ruff check mock_server" in ci
    assert ".venv/bin/mypy mock_server" in ci
    assert "set -euo pipefail" in ci
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    command = 'python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt -e ".[test]" && .venv/bin/python -m pytest'
    assert command in readme and ci[-1] == command  # the tests run last, by the README's own command


def test_the_wheel_carries_the_default_fixtures_where_the_package_looks_first():
    included = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    package = fixtures.PACKAGED_DEFAULT.relative_to(ROOT)
    assert included["fixtures/default.json"] == package.as_posix()
    assert fixtures.CHECKOUT_DEFAULT == ROOT / "fixtures" / "default.json"


def test_the_wheel_carries_the_sandbox_uis_files():
    # The wheel is the mock_server folder whole (packages = ["mock_server"]), less what git ignores.
    import subprocess

    from mock_server.control.ui.routes import STATIC

    assert PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["mock_server"]
    shipped = sorted(p.relative_to(ROOT).as_posix() for p in STATIC.iterdir())
    assert {"mock_server/control/ui/static/index.html", "mock_server/control/ui/static/app.js", "mock_server/control/ui/static/style.css"} <= set(shipped)
    ignored = subprocess.run(["git", "check-ignore", *shipped], cwd=ROOT, capture_output=True, text=True).stdout
    assert ignored == ""
    tracked = subprocess.run(["git", "ls-files", "mock_server/control/ui/static"], cwd=ROOT, capture_output=True, text=True).stdout
    assert sorted(tracked.split()) == shipped  # every file the page loads is committed, none is made by a build


def test_the_ci_script_installs_the_browser_the_ui_tests_drive_when_it_is_missing():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "command -v chromium" in ci and "command -v chromedriver" in ci
    assert "apt-get install -y -q chromium chromium-driver" in ci
    assert 'export CI="${CI:-1}"' in ci  # so a browser that did not install fails the run, not skips it
