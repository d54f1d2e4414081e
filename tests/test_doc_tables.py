"""No table of the docs can disagree with the code without a test failing: every Markdown table of README.md and
docs/ (tests/doc_tables.py finds them) is registered in ``CHECKED`` with the test that compares it with the code, both
ways, and a new table without one fails here. The tests of the tables no other module checks follow: `serve`'s options
(docs/control-plane.md) are the CLI's parser, the shipped scenarios' tables (docs/scenarios.md) the scenario files, the
action tables the actions' schemas, and so on page by page."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import yaml

from mock_server import cli, fixtures, profiles, schemas
from mock_server.control import tenants as control_tenants
from mock_server.developers import filter_expr
from mock_server.domain import call_log_live, whatsapp_rules
from mock_server.engine import loader
from mock_server.services import templates
from mock_server.settings import DEFAULT_SEED
from mock_server.testing import plugin
from mock_server.testing.receiver import WebhookReceiver
from mock_server.testing.simulator import Simulator, Tenant
from mock_server.webhooks import subscriptions
from tests import doc_tables
from tests.doc_tables import rows, ticked
from tests.support import webhook_examples

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_SCHEMAS = ROOT / "mock_server" / "schemas" / "scenarios"
HERE = "tests/test_doc_tables.py"
DASH = "\N{EN DASH}"  # between the ends of the docs' ranges of numbers

# Every table of the README and docs/ -- (page, header row) -- and the test that keeps it the code's.
CHECKED = {
    ("README.md", "| | company 1 (default) | company 2 |"):
        "tests/test_readme.py::test_the_credentials_tables_are_the_default_fixtures",
    ("docs/public-api.md", "| | company 1 (default) | company 2 |"):
        "tests/test_readme.py::test_the_credentials_tables_are_the_default_fixtures",
    ("docs/architecture.md", "| layer | units | what lives there |"):
        "tests/test_layers.py::test_the_table_is_the_one_documented",
    ("docs/architecture.md", "| role | public.chat | public.contacts | obd | developers | control |"):
        "tests/test_layers.py::test_the_file_roles_table_names_files_that_exist",
    ("docs/control-plane.md", "| option | default | meaning |"): f"{HERE}::test_the_serve_options_table_is_the_parser",
    **{(page, "| request | what it does |"): "tests/test_coverage.py::test_each_pages_control_table_is_its_routes"
       for page in ("docs/control-plane.md", "docs/scenarios.md", "docs/webhooks.md")},
    **{(page, header): "tests/test_error_tables.py::test_every_error_table_row_has_its_provocation_and_no_other"
       for page, header in (("docs/developers-api.md", "| Error | How |"), ("docs/public-api.md", "| Error | How |"),
                            ("docs/obd-api.md", "| status and details | how to provoke it |"))},
    ("docs/public-api.md", "| role | state | Send Message from it answers |"):
        "tests/test_error_tables.py::test_each_number_role_answers_as_its_table_says",
    ("docs/developers-api.md",
     "| id | name | matches a call whose AfterCall log has (long names in the field table below) |"):
        f"{HERE}::test_the_filter_table_is_the_filter_list",
    ("docs/developers-api.md", "| `_source` field | meaning | AfterCall field |"):
        f"{HERE}::test_the_source_table_is_the_search_hit",
    ("docs/fidelity.md", "| operation | collection items (saved examples) | tested by |"):
        "tests/test_coverage.py::test_the_coverage_table_is_every_api_route",
    ("docs/fidelity.md", "| event (collection item) | examples | validated by |"):
        f"{HERE}::test_the_webhook_events_table_is_the_saved_examples",
    ("docs/fidelity.md", "| where | `documented` (the collection) | `observed` (the live service) | evidence |"):
        f"{HERE}::test_the_profiles_table_is_the_profiles_differences",
    ("docs/public-api.md", "| content | result |"): f"{HERE}::test_the_review_outcomes_table_is_the_review",
    ("docs/public-api.md", "| Template | What the request must carry |"):
        f"{HERE}::test_the_fixture_templates_table_is_what_each_template_takes",
    ("docs/public-api.md", "| Id | Name | Status |"): f"{HERE}::test_the_fixture_campaigns_table_is_the_fixtures",
    ("docs/scenarios.md", "| scenario | what happens |"):
        f"{HERE}::test_the_shipped_scenarios_tables_are_the_scenario_files",
    ("docs/scenarios.md", "| scenario | what happens (seconds from the start) |"):
        f"{HERE}::test_the_shipped_scenarios_tables_are_the_scenario_files",
    ("docs/scenarios.md", "| number | outcome | user / anonymous dialer (agent first) | IVR dialer (customer first) |"):
        "tests/test_docs.py::test_the_obd_magic_number_table_is_the_codes",
    ("docs/scenarios.md", "| `+<customer_country_code><customer_number>` | outcome | scenario |"):
        "tests/test_docs.py::test_the_whatsapp_magic_number_table_is_the_codes",
    ("docs/scenarios.md", "| action | arguments | emits |"): f"{HERE}::test_the_action_tables_are_the_actions_schemas",
    ("docs/testing.md", "| fixture | what it is |"): f"{HERE}::test_the_fixtures_table_is_the_plugins_fixtures",
    ("docs/testing.md", "| helper of `myoperator` | does |"):
        f"{HERE}::test_the_helpers_table_is_the_simulators_methods",
    ("docs/webhooks.md", "| field | values | default |"):
        f"{HERE}::test_the_subscription_table_is_the_subscription_schema",
}


def test_every_table_of_the_docs_is_checked_by_a_test():
    found = {(table.page, table.header): table for table in doc_tables.tables()}
    unchecked = [table.where() for key, table in found.items() if key not in CHECKED]
    assert unchecked == [], "a docs table no test compares with the code: register its test in CHECKED"
    assert sorted(set(CHECKED) - set(found)) == []  # and every registered table is still there
    assert [t.where() for t in doc_tables.tables() if not t.own_block] == [], "a table the site shows as text"
    for test in sorted(set(CHECKED.values())):
        path, name = test.split("::")
        assert re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M), test


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


def step_times(name: str) -> list[float]:
    """When each step of a shipped scenario happens with its parameters' defaults, in seconds from the start."""
    scenario = yaml.safe_load((ROOT / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8"))
    defaults = {param: spec.get("default") for param, spec in (scenario.get("params") or {}).items()}
    times, now = [], 0.0
    for step in scenario["steps"]:
        offset = loader.substitute(step.get("at", step.get("after")), defaults)
        now = offset if "at" in step else now + offset
        times.append(now)
    return times


def test_the_whatsapp_scenarios_times_are_their_steps():
    # every moment a row gives ("sent 2, delivered 5", "at 95", "(3 s)") is one of its scenarios' steps, in order; the
    # codes (131026…) and the 24-hour window are no moments
    for names, happens in rows("| scenario | what happens (seconds from the start) |"):
        moments = [float(n) for n in re.findall(r"(?<![\w.])(\d+)(?![\w-])", happens) if int(n) < 1000]
        for name in ticked(names):
            times = step_times(name)
            assert [m for m in moments if m in times] == moments == sorted(moments), (name, moments, times)
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


# --- docs/webhooks.md ----------------------------------------------------------------------------------------------
def json_or_text(cell: str) -> object:
    try:
        return json.loads(cell)
    except ValueError:
        return cell


def test_the_subscription_table_is_the_subscription_schema():
    schema = schemas.schema(subscriptions.SCHEMA)
    properties = schema["properties"]
    table = {ticked(field)[0]: (values, default) for field, values, default in rows("| field | values |")}
    assert set(table) == set(properties)
    for field, (values, default) in table.items():
        if field in schema["required"]:
            assert default == "required", field
        else:
            assert [json_or_text(value) for value in ticked(default)] == [subscriptions.DEFAULTS[field]], field
        assert set(properties[field].get("enum", ())) <= set(ticked(values)), field
    assert {json.loads(value) for value in ticked(table["events"][0]) if "*" in value} == set(
        subscriptions.EVENT_PATTERNS)
    # each auth type with the fields it requires
    documented = {kind: set(re.findall(r'"(\w+)"', rest))
                  for kind, rest in re.findall(r'\{"type": "(\w+)"((?:, "\w+")*)\}', table["auth"][0])}
    auth = properties["auth"]
    assert documented == {case["if"]["properties"]["type"]["const"]: set(case["then"].get("required", ()))
                          for case in auth["allOf"]}
    assert set(documented) == set(auth["properties"]["type"]["enum"])


# --- docs/testing.md -----------------------------------------------------------------------------------------------
def plugin_fixtures() -> set[str]:
    """The pytest plugin's public fixtures: its @pytest.fixture functions (by their name=), underscored ones aside."""
    tree = ast.parse(Path(plugin.__file__).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        for decorator in getattr(node, "decorator_list", ()):
            if "pytest.fixture" in ast.unparse(decorator):
                named = [k.value.value for k in getattr(decorator, "keywords", ()) if k.arg == "name"]
                names.add(named[0] if named else node.name)
    return {name for name in names if not name.startswith("_")}


def public_members(cls: type) -> set[str]:
    """A class's public methods and properties, and its fields (a dataclass's) or the attributes its __init__ sets."""
    if dataclasses.is_dataclass(cls):
        attributes = {field.name for field in dataclasses.fields(cls)}
    else:
        init = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))
        attributes = {node.attr for node in ast.walk(init) if isinstance(node, ast.Attribute) and isinstance(
            node.ctx, ast.Store) and isinstance(node.value, ast.Name) and node.value.id == "self"}
    return {name for name in {*vars(cls), *attributes} if not name.startswith("_")}


def named(cell: str) -> set[str]:
    """The identifiers a cell's code spans start with: `ivr("main")` and `wait_for(n)` name ivr and wait_for."""
    return {match for span in ticked(cell) for match in re.findall(r"^\.?(\w+)", span)}


def test_the_fixtures_table_is_the_plugins_fixtures():
    table = {ticked(fixture)[0]: what for fixture, what in rows("| fixture | what it is |")}
    assert set(table) == plugin_fixtures()
    # the myoperator row names every attribute of the simulator and of its tenant (its methods: the helpers table)
    simulator, tenant = table["myoperator"].split("`tenant` (", 1)
    tenant, rest = tenant.split("), ", 1)
    methods = {name for name in public_members(Simulator) if callable(getattr(Simulator, name, None))}
    assert public_members(Simulator) - methods == named(simulator + rest) & public_members(Simulator) | {"tenant"}
    with Simulator.start() as sim:
        ivr = set(sim.tenant.ivr())
    assert public_members(Tenant) == named(tenant) - ivr - {"GET"}  # and what ivr() gives, and the route it is from
    # the receiver row names what a test uses of the receiver (close() is the fixture's)
    assert public_members(WebhookReceiver) - {"close"} == named(table["webhook_receiver"]) & public_members(
        WebhookReceiver)
    assert "from mock_server.testing import assert_matches_schema" in table["assert_matches_schema"]


def parameters(signature: str) -> set[str]:
    """The parameter names of a documented call, `advance(seconds)` or `events(event_type, format="envelope")`."""
    inside = signature[signature.index("(") + 1:signature.rindex(")")]
    return set(re.findall(r"(?:^|,\s*)(?:\*\*)?(\w+)", inside))


def test_the_helpers_table_is_the_simulators_methods():
    documented: dict[str, set[str]] = {}
    for helpers, _ in rows("| helper of `myoperator` |"):
        for span in ticked(helpers):  # `advance(seconds)`, `advance(to=instant)`: one method's two uses
            documented.setdefault(span.split("(")[0], set()).update(parameters(span))
    methods = {name for name in public_members(Simulator) if callable(getattr(Simulator, name, None))}
    assert set(documented) == methods - {"start"}  # Simulator.start: outside pytest, below the table
    for name, documented_parameters in documented.items():
        actual = set(inspect.signature(getattr(Simulator, name)).parameters) - {"self"}
        # company_id= (another company than tenant's) is every helper's, said once under the table
        assert documented_parameters - {"company_id"} == actual - {"company_id"}, name


# --- docs/public-api.md --------------------------------------------------------------------------------------------
def default_tenant() -> dict:
    return fixtures.generate(DEFAULT_SEED)["tenants"][0]


def template_of(body: str, category: str = "marketing", language: str = "en") -> dict:
    return {"language": language, "category": category, "components": [{"type": "BODY", "text": body}]}


def quoted_example(cell: str) -> str:
    """The body a row quotes, `"{{name}}, welcome"`, its … filled in."""
    (example,) = [json.loads(span) for span in ticked(cell) if span.startswith('"')]
    return example.replace("…", "welcome")


# Each row of the review outcomes table, the templates it describes (the row's own examples where it quotes them).
REVIEWED: dict[str, Callable[[str], list[dict]]] = {
    "clean": lambda _: [
        template_of("Hello! Thanks for choosing us."), template_of("Your order is on its way.", "utility")],
    "`en*` language, body mostly in another script (e.g. Hindi)":
        lambda _: [template_of("आपका ऑर्डर भेज दिया गया है", language=language) for language in ("en", "en_US")],
    "body starts or ends with a variable: `\"{{name}}, welcome\"`":
        lambda cell: [template_of(quoted_example(cell)), template_of("Welcome, {{name}}")],
    "adjacent variables: `\"Hi {{first}} {{last}}, …\"`": lambda cell: [template_of(quoted_example(cell))],
    "shortened URL (bit.ly, tinyurl.com, …) anywhere":
        lambda cell: [template_of(f"See https://{host}/x3 today") for host in re.findall(r"\w+\.\w+", cell)],
    "\"offer\", \"sale\", \"discount\", \"20% off\", … in a utility/authentication template":
        lambda cell: [template_of(f"Your {word} is ready", category) for word in re.findall(r'"([^"]+)"', cell)
                      for category in ("utility", "authentication")],
}


def test_the_review_outcomes_table_is_the_review():
    table = rows("| content | result |", "docs/public-api.md")
    assert [content for content, _ in table] == list(REVIEWED)
    for content, result in table:
        expected = tuple(ticked(result)) if "rejected" in result else ("approved", None)
        for template in REVIEWED[content](content):
            assert templates.review(template) == expected, (content, template)
    # a row per rule, first match first: the review's decisions, in its order
    returns = [node for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(templates.review))))
               if isinstance(node, ast.Return)]
    assert len(returns) == len(table)


