"""Scenario files: YAML timelines of steps, checked when they are loaded so a bad one fails at once.

A scenario file (``scenarios/<name>.yaml``)::

    name: incoming-answered            # the file's name without .yaml
    description: ...
    channel: call                      # call | whatsapp
    params:                            # what a run may be given; every one has a default
      agent: {kind: agent, description: ..., pick: 1}     # the tenant's 1st agent who takes calls
      talk: {kind: seconds, description: ..., default: 45, min: 1}
    steps:                             # in order; each at an offset from the run's start
      - at: 0                          # seconds from the start, or
        do: call.start                 # after: seconds after the previous step
        with: {category: incoming, customer: $customer}
    deadline:                          # optional: steps due later are dropped and this one runs then
      at: $max_call_duration           # (a null parameter: no deadline)
      do: call.end

Any value in ``with:``, and any offset, may be ``"$name"``: the parameter's value (``"$$x"`` is the
text ``"$x"``). Checked at load, with the file and the path of the problem in the message: the
file against the JSON Schema ``scenarios/scenario``, each step's arguments against its action's
schema ``scenarios/<action>``, every reference against the declared parameters, every parameter's
kind and default, literal offsets in order, and no parameter left unused.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mock_server import schemas
from mock_server.engine.steps import ParamKind, Vocabulary

# libyaml's parser where PyYAML was built with it (wheels are): the built-in scenarios parse several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SCHEMA = "scenarios/scenario"
# The shipped scenarios: in the wheel beside the package, in a checkout at the repository's root.
PACKAGED = Path(__file__).resolve().parent.parent / "scenarios"
CHECKOUT = Path(__file__).resolve().parents[2] / "scenarios"


class ScenarioError(ValueError):
    """A scenario file that cannot be used: which file, where in it, and what is wrong."""

    def __init__(self, path: Path | str, where: str, message: str):
        self.path, self.where = str(path), where
        super().__init__(f"{path}: {where or 'the file'}: {message}")


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    channel: str
    params: dict[str, dict]
    steps: tuple[dict, ...]
    deadline: dict | None
    path: str = field(compare=False)
    kinds: dict[str, ParamKind] = field(compare=False, default_factory=dict)  # each parameter's kind


def builtin_dir() -> Path:
    return PACKAGED if PACKAGED.is_dir() else CHECKOUT


def is_ref(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$") and not value.startswith("$$")


def substitute(value: Any, params: dict[str, Any]) -> Any:
    """``value`` with every "$name" replaced by that parameter's value ("$$x" -> "$x")."""
    if is_ref(value):
        return params[value[1:]]
    if isinstance(value, str) and value.startswith("$$"):
        return value[1:]
    if isinstance(value, dict):
        return {k: substitute(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, params) for v in value]
    return value


