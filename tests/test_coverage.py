"""The docs' route tables are the routes: docs/fidelity.md's coverage table (every operation of MyOperator's APIs, with
the Postman collection's items it serves) and the control plane's `request` tables (docs/control-plane.md,
docs/scenarios.md, docs/webhooks.md), each compared with the app's route table both ways: each page's table is its own
routes, and a row names every field of its operation's request schema."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.routing import Route

from mock_server import contract, openapi, schemas
from tests.conftest import make_app
from tests.doc_tables import rows
from tests.vectors import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
COVERAGE = "| operation | collection items (saved examples) | tested by |"
CONTROL = "| request | what it does |"
ITEM = re.compile(r"(\d+) (.+?) \((\d+)[;:)]")
OPERATION = re.compile(r"`([A-Z]+) (/[^`]*)`")


def shape(path: str) -> str:
    """A path with its parameters unnamed: /contacts/{contact_id} and /contacts/{id} are one route."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def served() -> set[tuple[str, str]]:
    """Every (method, path) the app routes, HEAD aside (Starlette adds it to each GET)."""
    return {(method, shape(route.path)) for route in make_app().routes if isinstance(route, Route)
            for method in route.methods or () if method != "HEAD"}


def api(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(m, p) for m, p in pairs if not (p.startswith("/_mock") or p in ("/", "/openapi.json"))}


def coverage() -> list[tuple[list[tuple[str, str]], list[tuple[int, str, int]]]]:
    """The coverage table: each row's operations and its collection items (number, name, saved examples)."""
    table = []
    for operations, items, _ in rows(COVERAGE):
        ops = OPERATION.findall(operations)
        assert ops and OPERATION.sub("", operations).strip(", ") == "", operations
        found = [(int(n), name, int(count)) for n, name, count in ITEM.findall(items)]
        assert found or items.startswith("— ("), items
        table.append((ops, found))
    return table


def test_the_coverage_table_is_every_api_route():
    documented = [(m, shape(p)) for ops, _ in coverage() for m, p in ops]
    assert len(documented) == len(set(documented)), "an operation listed twice"
    assert set(documented) == api(served())


def test_every_operation_of_the_coverage_table_is_in_the_contract():
    known = {(m, shape(p)) for m, p in (*contract.OPERATIONS, *contract.AUDIO_OPERATIONS)}
    assert {(m, shape(p)) for ops, _ in coverage() for m, p in ops} <= known


def matches(operations: list[tuple[str, str]], method: str, url: str) -> bool:
    """Whether a collection request (its method and URL, ``:id`` parameters) is one of these operations."""
    path = re.sub(r":\w+", "x", urlsplit(url).path)
    return any(m == method and re.fullmatch(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(p)), path)
               for m, p in operations)


def test_the_coverage_table_has_every_saved_example_at_its_operation():
    # the collection's saved examples (tests/data/, what CI has of the collection): each request's count and path
    table = coverage()
    counted = {name: count for _, items in table for _, name, count in items if count}
    assert counted == dict(Counter(example["request"] for example in EXAMPLES))
    every = [op for ops, _ in table for op in ops]
    for example in EXAMPLES:
        # an example was saved from its own URL, not always its request's (Fetch Campaign By ID's are at the plural
        # /chat/campaigns/:id): an operation of the table, repeated slashes merged as served
        url = re.sub(r"(?<!:)/{2,}", "/", example["url"])
        assert matches(every, example["method"], url), (example["request"], example["example"])


def collection_tool() -> Path | None:
    """shared/tools/collection.py beside the checkout (or one of its parents), where the collection is at hand."""
    return next((tool for folder in ROOT.parents if (tool := folder / "shared" / "tools" / "collection.py").exists()),
                None)


REQUEST = re.compile(r"^\s*(\d+)\s+/.*/([^/]+?)  ::  ([A-Z]+) (\S+)  \((\d+) examples\)$", re.M)