def carried(cell: str) -> dict:
    """The context a row of the fixture templates table says the request carries (of alternatives, the first)."""
    context: dict = {}
    cell = re.sub(r" or `[^`]+`", "", cell)
    for part, name in re.findall(r'`(header|body)\."?(\w+)"?`', cell):
        context.setdefault(part, {})[name] = "x"
    for span in ticked(cell):
        if span.startswith("["):
            context["buttons"] = json.loads(span.replace("…", '"x"'))
        elif span.startswith("body:"):
            context["body"] = json.loads(span.removeprefix("body:"))
    return context


def test_the_fixture_templates_table_is_what_each_template_takes():
    approved = {t["name"]: t for t in default_tenant()["state"]["templates"] if t["waba_template_status"] == "approved"}
    table = {ticked(name)[0]: carry for name, carry in rows("| Template | What the request must carry |")}
    assert set(table) == set(approved)
    for name, cell in table.items():
        context = carried(cell)
        assert whatsapp_rules.template_errors(approved[name], context) == {}, name
        for part, value in context.items():  # and nothing of it may be left out
            for key in value if isinstance(value, dict) else [None]:
                fewer = {**context, part: {k: v for k, v in value.items() if k != key} if key else []}
                assert whatsapp_rules.template_errors(approved[name], fewer), (name, part, key)