def refs(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(parameter name, path) of every reference in ``value``."""
    if is_ref(value):
        yield value[1:], where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from refs(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from refs(item, f"{where}[{n}]")


def load_file(path: Path, vocabulary: Vocabulary) -> Scenario:
    """The scenario of one file, checked against the actions and kinds of ``vocabulary``."""
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError(path, "", f"cannot be read as YAML: {exc}") from None
    _plain_json(path, doc, "")
    _validate(path, SCHEMA, doc, "")
    if doc["name"] != path.stem:
        raise ScenarioError(path, "name", f"must be the file's name without .yaml ({path.stem!r})")
    params = doc.get("params") or {}
    for name, spec in params.items():
        _check_param(path, name, spec, vocabulary.kinds)
    used: set[str] = set()
    previous = 0.0
    for n, step in enumerate(doc["steps"]):
        where = f"steps[{n}]"
        _check_action(path, where, step, params, used, vocabulary)
        offset = step.get("at", step.get("after"))
        if not is_ref(offset):
            start = offset if "at" in step else previous + offset
            if "at" in step and start < previous:
                raise ScenarioError(path, f"{where}.at", f"{offset:g} s is before the previous step ({previous:g} s)")
            previous = start
    deadline = doc.get("deadline")
    if deadline:
        _check_action(path, "deadline", deadline, params, used, vocabulary)
    unused = sorted(set(params) - used)
    if unused:
        raise ScenarioError(path, f"params.{unused[0]}", "is declared but no step uses it")
    return Scenario(doc["name"], doc["description"].strip(), doc["channel"], params, tuple(doc["steps"]),
                    deadline, str(path), {name: vocabulary.kinds[spec["kind"]] for name, spec in params.items()})


def _validate(path: Path, schema: str, value: Any, prefix: str) -> None:
    """The most relevant schema violation, said in the words of a scenario's author."""
    if schemas.fast_validator(schema).is_valid(value):  # python-jsonschema only to explain a violation
        return
    from jsonschema.exceptions import best_match

    error = best_match(schemas.validator(schema).iter_errors(value))
    if error is None:
        return
    while error.parent is not None and error.parent.validator in ("anyOf", "oneOf"):
        error = error.parent
    where = prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    if error.validator == "oneOf" and error.validator_value == [{"required": ["at"]}, {"required": ["after"]}]:
        message = "give exactly one of at: (seconds from the start) or after: (seconds after the previous step)"
    elif error.validator == "anyOf":
        message = f"{_short(error.instance)} is not {' or '.join(_expected(s) for s in error.validator_value)}"
    else:
        message = error.message
    raise ScenarioError(path, where.lstrip("."), message)


def _expected(schema: dict) -> str:
    ref = schema.get("$ref", "")
    if ref.endswith("/ref"):
        return "a $parameter reference"
    if ref.endswith("/e164"):
        return "an E.164 number (+<country code><number>)"
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    names = {"null": "null", "string": "text", "boolean": "true or false", "object": "a mapping",
             "number": "a number", "integer": "a whole number", "array": "a list"}
    return names.get(str(schema.get("type")), "valid here")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain_json(path: Path, value: Any, where: str) -> None:
    """YAML can say what JSON cannot (dates, non-text keys, .nan); a scenario is JSON data."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ScenarioError(path, where, f"key {key!r} must be text (quote it)")
            _plain_json(path, item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _plain_json(path, item, f"{where}[{n}]")
    elif isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(path, where, "must be a finite number")
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        raise ScenarioError(path, where, f"{value!r} is not JSON data (quote it to make it text)")


def _check_param(path: Path, name: str, spec: dict, kinds: Mapping[str, ParamKind]) -> None:
    where = f"params.{name}"
    kind = kinds.get(spec["kind"])
    if kind is None:
        known = ", ".join(sorted(kinds))
        raise ScenarioError(path, f"{where}.kind", f"unknown kind {spec['kind']!r}; known: {known}")
    if spec["kind"] == "choice" and not spec.get("choices"):
        raise ScenarioError(path, where, "a choice needs its choices")
    if "pick" in spec and kind.pool is None:
        raise ScenarioError(path, f"{where}.pick", f"a {spec['kind']} parameter has no fixture values to pick from")
    if "pick" in spec and "default" in spec:
        raise ScenarioError(path, where, "give a default or a pick, not both")
    if "default" not in spec and kind.pool is None:
        raise ScenarioError(path, where, f"a {spec['kind']} parameter needs a default")
    if spec.get("default") is not None and kind.pool is None:
        try:
            kind.check(None, spec["default"], spec)  # type: ignore[arg-type]  # a kind without a pool needs no tenant
        except ValueError as exc:
            raise ScenarioError(path, f"{where}.default", str(exc)) from None


def _check_action(path: Path, where: str, step: dict, params: dict, used: set[str], vocabulary: Vocabulary) -> None:
    if step["do"] not in vocabulary.actions:
        known = ", ".join(sorted(vocabulary.actions))
        raise ScenarioError(path, f"{where}.do", f"unknown action {step['do']!r}; known: {known}")
    args = step.get("with") or {}
    if f"scenarios/{step['do']}" not in schemas.names():
        raise ScenarioError(path, f"{where}.do", f"action {step['do']!r} has no schema scenarios/{step['do']}.json")
    _validate(path, f"scenarios/{step['do']}", args, f"{where}.with")
    found = list(refs(args, f"{where}.with"))
    for key in ("at", "after"):
        if key in step:
            found += [(name, f"{where}.{key}") for name, _ in refs(step[key], "")]
    for name, at in found:
        if name not in params:
            raise ScenarioError(path, at, f"${name} is not a declared parameter")
        used.add(name)
    for key in ("at", "after"):
        if is_ref(step.get(key)) and params[step[key][1:]]["kind"] != "seconds":
            raise ScenarioError(path, f"{where}.{key}", f"{step[key]} must be a seconds parameter")


def load_dir(folder: Path, vocabulary: Vocabulary) -> dict[str, Scenario]:
    found: dict[str, Scenario] = {}
    for path in sorted(folder.glob("*.yaml")):
        scenario = load_file(path, vocabulary)
        found[scenario.name] = scenario
    return found


@lru_cache(maxsize=8)
def catalog(folders: tuple[Path, ...], vocabulary: Vocabulary) -> dict[str, Scenario]:
    """Every scenario of these folders (a later folder's file replaces an earlier one of the same name)."""
    found: dict[str, Scenario] = {}
    for folder in folders:
        if not folder.is_dir():
            raise ScenarioError(folder, "", "is not a folder of scenario files")
        found.update(load_dir(folder, vocabulary))
    return found
