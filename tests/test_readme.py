"""The README's claims that code can check: its paths exist, its credentials are the fixtures'."""

import re
from pathlib import Path

from starlette.routing import Route

from mock_server import fixtures
from mock_server.settings import DEFAULT_SEED
from tests.conftest import make_app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def route_patterns():
    app = make_app()
    return [re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", r.path) + "$") for r in app.routes if isinstance(r, Route)]


def test_every_path_the_readme_names_is_served():
    patterns = route_patterns()
    named = set(re.findall(r"(?<![\w.])(/(?:chat|contacts|contactadd|_mock|search|obd-api-v1)[A-Za-z0-9_/{}$.:<>-]*)",
                           README))
    assert len(named) > 20
    for path in named - {"/chat/", "/_mock/", "/search/", "/search", "/search/recordings/"}:  # prose naming a prefix ("under /search/…")
        concrete = re.sub(r"\$\{?\w+\}?|\{[^/]+\}|<\w+>|:\w+", "x", path.split("?")[0]).rstrip("/.:>")
        assert any(p.match(concrete) for p in patterns), f"README names {path}, which nothing serves"


def test_the_credentials_table_is_the_default_fixtures():
    for tenant in fixtures.generate(DEFAULT_SEED)["tenants"]:
        account = tenant["state"]["account"][0]
        primary = next(p for p in tenant["state"]["phone_numbers"] if p["role"] == "primary")
        waba = next(w for w in tenant["state"]["waba_accounts"] if w["role"] == "primary")
        for value in (account["company_id"], account["api_key"], primary["phone_number_id"], waba["waba_id"],
                      account["obd_api_key"], account["developer_token"]):
            assert f"`{value}`" in README


def test_the_readme_gives_the_ci_test_command():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert command in README


def test_every_file_the_readme_names_exists():
    root = Path(__file__).resolve().parent.parent
    named = set(re.findall(r"`((?:tests|mock_server|benchmarks|fixtures)/[A-Za-z0-9_/.-]+\.(?:py|json|md))`", README))
    assert named, "the README names no files"
    assert [path for path in sorted(named) if not (root / path).exists()] == []