def test_the_fixture_campaigns_table_is_the_fixtures():
    state = default_tenant()["state"]
    primary = next(p["phone_number_id"] for p in state["phone_numbers"] if p["role"] == "primary")
    assert rows("| Id | Name | Status |") == [(str(c["id"]), c["name"], c["status"]) for c in state["campaigns"]
                                               if c["phone_number_id"] == primary]


# --- docs/developers-api.md ----------------------------------------------------------------------------------------
def filter_ids(cell: str) -> list[str]:
    """A row's filter ids: "2 / 3", or "26-34" with the docs' en dash (every filter of the list in that range)."""
    if DASH in cell:
        low, high = (int(n) for n in cell.split(DASH))
        return [f["id"] for f in filter_expr.FILTERS if low <= int(f["id"]) <= high]
    return cell.split(" / ")


def row_logs(cell: str, count: int) -> list[dict] | None:
    """A log per filter of a row that says its codes, "`_ev` 1, `_su` 1 / 2, `_ty` 1" or "`_pm` ic = 1 / not 1"
    (a code of each id, or one for all); None for a row in words."""
    cell = re.sub(r" \([^)]*\)", "", cell)  # `_ev` 1 ("incoming")
    if cell.startswith("`_pm` "):  # the flags: "ia = 1 / is = 1", "ic = 1 / not 1" (the key before)
        logs, key = [], ""
        for part in cell.removeprefix("`_pm` ").split(" / "):
            key, value = (part.split(" = ")[0], 1) if " = " in part else (key, 0)
            logs.append({"_pm": [{"ky": key, "vl": str(value)}]})
        return logs
    conditions = re.findall(r"`(_\w+)` (\d+(?: / \d+)*)(?:, |$)", cell)
    if not conditions or "".join(f"`{f}` {v}, " for f, v in conditions) != cell + ", ":
        return None
    codes = {field: values.split(" / ") for field, values in conditions}
    return [{field: int(values[i] if len(values) > 1 else values[0]) for field, values in codes.items()}
            for i in range(count)]