@pytest.mark.skipif(collection_tool() is None, reason="the Postman collection is not at hand (shared/tools/)")
def test_the_coverage_table_is_the_collections_requests():
    listing = subprocess.run([sys.executable, str(collection_tool()), "list"], capture_output=True, text=True,
                             check=True, timeout=60).stdout
    requests = [(int(n), name, method, url, int(count)) for n, name, method, url, count in REQUEST.findall(listing)]
    assert len(requests) >= 20  # the webhook items have no URL: they are events, not requests
    table = coverage()
    assert sorted((n, name, count) for n, name, _, _, count in requests) == sorted(
        item for _, items in table for item in items)
    for n, name, method, url, _ in requests:
        ops = next(ops for ops, items in table if n in {number for number, _, _ in items})
        assert matches(ops, method, url), (n, name)


def cell_requests(cell: str) -> list[tuple[str, str]]:
    """The (method, path) pairs a `request` cell lists. It reads "`GET /a`, `POST /a`", "`POST`, `GET`, `DELETE /a`"
    (the methods of the next path), "`GET`/`DELETE /a`", "`…/b/{id}`" (the path before it from its segment b on) and
    "`GET /a`, `/b`" (a bare path: the methods before it)."""
    found = []
    methods: list[str] = []
    last, last_methods = "", []
    for token in re.findall(r"`([^`]+)`", cell):
        if re.fullmatch(r"[A-Z]+", token):
            methods.append(token)
            continue
        method, path = token.split(" ", 1) if " " in token else ("", token)
        methods = [*methods, method] if method else last_methods  # a bare path: the methods before it
        if path.startswith("…/"):
            segment = path[2:].split("/", 1)[0]
            path = last[:last.index(f"/{segment}")] + path[1:]
        found += [(m, shape(path)) for m in methods]
        methods, last, last_methods = [], path, methods
    assert not methods, cell
    return found


def control_requests(page: str | None = None) -> list[tuple[str, str]]:
    """The (method, path) pairs the control plane's `request` tables list (on ``page``, when given)."""
    return [request for cell, *_ in rows(CONTROL, page) for request in cell_requests(cell)]


def test_the_control_plane_tables_are_its_routes():
    documented = control_requests()
    assert len(documented) == len(set(documented)), "a request listed twice"
    assert set(documented) == served() - api(served())


# The page whose `request` table lists a control route: the first whose prefixes it starts with.
PAGE_OF_ROUTES = {"docs/webhooks.md": ("/_mock/webhooks", "/_mock/events", "/_mock/deliveries"),
                  "docs/scenarios.md": ("/_mock/scenarios", "/_mock/tenants/{}/scenario-runs",
                                        "/_mock/tenants/{}/overrides"),
                  "docs/control-plane.md": ("/",)}


def test_each_pages_control_table_is_its_routes():
    control = served() - api(served())
    for page, prefixes in PAGE_OF_ROUTES.items():
        theirs = {(m, p) for m, p in control if p.startswith(prefixes)}
        assert set(control_requests(page)) == theirs, page
        control -= theirs


def test_each_control_request_body_field_is_in_its_row():
    # a field of a control operation's request schema is named in its row (in backticks, or inside a `{…}`);
    # a subscription's fields have their own table (docs/webhooks.md, tests/test_doc_tables.py)
    bodies = {(m, shape(p)): schemas.schema(op["request"])["properties"]
              for (m, p), op in openapi.CONTROL_OPERATIONS.items() if "request" in op and p != "/_mock/webhooks"}
    checked = 0
    for cell, does in rows(CONTROL):
        named = {word for span in re.findall(r"`([^`]+)`", does) for word in re.findall(r"\w+", span)}
        for request in cell_requests(cell):
            if request in bodies:
                assert set(bodies[request]) - named == set(), (request, does)
                checked += 1
    assert checked == len(bodies)
