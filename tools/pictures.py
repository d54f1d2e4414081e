"""The docs' pictures, drawn from the code so they cannot drift from it.

    python tools/pictures.py            # rewrite docs/pictures/ and the generated block of docs/scenarios.md
    python tools/pictures.py --check    # exit 1, naming what differs, when the committed pictures are stale

Every picture is plain SVG written here, from:

- each lifecycle's transition table (``mock_server/domain``): the call session and its legs, a WhatsApp message,
  a conversation, a template's review: a state diagram;
- each shipped scenario file (read by the engine's own loader, its offsets by the runner's ``timeline`` with the
  parameters' defaults): a timeline, one lane for the call (or message) and one for each leg;
- the webhooks' retry schedule (``webhooks.dispatcher.RETRY_SCHEDULE``);
- the layer table ``tests/test_layers.py`` keeps (``LAYERS``): the architecture sketch.

The output is the same bytes on any machine: coordinates are integers computed here (text widths from a
monospace font's advance, 0.6 em, never measured), the order is the tables' own, and nothing reads the time.
``tests/test_pictures.py`` regenerates everything in memory and compares it with the committed files.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the repository's packages (mock_server, tests) importable
    sys.path.insert(0, str(ROOT))

from mock_server.domain import calls, whatsapp  # noqa: E402
from mock_server.engine import loader, runner  # noqa: E402
from mock_server.steps import VOCABULARY  # noqa: E402
from mock_server.webhooks.dispatcher import RETRY_SCHEDULE  # noqa: E402

OUT = ROOT / "docs" / "pictures"
SCENARIOS_PAGE = ROOT / "docs" / "scenarios.md"
BEGIN, END = "<!-- generated: scenario timelines (python tools/pictures.py) -->", "<!-- end generated -->"
REGENERATE = "python tools/pictures.py"

FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
INK, LINE, FILL, FINAL, MUTED = "#1f2d3d", "#44546a", "#e8f0fb", "#eef0f2", "#6b7785"
TALK, RING = "#2f7d4f", "#b7d7c2"


def width_of(text: str, size: int) -> int:
    """A monospace font's advance is 0.6 em a character: the width every layout here assumes."""
    return (len(text) * size * 3 + 4) // 5


# --- SVG -------------------------------------------------------------------------------------
@dataclass
class Svg:
    parts: list[str] = field(default_factory=list)

    def text(self, x: int, y: int, text: str, size: int = 12, anchor: str = "start", color: str = INK,
             bold: bool = False) -> None:
        weight = ' font-weight="bold"' if bold else ""
        self.parts.append(f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" fill="{color}"'
                          f'{weight}>{escape(text)}</text>')

    def rect(self, x: int, y: int, w: int, h: int, fill: str, stroke: str = LINE, radius: int = 6,
             width: int = 1) -> None:
        self.parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius}" fill="{fill}" '
                          f'stroke="{stroke}" stroke-width="{width}"/>')

    def path(self, d: str, color: str = LINE, width: int = 1, arrow: bool = False, dash: bool = False) -> None:
        extra = (' marker-end="url(#arrow)"' if arrow else "") + (' stroke-dasharray="4 3"' if dash else "")
        self.parts.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{width}"{extra}/>')

    def circle(self, x: int, y: int, r: int, fill: str = INK) -> None:
        self.parts.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{fill}"/>')

    def render(self, width: int, height: int, title: str) -> str:
        head = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT}">',
            f"<title>{escape(title)}</title>",
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{LINE}"/></marker></defs>',
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>',  # readable on a dark page too
        ]
        return "\n".join([*head, *self.parts, "</svg>"]) + "\n"


def wrap(words: Iterable[str], limit: int, sep: str = ", ") -> list[str]:
    """``words`` joined by ``sep`` in lines of at most ``limit`` characters (a longer word gets its own line)."""
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + len(sep) + len(word) <= limit:
            lines[-1] += sep + word
        else:
            if lines:
                lines[-1] += sep.rstrip()
            lines.append(word)
    return lines


# --- state diagrams ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Lifecycle:
    slug: str
    title: str
    table: Mapping[Any, Mapping[Any, Any]]
    source: str