def parts_of(name: str, names: dict[str, str]) -> list[str]:
    """The one-word filters (source, event, type, status) a filter's name joins: "Incoming Myoperator IVR" is 5 and 2;
    none for a name that is not all of them."""
    one_word = {i: names[i].lower() for parent in ("1", "4", "7", "11") for i in filter_expr.CHILDREN[parent]}
    parts, rest = [], name.lower()
    while rest:
        found = [(i, single) for i, single in one_word.items() if rest.startswith(single)]
        if not found:
            return []
        parts.append(found[0][0])
        rest = rest[len(found[0][1]):].strip()
    return parts


# Every combination of the codes the one-word filters read, for the filters that join them.
SAMPLES = [{"_so": so, "_ev": ev, "_ty": ty, "_su": su} for so in (1, 2) for ev in (1, 2) for ty in (1, 2)
           for su in (1, 2, 3)]
CALLBACK = "outgoing call, `_ns` not 1/2/3, a leg with a non-empty `_did`"


def test_the_filter_table_is_the_filter_list():
    names = {f["id"]: f["name"].strip() for f in filter_expr.FILTERS}
    predicates = filter_expr.PREDICATES
    documented = []
    for ids_cell, name_cell, matches in rows("| id | name | matches a call whose AfterCall log has"):
        ids = filter_ids(ids_cell)
        documented += ids
        if DASH in ids_cell:  # a range is a category's children, named by the category
            (parent,) = {f["parent_id"] for f in filter_expr.FILTERS if f["id"] in ids}
            assert filter_expr.CHILDREN[parent] == tuple(ids) and name_cell.lower() == names[parent].lower().replace(
                "two word", "two-word"), ids_cell
        else:
            assert name_cell.split(" / ") == [names[i] for i in ids], ids_cell
        logs = row_logs(matches, len(ids))
        for i, log in zip(ids, logs, strict=True) if logs else ():  # a log with its codes: its filter, no other
            assert [other for other in ids if predicates[other](log)] == [i], (i, matches)
        joined = [i for i in ids if len(parts_of(names[i], names)) > 1]
        for i in joined:  # a filter of two or three words matches where all its words' filters do
            parts = parts_of(names[i], names)
            assert all(predicates[i](log) == all(predicates[p](log) for p in parts) for log in SAMPLES), i
        if DASH in ids_cell:
            assert joined == ids and matches.startswith("both conditions"), matches
            number, codes = re.search(r"e\.g\. (\d+) = (.+)\)$", matches).groups()
            (log,) = row_logs(codes.replace(" and ", ", "), 1)
            assert [i for i in ids if predicates[i](log)] == [number], matches
        elif logs is None:  # the one row in words
            assert (ids, matches) == (["42"], CALLBACK)
            callback = {"_ev": 2, "_ty": 1, "_ns": 0, "_ld": [{"_did": "+911140000000"}]}
            assert predicates["42"](callback)
            for near_miss in ({"_ev": 1}, {"_ns": 1}, {"_ns": 2}, {"_ns": 3}, {"_ld": [{"_did": ""}]}):
                assert not predicates["42"]({**callback, **near_miss}), near_miss
    assert sorted(documented, key=int) == sorted(filter_expr.SELECTABLE, key=int)


