"""More of the docs' tables, each the code's own table: `serve`'s options (docs/control-plane.md) are the CLI's parser,
the shipped scenarios' tables (docs/scenarios.md) the scenario files, and the action tables the actions' schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mock_server import cli
from tests.doc_tables import rows

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_SCHEMAS = ROOT / "mock_server" / "schemas" / "scenarios"


def serve_options() -> dict[str, object]:
    """``serve``'s options (each long name, -q aside) and their defaults."""
    serve = next(a for a in cli.build_parser()._subparsers._group_actions[0].choices.values()
                 if a.prog.endswith(" serve"))
    return {name: action.default for action in serve._actions for name in action.option_strings
            if name.startswith("--") and name != "--help"}


def test_the_serve_options_table_is_the_parser():
    options = serve_options()
    documented: dict[str, str] = {}
    for option, default, _ in rows("| option | default | meaning |"):
        for name in re.findall(r"`(--[a-z-]+)", option):
            documented[name] = default
    assert set(documented) == set(options)
    for name, cell in documented.items():
        default = options[name]
        values = re.findall(r"`([^`]+)`", cell)
        if default in (None, [], False):
            assert cell.startswith(("none", "off")) or values == ["$MYOPERATOR_MOCK_CONTROL_TOKEN"], (name, cell)
        else:
            shown = [f"{default:g}" if isinstance(default, float) else str(default)]
            assert set(shown) <= set(values) or (name == "--port" and "8800" in values), (name, cell, default)


def scenario_names(header: str) -> list[str]:
    return [name for cells in rows(header) for name in re.findall(r"`([a-z0-9-]+)`", cells[0])]


def test_the_shipped_scenarios_tables_are_the_scenario_files():
    documented = scenario_names("| scenario | what happens")
    assert len(documented) == len(set(documented))
    assert set(documented) == {path.stem for path in (ROOT / "scenarios").glob("*.yaml")}


def test_the_action_tables_are_the_actions_schemas():
    # one row per action (or actions of the same arguments): its arguments exactly its schema's properties
    schemas = {path.stem: set(json.loads(path.read_text(encoding="utf-8"))["properties"])
               for path in SCENARIO_SCHEMAS.glob("*.json") if path.stem != "scenario"}
    documented = {}
    for action_cell, arguments, _ in rows("| action | arguments | emits |"):
        names = set(re.findall(r"`([^`]+)`", re.sub(r"\([^)]*\)", "", arguments)))
        for action in re.findall(r"`([a-z_.]+)`", action_cell):
            documented[action] = names
    assert set(documented) == set(schemas)
    assert {a: n for a, n in documented.items() if n != schemas[a]} == {}
