"""The docs' pictures (docs/pictures/, and the timelines' block of docs/scenarios.md) are what tools/pictures.py
draws from the code today: each lifecycle's transition table, each shipped scenario file, the retry schedule and
the layer table. Regenerated in memory and compared byte for byte."""

import dataclasses
import re

from mock_server.domain import calls, whatsapp
from mock_server.webhooks import dispatcher
from tools import pictures

REGENERATE = f"stale: regenerate them with `{pictures.REGENERATE}` and commit the result"


def test_every_picture_matches_its_committed_file():
    stale = pictures.stale()
    assert not stale, f"{', '.join(stale)}: {REGENERATE}"


def test_every_lifecycle_and_every_shipped_scenario_has_its_picture():
    names = set(pictures.pictures())
    tables = {"state-call-session.svg": calls.SESSION_TABLE, "state-call-leg.svg": calls.LEG_TABLE,
              "state-message.svg": whatsapp.MESSAGE_TABLE, "state-conversation.svg": whatsapp.CONVERSATION_TABLE,
              "state-template-review.svg": whatsapp.REVIEW_TABLE}
    assert set(tables) <= names
    assert {f"timeline-{name}.svg" for name in pictures.shipped()} <= names
    assert {"retry-schedule.svg", "architecture.svg"} <= names


def test_each_page_shows_its_pictures():
    docs = pictures.ROOT / "docs"
    shown = {m for page in docs.glob("*.md") for m in re.findall(r"\(pictures/([\w.-]+\.svg)\)",
                                                                  page.read_text(encoding="utf-8"))}
    assert shown == set(pictures.pictures())  # every picture on a page, and no page showing one that is gone


def test_a_state_diagram_follows_its_table():
    lifecycle = next(lc for lc in pictures.lifecycles() if lc.slug == "message")
    before = pictures.state_diagram(lifecycle)
    assert ">read<" in before and ">deliver<" in before
    moves = {state: dict(events) for state, events in whatsapp.MESSAGE_TABLE.items()}
    del moves[whatsapp.MessageStatus.SENT][whatsapp.MessageEvent.DELIVER]  # sent can no longer be delivered
    changed = pictures.state_diagram(pictures.Lifecycle(lifecycle.slug, lifecycle.title, moves, lifecycle.source))
    assert changed != before and ">deliver<" not in changed


def test_a_timeline_follows_its_scenario_file():
    scenario = pictures.shipped()["whatsapp-read"]
    before = pictures.timeline(scenario)
    assert ">65 s<" in before  # sent 2, delivered +3, read +60
    params = {**scenario.params, "read_after": {**scenario.params["read_after"], "default": 30}}
    changed = pictures.timeline(dataclasses.replace(scenario, params=params))
    assert ">35 s<" in changed and ">65 s<" not in changed


def test_the_retry_schedule_and_the_layers_are_the_code():
    assert pictures.retry_schedule() == pictures.retry_schedule(dispatcher.RETRY_SCHEDULE)
    assert "attempt 9" in pictures.retry_schedule((*dispatcher.RETRY_SCHEDULE, 60))
    from tests import test_layers

    layers = {**test_layers.LAYERS, 11: ("newmodule",)}
    sketch = pictures.architecture(layers, test_layers.SURFACES, test_layers.HTTP_LAYERS, test_layers.HTTP_BASE)
    assert ">newmodule<" in sketch and ">newmodule<" not in pictures.pictures()["architecture.svg"]


def test_the_output_is_deterministic():
    assert pictures.pictures() == pictures.pictures()
    for name, text in pictures.pictures().items():
        assert text.startswith("<svg ") and text.endswith("</svg>\n"), name
        assert not re.search(r'(?:x|y|width|height)="-?\d+\.\d', text), name  # integer coordinates only