def test_the_source_table_is_the_search_hit():
    # an AfterCall log made of the fields the table names, each its own name as its value: the hit rendered from it
    # must be every documented field, each the value of its AfterCall field
    pairs, leg, agent = [], [], []
    for field, meaning, after_call in rows("| `_source` field | meaning | AfterCall field |"):
        longs, shorts = ticked(field), ticked(after_call)
        if field.startswith("(hit)") or after_call.startswith("("):  # beside _source; fileurl is no AfterCall field
            pairs.append((longs[0], None))
        elif shorts[0] == "_ld[]":  # a leg's long names (the meaning's spans) and its agent's, with their short ones
            spans = ticked(meaning)
            leg = list(zip([s for s in spans if "[" not in s], [s for s in shorts[1:] if "[" not in s], strict=True))
            agent = list(zip(nested(spans[-1]), nested(shorts[-1]), strict=True))
            pairs.append(("log_details", None))
        else:
            pairs += zip((name.removesuffix("[]") for name in longs), shorts, strict=True)
    log: dict = {short: [{"ky": short}] if short == "_us" else short for _, short in pairs if short}
    log["_ld"] = [{**{short: short for _, short in leg}, "_rr": [{short: short for _, short in agent}]}]
    hit = call_log_live.hit(log)
    assert {long for long, _ in pairs} == {*hit["_source"], *(set(hit) - {"_source"})}
    assert {long: hit["_source"][long] for long, short in pairs if short} == {
        long: log[short] for long, short in pairs if short}
    assert hit["_source"]["log_details"] == [{**{long: short for long, short in leg},
                                              "received_by": [{long: short for long, short in agent}]}]


