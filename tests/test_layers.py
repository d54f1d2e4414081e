"""The layers of docs/architecture.md, kept: every import of a mock_server module points down the table,
no surface imports another, Starlette stays in the surfaces (and the wiring above them), and no two
packages import each other.

Read from the source (ast), so an import inside a function counts as much as one at the top; an import
under ``if TYPE_CHECKING:`` does not count (an annotation naming the context passed down is no dependency).
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from tests.doc_tables import cells, find, rows

PACKAGE = Path(__file__).resolve().parents[1] / "mock_server"

# Highest first: a module may import any unit of its own layer or a lower one (a larger number), but a surface
# no other surface; cycles between units are refused by their own test.
LAYERS: dict[int, tuple[str, ...]] = {
    0: ("__main__", "cli", "testing", "validate"),
    1: ("app", "surfaces", "serving"),
    2: ("public.chat", "public.contacts", "obd", "developers", "control"),
    3: ("public", "openapi"),  # the public API's gateway (auth, error shapes); the OpenAPI document of the surfaces
    4: ("steps",),
    5: ("services",),
    6: ("engine",),
    7: ("context",),  # the app's context: store, clock, scheduler, dispatcher, fixtures
    8: ("fixtures", "fixtures_telephony", "webhooks"),
    9: ("domain",),
    10: ("store", "clock", "schemas", "errors", "refusals", "surface", "phones", "ids", "settings", "profiles",
         "journal", "faults", "http", "forms", "contract", "developer_paths", "console"),
}
SURFACES = LAYERS[2]
# Where an HTTP framework may be imported: the surfaces and what wires or serves them.
HTTP_LAYERS = {0, 1, 2, 3}
HTTP_BASE = ("surface", "http", "forms", "journal", "faults", "errors")  # HTTP plumbing the surfaces use


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str) -> str:
    """The layer table's unit a module belongs to: the longest entry that is it or its package."""
    names = [name for layer in LAYERS.values() for name in layer]
    found = [n for n in names if module == n or module.startswith(n + ".")]
    if not found:
        if module == "":
            return ""
        raise AssertionError(f"mock_server.{module} is in no layer of the table: add it to docs/architecture.md")
    return max(found, key=len)


def layer_of(unit: str) -> int:
    return next(level for level, units in LAYERS.items() if unit in units)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names), relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ("mock_server." + module_name(path)).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names
                         if _is_module(f"{module}.{alias.name}"))
    return found


def _runtime_nodes(tree: ast.AST):
    """Every node but those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def _is_module(name: str) -> bool:
    if not name.startswith("mock_server."):
        return False
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists()


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
EDGES = {(module, target.removeprefix("mock_server."))
         for module, path in MODULES.items() for target in imports(path) if target.startswith("mock_server.")}
HTTP_IMPORTS = {(module, target) for module, path in MODULES.items() for target in imports(path)
                if target.split(".")[0] in ("starlette", "uvicorn")}  # httpx, the webhooks' client, is no server


def test_every_module_has_a_layer():
    for module in MODULES:
        if module:
            unit_of(module)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m))
def test_imports_point_down(module):
    unit = unit_of(module)
    upward = sorted(target for source, target in EDGES if source == module and target
                    and unit_of(target) != unit and _points_up(unit, unit_of(target)))
    assert not upward, f"mock_server.{module} ({unit}, layer {layer_of(unit)}) imports {upward}, not below it"


def _points_up(unit: str, target: str) -> bool:
    if unit in SURFACES and target in SURFACES:
        return True  # siblings
    return layer_of(target) < layer_of(unit)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m))
def test_http_stays_in_the_surfaces(module):
    unit = unit_of(module)
    if layer_of(unit) in HTTP_LAYERS or unit in HTTP_BASE:
        return
    found = sorted(target for source, target in HTTP_IMPORTS if source == module)
    assert not found, f"mock_server.{module} ({unit}) imports {found}: HTTP belongs to the surfaces"


def test_no_package_imports_another_that_imports_it():
    units = {(unit_of(a), unit_of(b)) for a, b in EDGES if a and b}
    units = {(a, b) for a, b in units if a != b}
    cycles = sorted((a, b) for a, b in units if (b, a) in units and a < b)
    assert not cycles, f"package cycles: {cycles}"


def test_the_table_is_the_one_documented():
    """docs/architecture.md shows this table: each layer's units on its line, and no other."""
    documented = {int(layer): tuple(re.findall(r"`([\w.]+)`", re.sub(r"\([^)]*\)", "", units)))
                  for layer, units, _ in rows("| layer | units |", "docs/architecture.md")}
    assert documented == LAYERS


def test_the_file_roles_table_names_files_that_exist():
    """Each surface's column of the "One shape per surface" table names files of that surface, and every one of them."""
    (table,) = find("| role | public.chat", "docs/architecture.md")
    assert cells(table.header)[1:] == SURFACES
    for i, surface in enumerate(SURFACES, start=1):
        folder = PACKAGE.joinpath(*surface.split("."))
        named = {name for row in table.rows for name in re.findall(r"`([\w/]+\.py)`", row[i].split("(")[0])}
        for name in named:
            assert (PACKAGE / name if "/" in name else folder / name).is_file(), f"{surface} has no {name}"
        files = {path.name for path in folder.glob("*.py")} - {"__init__.py"}
        assert files - named == set(), f"docs/architecture.md: {surface}'s column leaves out files"


def test_the_checks_can_fail():
    """The rules above would catch an upward import and a surface importing a sibling."""
    assert layer_of(unit_of("domain.calls")) > layer_of(unit_of("public.chat.messages"))
    assert unit_of("public.chat.messages") != unit_of("public.contacts.rules")
    assert all(layer_of(a) == 2 for a in SURFACES)
    pairs = list(itertools.permutations(SURFACES, 2))
    assert all(_points_up(a, b) for a, b in pairs)  # siblings: an import between them is refused
    assert _points_up("domain", "engine") and not _points_up("engine", "domain")