def lifecycles() -> tuple[Lifecycle, ...]:
    return (
        Lifecycle("call-session", "A call (session)", calls.SESSION_TABLE,
                  "SESSION_TABLE, mock_server/domain/calls.py"),
        Lifecycle("call-leg", "A call's leg", calls.LEG_TABLE, "LEG_TABLE, mock_server/domain/calls.py"),
        Lifecycle("message", "A WhatsApp message", whatsapp.MESSAGE_TABLE,
                  "MESSAGE_TABLE, mock_server/domain/whatsapp.py"),
        Lifecycle("conversation", "A WhatsApp conversation", whatsapp.CONVERSATION_TABLE,
                  "CONVERSATION_TABLE, mock_server/domain/whatsapp.py"),
        Lifecycle("template-review", "A template's review", whatsapp.REVIEW_TABLE,
                  "REVIEW_TABLE, mock_server/domain/whatsapp.py"),
    )


@dataclass
class Edge:
    source: int
    target: int
    events: list[str]
    track: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def span(self) -> tuple[int, int]:
        return min(self.source, self.target), max(self.source, self.target)


def _tracks(edges: list[Edge]) -> None:
    """Each edge's height (1, 2, ...): above every edge its span overlaps that was placed before it, shortest first."""
    placed: list[Edge] = []
    for edge in sorted(edges, key=lambda e: (e.span[1] - e.span[0], e.span)):
        lo, hi = edge.span
        edge.track = 1 + max((p.track for p in placed if max(lo, p.span[0]) < min(hi, p.span[1])), default=0)
        placed.append(edge)