def nested(span: str) -> list[str]:
    """The names inside `received_by[{name, extension, user_id}]`."""
    return re.findall(r"\w+", span[span.index("{"):])


# --- docs/fidelity.md ----------------------------------------------------------------------------------------------
# The rows that name the deprecated renderings in words: each count's schemas (a total, for the legacy WhatsApp row).
LEGACY_ROWS = {"AfterCall call log, Disposition": (("legacy.call_log",), ("legacy.disposition",)),
               "Legacy WhatsApp payloads": (("legacy.message", "legacy.link_tracking"),)}


def event_types(cell: str) -> list[str]:
    """ "message.received, .sent, conversation.assign, .close (46-53)": each name, a ".x" of the prefix before it."""
    names, prefix = [], ""
    for name in cell.split(" (")[0].split(", "):
        prefix = name.split(".")[0] if not name.startswith(".") else prefix
        names.append(prefix + name if name.startswith(".") else name)
    return names


def test_the_webhook_events_table_is_the_saved_examples():
    saved = Counter(e["schema"] for channel in ("call", "whatsapp") for e in webhook_examples(channel))
    whatsapp = {e["schema"] for e in webhook_examples("whatsapp")}
    documented: dict[tuple[str, ...], int] = {}
    items = set()
    for event, examples, _ in rows("| event (collection item) | examples |"):
        legacy = [groups for start, groups in LEGACY_ROWS.items() if event.startswith(start)]
        groups = legacy[0] if legacy else tuple((name,) for name in event_types(event))
        documented.update(zip(groups, (int(n) for n in examples.split(" / ")), strict=True))
        if {s for group in groups for s in group} <= whatsapp:  # the WhatsApp examples say their items
            low, high = re.search(rf"\((\d+){DASH}(\d+)\)$", event).groups()
            items |= set(range(int(low), int(high) + 1))
    assert sorted(s for group in documented for s in group) == sorted(saved)
    assert {group: sum(saved[s] for s in group) for group in documented} == documented
    assert items == {e["item"] for e in webhook_examples("whatsapp")}


