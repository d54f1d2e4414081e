"""Scenario files: every shipped one loads; a bad one is refused at load, naming the file and the place."""

from __future__ import annotations

import textwrap

import pytest

from mock_server import schemas
from mock_server.engine import loader
from mock_server.steps import ACTIONS, VOCABULARY

GOOD = """\
name: {name}
description: A call.
channel: call
params:
  customer: {{kind: customer, description: The caller., pick: 1}}
  did: {{kind: did, description: The DID.}}
  talk: {{kind: seconds, description: Talk., default: 30}}
steps:
  - at: 0
    do: call.start
    with: {{category: incoming, caller: customer, customer: $customer, did: $did}}
  - after: $talk
    do: call.end
"""


def write(tmp_path, text: str, name: str = "sample") -> loader.Scenario:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return loader.load_file(path, VOCABULARY)


def refused(tmp_path, text: str, name: str = "sample") -> loader.ScenarioError:
    with pytest.raises(loader.ScenarioError) as caught:
        write(tmp_path, text, name)
    assert str(tmp_path / f"{name}.yaml") in str(caught.value)
    return caught.value


def test_every_shipped_scenario_loads():
    shipped = loader.load_dir(loader.builtin_dir(), VOCABULARY)
    assert len(shipped) >= 20 and all(s.channel in ("call", "whatsapp") for s in shipped.values())
    assert sorted(p.stem for p in loader.builtin_dir().glob("*.yaml")) == sorted(shipped)


def test_every_action_has_an_argument_schema():
    assert ACTIONS and all(f"scenarios/{name}" in schemas.names() for name in ACTIONS)


def test_a_good_file_loads(tmp_path):
    scenario = write(tmp_path, GOOD.format(name="sample"))
    assert scenario.name == "sample" and [s["do"] for s in scenario.steps] == ["call.start", "call.end"]
    assert scenario.params["talk"]["default"] == 30


BAD = [
    # (what is wrong, the text's replacement of a part of GOOD (old, new), where, words of the message)
    ("not YAML", ("steps:", "steps: [\n  - {"), "the file", "cannot be read as YAML"),
    ("no steps", ("steps:\n  - at: 0", "stepz:\n  - at: 0"), "the file", "steps"),
    ("an unknown action", ("do: call.end", "do: call.explode"), "steps[1].do", "unknown action 'call.explode'"),
    ("a bad argument", ("category: incoming", "category: outgoing"), "steps[0].with.category", "is not"),
    ("an unknown argument", ("did: $did}", "did: $did, colour: red}"), "steps[0].with", "colour"),
    ("an undeclared parameter", ("did: $did}", "did: $dids}"), "steps[0].with.did",
     "$dids is not a declared parameter"),
    ("an unknown kind", ("kind: seconds", "kind: minutes"), "params.talk.kind", "unknown kind 'minutes'"),
    ("a default the kind refuses", ("default: 30", "default: soon"), "params.talk.default", "A number is required"),
    ("a pick of a kind with no fixtures", ("default: 30", "pick: 2"), "params.talk.pick", "no fixture values"),
    ("a kind that needs a default", ("kind: seconds, description: Talk., default: 30",
                                     "kind: seconds, description: Talk."), "params.talk", "needs a default"),
    ("both at and after", ("  - after: $talk", "  - at: 5\n    after: $talk"), "steps[1]", "exactly one of at"),
    ("an offset that is no seconds", ("  - after: $talk", "  - after: $did"), "steps[1].after", "seconds parameter"),
    ("steps out of order", ("  - after: $talk", "  - at: 10\n    do: call.ivr\n  - at: 5"), "steps[2].at",
     "before the previous step"),
    ("an unused parameter", ("  talk: {kind: seconds, description: Talk., default: 30}\n",
                             "  talk: {kind: seconds, description: Talk., default: 30}\n  spare: {kind: text, "
                             "description: Unused., default: x}\n"), "params.spare", "no step uses it"),
    ("a YAML date", ("description: A call.", "description: 2025-01-01"), "description", "not JSON data"),
    ("a choice without choices", ("kind: seconds, description: Talk., default: 30",
                                  "kind: choice, description: Talk., default: 30"), "params.talk", "choices"),
    ("a negative offset", ("  - at: 0\n", "  - at: -1\n"), "steps[0].at", "is not"),
]


@pytest.mark.parametrize("case", BAD, ids=lambda c: c[0])
def test_a_bad_file_is_refused_with_its_place(tmp_path, case):
    _, (old, new), where, words = case
    text = GOOD.format(name="sample")
    assert old in text
    error = refused(tmp_path, text.replace(old, new, 1))
    assert error.where == (where if where != "the file" else "") or where in str(error), str(error)
    assert words in str(error), str(error)


def test_the_name_must_be_the_files(tmp_path):
    error = refused(tmp_path, GOOD.format(name="other"), name="sample")
    assert error.where == "name" and "'sample'" in str(error)


def test_a_bad_file_stops_the_catalog(tmp_path):
    write(tmp_path, GOOD.format(name="fine"), name="fine")
    (tmp_path / "broken.yaml").write_text("name: broken\n", encoding="utf-8")
    with pytest.raises(loader.ScenarioError, match="broken.yaml"):
        loader.load_dir(tmp_path, VOCABULARY)
    with pytest.raises(loader.ScenarioError, match="not a folder"):
        loader.catalog((tmp_path / "missing",), VOCABULARY)


def test_references_are_substituted_at_any_depth():
    params = {"a": 1, "b": {"x": [2]}}
    assert loader.substitute({"k": "$a", "l": ["$b", "$$a", "plain"], "m": {"n": "$a"}}, params) == {
        "k": 1, "l": [{"x": [2]}, "$a", "plain"], "m": {"n": 1}}