def state_diagram(lifecycle: Lifecycle) -> str:
    """The states in the table's order, left to right; a move to a later state an arc above, to an earlier one an
    arc below; the events that leave a state as it is listed in its box (↻)."""
    states = [str(s) for s in lifecycle.table]
    index = {s: n for n, s in enumerate(states)}
    loops: dict[str, list[str]] = {s: [] for s in states}
    grouped: dict[tuple[int, int], list[str]] = {}
    for state, moves in lifecycle.table.items():
        for event, target in moves.items():
            if str(target) == str(state):
                loops[str(state)].append(str(event))
            else:
                grouped.setdefault((index[str(state)], index[str(target)]), []).append(str(event))
    edges = [Edge(s, t, events) for (s, t), events in grouped.items()]
    longest = max((len(e) for edge in edges for e in edge.events), default=0)
    for edge in edges:
        edge.lines = wrap(edge.events, max(longest, 16))
    above, below = [e for e in edges if e.target > e.source], [e for e in edges if e.target < e.source]
    _tracks(above)
    _tracks(below)
    entered = {e.target for e in edges}
    initial = [n for n in range(len(states)) if n == 0 or n not in entered]
    final = {n for n in range(len(states)) if not any(e.source == n for e in edges)}

    name_size, note_size, label_size, lh = 14, 11, 11, 13
    boxes = []  # (width, lines of its ↻ note)
    for state in states:
        note = wrap(loops[state], 22)
        if note:
            note[0] = "↻ " + note[0]
            note[1:] = ["  " + line for line in note[1:]]
        w = max([width_of(state, name_size), *(width_of(line, note_size) for line in note)]) + 24
        boxes.append((max(w, 90), note))
    label_w = max((width_of(line, label_size) for e in edges for line in e.lines), default=0)
    gap = max(label_w + 24, 76)
    step = max((len(e.lines) for e in edges), default=1) * lh + 14
    top_room = max((e.track for e in above), default=0) * step + (step - 14) + 8  # the top arc's label above it
    bottom_room = max((e.track for e in below), default=0) * step + (step - 14) + 8
    heights = [34 + len(note) * lh for _, note in boxes]
    margin, title_h = 16, 44
    top = title_h + top_room
    xs, x = [], margin + 40
    for w, _ in boxes:
        xs.append(x)
        x += w + gap
    width = x - gap + margin
    bottom = top + max(heights)
    height = bottom + bottom_room + margin

    svg = Svg()
    svg.text(margin, 22, lifecycle.title, size=15, bold=True)
    subtitle = f"from {lifecycle.source}; ↻ events that leave the state as it is"
    svg.text(margin, 38, subtitle, size=11, color=MUTED)
    width = max(width, margin + width_of(subtitle, 11) + margin)
    for n, state in enumerate(states):
        w, note = boxes[n]
        svg.rect(xs[n], top, w, heights[n], FINAL if n in final else FILL, width=2 if n in final else 1)
        if n in final:
            svg.rect(xs[n] + 3, top + 3, w - 6, heights[n] - 6, "none", radius=4)
        svg.text(xs[n] + w // 2, top + 22, state, size=name_size, anchor="middle", bold=True)
        for k, line in enumerate(note):
            svg.text(xs[n] + 12, top + 22 + lh + k * lh + 2, line, size=note_size, color=MUTED)
    for n in initial:
        y = top + 17
        svg.circle(xs[n] - 30, y, 5)
        svg.path(f"M{xs[n] - 25},{y} H{xs[n] - 1}", arrow=True)

    # ports: where each arc leaves or enters a box's top (above) or bottom (below), spread so nested arcs never cross
    for side, group in (("above", above), ("below", below)):
        ports: dict[int, list[tuple[tuple, Edge, str]]] = {n: [] for n in range(len(states))}
        for edge in group:
            lo, hi = edge.span
            ports[lo].append(((1, -edge.track), edge, "lo"))  # leaving rightwards: the outer arc further left
            ports[hi].append(((0, edge.track), edge, "hi"))  # arriving from the left: the outer arc further right
        where: dict[tuple[int, str], int] = {}
        for n, attached in ports.items():
            attached.sort(key=lambda item: (item[0], item[1].span))
            w = boxes[n][0]
            for k, (_, edge, end) in enumerate(attached):
                where[(id(edge), end)] = xs[n] + w * (k + 1) // (len(attached) + 1)
        for edge in group:
            x_lo, x_hi = where[(id(edge), "lo")], where[(id(edge), "hi")]
            x_from, x_to = (x_lo, x_hi) if edge.source < edge.target else (x_hi, x_lo)
            if side == "above":
                y_from = y_to = top
                y = top - edge.track * step
            else:
                y_from, y_to = top + heights[edge.source], top + heights[edge.target]
                y = bottom + edge.track * step
            svg.path(f"M{x_from},{y_from} V{y} H{x_to} V{y_to}", arrow=True)
            middle = (x_lo + x_hi) // 2
            label_h = len(edge.lines) * lh
            y_label = y - label_h - 3 if side == "above" else y + 3
            lw = max(width_of(line, label_size) for line in edge.lines)
            svg.rect(middle - lw // 2 - 3, y_label, lw + 6, label_h + 1, "#ffffff", stroke="none", radius=2)
            for k, line in enumerate(edge.lines):
                svg.text(middle, y_label + (k + 1) * lh - 3, line, size=label_size, anchor="middle")
    return svg.render(width, height, f"{lifecycle.title}: its states and moves ({lifecycle.source})")


# --- scenario timelines ------------------------------------------------------------------------
@dataclass
class Lane:
    name: str
    marks: list[tuple[float, str, str]] = field(default_factory=list)  # (offset, label, kind: event, fail)
    bars: list[tuple[float, float | None, str]] = field(default_factory=list)  # (from, to or open, RING / TALK)


def default_params(scenario: loader.Scenario) -> dict[str, Any]:
    """Each parameter's literal default; one drawn from a tenant's fixtures reads as its name ("$agent")."""
    return {name: spec.get("default", f"${name}") for name, spec in scenario.params.items()}


def _label(action: str, args: Mapping[str, Any]) -> str:
    verb = action.split(".", 1)[1]
    if action == "call.fail":
        return f"fail: {args.get('dial_status', 'NO ANSWER')}"
    if action == "call.transfer":
        return f"transfer → {args.get('as', 'agent')}"
    if action == "template.review":
        return f"review: {args.get('outcome')}"
    return verb.replace("_", " ")


def lanes_of(scenario: loader.Scenario) -> tuple[list[Lane], float]:
    """The run's lanes (the call, then each leg as it appears; a message's actions by what they move) with the
    default parameters, and when it ends."""
    plan = runner.timeline(scenario, default_params(scenario))
    lanes: dict[str, Lane] = {}

    def lane(name: str) -> Lane:
        return lanes.setdefault(name, Lane(name))

    def leg_starts(name: str, at: float, style: str) -> None:
        lane(name).bars.append((at, None, style))

    def leg_moves(name: str, at: float, style: str | None) -> None:
        bars = lane(name).bars
        if bars and bars[-1][1] is None:
            start, _, was = bars.pop()
            bars.append((start, at, was))
            if style is not None:
                bars.append((at, None, style))

    for step in plan:
        action, args, at = step["do"], step["with"], step["offset"]
        family = action.split(".", 1)[0]
        if family != "call":
            lane(family).marks.append((at, _label(action, args), "fail" if action.endswith(".fail") else "event"))
            continue
        if action == "call.start":
            lane("call").marks.append((at, f"start: {args.get('category')}", "event"))
            if args.get("caller"):
                leg_starts(args["caller"], at, TALK)  # a leg that called in: connected from the start
        elif action == "call.dial":
            name = args.get("as") or args["party"]
            lane(name).marks.append((at, "dial", "event"))
            leg_starts(name, at, RING)
        elif action == "call.answer":
            lane(args["leg"]).marks.append((at, "answer", "event"))
            leg_moves(args["leg"], at, TALK)
        elif action in ("call.fail", "call.hangup"):
            lane(args["leg"]).marks.append((at, _label(action, args), "fail" if action == "call.fail" else "event"))
            leg_moves(args["leg"], at, None)
        elif action == "call.transfer":
            lane(args["leg"]).marks.append((at, _label(action, args), "event"))
            leg_moves(args["leg"], at, None)
            leg_starts(args.get("as", "agent"), at, RING)
        else:
            lane("call").marks.append((at, _label(action, args), "event"))
            if action == "call.end":
                for other in lanes.values():
                    leg_moves(other.name, at, None)
    end = plan[-1]["offset"]
    order = sorted(lanes.values(), key=lambda ln: (ln.name != "call", list(lanes).index(ln.name)))
    return order, end


def _seconds(value: float) -> str:
    return f"{value:g} s"


def timeline(scenario: loader.Scenario) -> str:
    """The scenario's steps at their offsets (the distinct moments evenly spaced, each labelled with its time), one
    lane for the call and one per leg: a leg's bar light while it rings, dark once it talks (or called in)."""
    lanes, end = lanes_of(scenario)
    moments = sorted({at for ln in lanes for at, _, _ in ln.marks})
    size, lh, margin = 11, 13, 16
    label_w = max(width_of(label, size) for ln in lanes for _, label, _ in ln.marks)
    column = max(label_w + 14, 64)
    name_w = max([width_of(ln.name, 12) for ln in lanes] + [40]) + 16
    x0 = margin + name_w + column // 2
    xs = {at: x0 + n * column for n, at in enumerate(moments)}
    has_legs = any(ln.bars for ln in lanes)
    subtitle = f"scenarios/{Path(scenario.path).name}, with the default parameters (the moments evenly spaced)"
    legend = "connected (talking, or called in)"
    width = max(x0 + (len(moments) - 1) * column + column // 2 + margin, margin + width_of(subtitle, 11) + margin,
                margin + 170 + width_of(legend, size) + margin if has_legs else 0)
    title_h, row = 44, 46
    svg = Svg()
    svg.text(margin, 22, scenario.name, size=15, bold=True)
    svg.text(margin, 38, subtitle, size=11, color=MUTED)
    y = title_h + 8
    for n, ln in enumerate(lanes):
        if n % 2 == 0:
            svg.rect(margin, y, width - 2 * margin, row, "#f6f8fa", stroke="none", radius=0)
        middle = y + 18
        svg.text(margin + 6, middle + 4, ln.name, size=12, bold=True)
        for start, stop, style in ln.bars:
            x_to = xs[stop] if stop is not None else xs[end] if end in xs else width - margin
            svg.rect(xs[start], middle - 4, max(x_to - xs[start], 2), 8, style, stroke="none", radius=2)
        shown: dict[float, int] = {}
        for at, label, kind in ln.marks:
            k = shown.get(at, 0)
            shown[at] = k + 1
            if k == 0:
                if kind == "fail":
                    svg.path(f"M{xs[at] - 5},{middle - 5} L{xs[at] + 5},{middle + 5} M{xs[at] - 5},{middle + 5} "
                             f"L{xs[at] + 5},{middle - 5}", color="#b3261e", width=2)
                else:
                    svg.circle(xs[at], middle, 5)
            svg.text(xs[at], middle + 19 + k * lh, label, size=size, anchor="middle",
                     color="#b3261e" if kind == "fail" else INK)
        y += row + lh * (max([*shown.values(), 1]) - 1)
    axis = y + 8
    svg.path(f"M{xs[moments[0]]},{axis} H{xs[moments[-1]]}")
    for at, x in xs.items():
        svg.path(f"M{x},{axis - 4} V{axis + 4}")
        svg.text(x, axis + 17, _seconds(at), size=size, anchor="middle", color=MUTED)
    height = axis + 22 + margin
    if has_legs:
        legend_y = axis + 38
        svg.rect(margin, legend_y - 8, 24, 8, RING, stroke="none", radius=2)
        svg.text(margin + 30, legend_y, "a leg ringing", size=size, color=MUTED)
        svg.rect(margin + 140, legend_y - 8, 24, 8, TALK, stroke="none", radius=2)
        svg.text(margin + 170, legend_y, legend, size=size, color=MUTED)
        height = legend_y + margin
    return svg.render(width, height, f"{scenario.name}: its steps at their offsets")


def shipped() -> dict[str, loader.Scenario]:
    return loader.catalog((loader.builtin_dir(),), VOCABULARY)


# --- the retry schedule ------------------------------------------------------------------------
def _duration(seconds: int) -> str:
    parts: list[str] = []
    for unit, size in (("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size or (unit == "s" and not parts):
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
    return " ".join(parts)


def retry_schedule(schedule: Iterable[int] = RETRY_SCHEDULE) -> str:
    """Each attempt of one delivery, the wait before it and when it goes out after the event."""
    delays = list(schedule)
    size, margin, box_h = 11, 16, 44
    labels = ["at once", *(f"at {_duration(sum(delays[:n]))}" for n in range(1, len(delays) + 1))]
    box_w = max([width_of(label, size) for label in labels] + [width_of("attempt 8", 12)]) + 16
    gap = max(width_of("+" + _duration(d), size) for d in delays) + 22
    per_row = 4
    svg = Svg()
    svg.text(margin, 22, "Webhook retries: one delivery's attempts", size=15, bold=True)
    subtitle = "from RETRY_SCHEDULE, mock_server/webhooks/dispatcher.py; a 2xx answer ends it"
    svg.text(margin, 38, subtitle, size=11, color=MUTED)
    top, row_h = 62, box_h + 40
    count = len(delays) + 1
    for n in range(count):
        r, c = divmod(n, per_row)
        x, y = margin + c * (box_w + gap), top + r * row_h
        svg.rect(x, y, box_w, box_h, FILL)
        svg.text(x + box_w // 2, y + 18, f"attempt {n + 1}", size=12, anchor="middle", bold=True)
        svg.text(x + box_w // 2, y + 34, labels[n], size=size, anchor="middle", color=MUTED)
        if n + 1 < count:
            wait = "+" + _duration(delays[n])
            if c + 1 < per_row:
                svg.path(f"M{x + box_w},{y + box_h // 2} H{x + box_w + gap - 1}", arrow=True)
                svg.text(x + box_w + gap // 2, y + box_h // 2 - 6, wait, size=size, anchor="middle")
            else:  # the row's end: down to the next row's first box
                x_next = margin
                y_mid = y + box_h + 20
                svg.path(f"M{x + box_w // 2},{y + box_h} V{y_mid} H{x_next + box_w // 2} V{y + row_h - 1}",
                         arrow=True)
                svg.text((x + x_next + box_w) // 2, y_mid - 5, wait, size=size, anchor="middle")
    rows = (count + per_row - 1) // per_row
    last_r, last_c = divmod(count - 1, per_row)
    x, y = margin + last_c * (box_w + gap) + box_w, top + last_r * row_h
    svg.path(f"M{x},{y + box_h // 2} H{x + gap // 2}", arrow=True)
    svg.text(x + gap // 2 + 6, y + box_h // 2 + 4, "failed", size=12, color="#b3261e", bold=True)
    width = margin + per_row * (box_w + gap) - gap + margin
    width = max(width, x + gap // 2 + 6 + width_of("failed", 12) + margin, margin + width_of(subtitle, 11) + margin)
    height = top + rows * row_h - 40 + margin
    return svg.render(width, height, "Webhook retries: one delivery's attempts")


# --- the architecture sketch -------------------------------------------------------------------
def architecture(layers: Mapping[int, tuple[str, ...]], surfaces: tuple[str, ...], http_layers: set[int],
                 http_base: tuple[str, ...]) -> str:
    """The layer table as bands, the top layer first: a unit may import its own band and those below it."""
    size, margin, unit_h, pad = 12, 16, 24, 8
    inner = 720  # the width units wrap in
    label_w = width_of("layer 10", size) + 16
    x0 = margin + 34 + label_w
    svg = Svg()
    svg.text(margin, 22, "Layers: every import points down", size=15, bold=True)
    subtitle = "from LAYERS, tests/test_layers.py (which checks every import in mock_server/)"
    svg.text(margin, 38, subtitle, size=11, color=MUTED)
    y = 52
    first = y
    for level, units in layers.items():
        rows: list[list[tuple[str, int]]] = [[]]
        used = 0
        for unit in units:
            w = width_of(unit, size) + 16
            if rows[-1] and used + w > inner:
                rows.append([])
                used = 0
            rows[-1].append((unit, w))
            used += w + 8
        band_h = len(rows) * (unit_h + 6) - 6 + 2 * pad
        http = level in http_layers
        svg.rect(margin + 34, y, label_w + inner + 2 * pad, band_h, "#fdf6e3" if http else "#f6f8fa",
                 stroke="#d0d7de", radius=4)
        svg.text(margin + 42, y + band_h // 2 + 4, f"layer {level}", size=size, color=MUTED)
        for r, row in enumerate(rows):
            x = x0 + pad
            for unit, w in row:
                top = y + pad + r * (unit_h + 6)
                fill = "#dbeafe" if unit in surfaces else "#fdf6e3" if unit in http_base else FILL
                svg.rect(x, top, w, unit_h, fill,
                         stroke="#2563eb" if unit in surfaces else LINE, radius=4)
                svg.text(x + w // 2, top + 16, unit, size=size, anchor="middle")
                x += w + 8
        y += band_h + 6
    svg.path(f"M{margin + 14},{first + 4} V{y - 10}", width=2, arrow=True)
    legend = y + 14
    svg.rect(margin + 34, legend - 10, 24, 12, "#dbeafe", stroke="#2563eb", radius=3)
    svg.text(margin + 64, legend, "a surface (imports no other surface)", size=11, color=MUTED)
    svg.rect(margin + 330, legend - 10, 24, 12, "#fdf6e3", stroke="#d0d7de", radius=3)
    svg.text(margin + 360, legend, "Starlette may be imported (the HTTP plumbing of the base too)", size=11,
             color=MUTED)
    width = margin + 34 + label_w + inner + 2 * pad + margin
    return svg.render(width, legend + margin, "Layers: every import points down (tests/test_layers.py)")


# --- everything ---------------------------------------------------------------------------------
def pictures() -> dict[str, str]:
    """Every picture's file name under docs/pictures/ and its SVG text."""
    from tests import test_layers  # the layer table the test keeps: the sketch is drawn from it

    out = {f"state-{lc.slug}.svg": state_diagram(lc) for lc in lifecycles()}
    out.update({f"timeline-{name}.svg": timeline(scenario) for name, scenario in sorted(shipped().items())})
    out["retry-schedule.svg"] = retry_schedule()
    out["architecture.svg"] = architecture(test_layers.LAYERS, test_layers.SURFACES, test_layers.HTTP_LAYERS,
                                           test_layers.HTTP_BASE)
    return out


def timelines_block(scenarios: Mapping[str, loader.Scenario]) -> str:
    """The Markdown of docs/scenarios.md's generated block: each shipped scenario's timeline, calls first."""
    lines = [BEGIN, ""]
    for channel, heading in (("call", "Call scenarios"), ("whatsapp", "WhatsApp scenarios")):
        lines += [f"#### {heading}", ""]
        for name, scenario in sorted(scenarios.items()):
            if scenario.channel == channel:
                caption = textwrap.fill(f"`{name}`: {' '.join(scenario.description.split())}", width=116)
                lines += [caption, "", f"![{name}](pictures/timeline-{name}.svg)", ""]
    return "\n".join([*lines, END])


def page_with_block(page: str, block: str) -> str:
    if BEGIN not in page or END not in page:
        raise ValueError(f"{SCENARIOS_PAGE.relative_to(ROOT)} has no generated block ({BEGIN} ... {END})")
    before, rest = page.split(BEGIN, 1)
    return before + block + rest.split(END, 1)[1]


def expected() -> dict[Path, str]:
    """Every generated file (absolute path) and the text it should hold."""
    files = {OUT / name: text for name, text in pictures().items()}
    files[SCENARIOS_PAGE] = page_with_block(SCENARIOS_PAGE.read_text(encoding="utf-8"), timelines_block(shipped()))
    return files


def stale() -> list[str]:
    """What differs from the committed files: those to rewrite, and pictures no longer generated."""
    files = expected()
    differ = [str(p.relative_to(ROOT)) for p, text in files.items()
              if not p.exists() or p.read_text(encoding="utf-8") != text]
    extra = [str(p.relative_to(ROOT)) + " (no longer generated)" for p in sorted(OUT.glob("*.svg")) if p not in files]
    return differ + extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say what is stale (exit 1 if anything is)")
    args = parser.parse_args(argv)
    if args.check:
        found = stale()
        for name in found:
            print(f"stale: {name}")
        return 1 if found else 0
    files = expected()
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted(OUT.glob("*.svg")):
        if path not in files:
            path.unlink()
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