# Each row of the profiles table: what the function that makes the difference gives under a profile, as the row says.
PROFILE_ROWS: dict[str, Callable[[str], list[str]]] = {
    "Send Message's 200, but interactive": lambda profile: (lambda answer: [
        f'`"message": "{answer["message"]}"`', *(f"`data.{key}`" for key in answer["data"] if key.startswith("conv"))])(
        profiles.send_message_answer(profile, interactive=False, message_id="m", conversation_id="c")),
    "OBD `call.end`'s `payload.category`": lambda profile: [f'`"{profiles.obd_end_category(profile)}"`'],
}


def test_the_profiles_table_is_the_profiles_differences():
    functions = [name for name, value in vars(profiles).items() if inspect.isfunction(value)
                 and value.__module__ == profiles.__name__ and not name.startswith("_")]
    table = rows("| where | `documented` (the collection) |")
    assert [where for where, *_ in table] == list(PROFILE_ROWS) and len(table) == len(functions)
    for where, documented, observed, _ in table:
        for profile, cell in (("documented", documented), ("observed", observed)):
            assert [fact for fact in PROFILE_ROWS[where](profile) if fact not in cell] == [], (where, profile)


# --- docs/control-plane.md: what each PATCH of a tenant sets (its routes: tests/test_coverage.py) ------------------
def test_the_control_plane_patches_set_what_the_table_says():
    sets = {ticked(request)[0]: does for request, does in rows("| request | what it does |", "docs/control-plane.md")
            if request.startswith("`PATCH /_mock/tenants/")}
    fields = {request: ticked(re.sub(r" \([^)]*\)", "", does)) for request, does in sets.items()}
    values = {request: {field: choices.split(", ") for field, choices in re.findall(r"`(\w+)` \(([^)]*)\)", does)}
              for request, does in sets.items()}
    assert fields == {
        "PATCH /_mock/tenants/{company_id}": ["wallet_balance", *control_tenants.ACCOUNT_FLAGS],
        "PATCH /_mock/tenants/{company_id}/phonenumbers/{phone_number_id}": list(control_tenants.PHONE_STATES),
        "PATCH /_mock/tenants/{company_id}/wabas/{waba_id}": list(control_tenants.WABA_STATES),
        "PATCH /_mock/tenants/{company_id}/ivrs/{public_ivr_id}": list(
            schemas.schema("control/ivr.patch.request")["properties"])}
    assert values["PATCH /_mock/tenants/{company_id}/phonenumbers/{phone_number_id}"] == control_tenants.PHONE_STATES
    assert values["PATCH /_mock/tenants/{company_id}/wabas/{waba_id}"] == control_tenants.WABA_STATES
