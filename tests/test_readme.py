"""The README's and docs/ pages' claims that code can check: their paths exist, the credentials are the fixtures'."""

import re
from pathlib import Path

from starlette.routing import Route

from mock_server import fixtures
from mock_server.settings import DEFAULT_SEED
from tests import doc_tables
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((ROOT / "docs").rglob("*.md"))
# the README and every docs/ page: what one names, the code must serve or hold
ALL = "\n".join([README, *(p.read_text(encoding="utf-8") for p in DOCS)])


def route_patterns():
    app = make_app()
    return [re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", r.path) + "$") for r in app.routes if isinstance(r, Route)]


def test_every_path_the_docs_name_is_served():
    patterns = route_patterns()
    named = set(re.findall(r"(?<![\w.])(/(?:chat|contacts|contactadd|_mock|search|obd-api-v1)[A-Za-z0-9_/{}$.:<>-]*)",
                           ALL))
    assert len(named) > 20
    prefixes = {"/chat/", "/_mock/", "/search/", "/search", "/search/recordings/"}  # prose: "under /search/…"
    for path in named - prefixes:
        concrete = re.sub(r"\$\{?\w+\}?|\{[^/]+\}|<\w+>|:\w+", "x", path.split("?")[0]).rstrip("/.:>")
        assert any(p.match(concrete) for p in patterns), f"the docs name {path}, which nothing serves"


def credentials(tenant: dict) -> dict[str, str]:
    """A default tenant's credentials, by the credentials tables' row names."""
    state = tenant["state"]
    account = state["account"][0]
    primary = next(p for p in state["phone_numbers"] if p["role"] == "primary")
    waba = next(w for w in state["waba_accounts"] if w["role"] == "primary")
    return {"`X-MYOP-COMPANY-ID`": account["company_id"], "`Authorization: Bearer`": account["api_key"],
            "primary WABA id": waba["waba_id"], "primary `phone_number_id`": primary["phone_number_id"],
            "OBD `x-api-key`": account["obd_api_key"], "developers API `token`": account["developer_token"]}


def test_the_credentials_tables_are_the_default_fixtures():
    # the README's table and the public API page's (where the roles and gateway answers are), row for row
    tenants = fixtures.generate(DEFAULT_SEED)["tenants"]
    expected = {name: [f"`{credentials(t)[name]}`" for t in tenants] for name in credentials(tenants[0])}
    for page in ("README.md", "docs/public-api.md"):
        table = doc_tables.rows("| | company 1 (default) | company 2 |", page)
        assert {name: list(values) for name, *values in table} == expected, page


def test_the_readme_gives_the_ci_test_command():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert command in README


def test_every_file_the_docs_name_exists():
    named = set(re.findall(r"`((?:tests|mock_server|benchmarks|fixtures)/[A-Za-z0-9_/.-]+\.(?:py|json|md))`", ALL))
    assert named, "the docs name no files"
    assert [path for path in sorted(named) if not (ROOT / path).exists()] == []


def test_the_readme_maps_every_docs_page_and_its_links_resolve():
    # the README's "Documentation" list is the way in: a page it does not link is a page nobody finds
    links = set(re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README))
    local = {link for link in links if "://" not in link}
    pages = {f"docs/{p.relative_to(ROOT / 'docs').as_posix()}" for p in DOCS} - {"docs/index.md"}  # the site's home
    assert pages <= local
    assert [link for link in sorted(local) if not (ROOT / link).exists()] == []
