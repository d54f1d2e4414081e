"""The Markdown tables of README.md and the docs/ pages, read once for every test that keeps a table equal to the code.

A table is a header row followed by a delimiter row (``|---|``), outside code fences; its rows are the ``|`` lines after
them. A cell is the text between two unescaped pipes, stripped, with ``\\|`` read as ``|``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")))
DELIMITER = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+\s*$")


@dataclass(frozen=True)
class Table:
    page: str  # relative to the checkout: "README.md", "docs/webhooks.md"
    line: int  # the header row's, 1-based
    heading: str  # the nearest heading above it
    header: str  # the header row as written
    rows: tuple[tuple[str, ...], ...]
    own_block: bool  # a blank line, a heading or the page's start before it: else the site shows it as a paragraph

    def where(self) -> str:
        return f"{self.page}:{self.line} ({self.heading}) {self.header}"


def cells(line: str) -> tuple[str, ...]:
    return tuple(cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1]))


@cache
def tables() -> tuple[Table, ...]:
    """Every table of the README and docs/, in page order."""
    found = []
    for path in PAGES:
        lines = path.read_text(encoding="utf-8").splitlines()
        heading, fenced = "", False
        for i, line in enumerate(lines):
            if line.lstrip().startswith("```"):
                fenced = not fenced
            if fenced:
                continue
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
            if line.startswith("|") and i + 1 < len(lines) and DELIMITER.match(lines[i + 1]):
                body = []
                for row in lines[i + 2:]:
                    if not row.startswith("|"):
                        break
                    body.append(cells(row))
                found.append(Table(path.relative_to(ROOT).as_posix(), i + 1, heading, line.strip(), tuple(body),
                                   i == 0 or not lines[i - 1].strip() or lines[i - 1].startswith("#")))
    return tuple(found)


def find(header: str, page: str | None = None) -> list[Table]:
    """The tables whose header row starts with ``header`` (on ``page``, when given); at least one."""
    found = [t for t in tables() if t.header.startswith(header) and page in (None, t.page)]
    assert found, f"no table starts with {header!r}" + (f" on {page}" if page else "")
    return found


def rows(header: str, page: str | None = None) -> list[tuple[str, ...]]:
    """The rows of every table whose header row starts with ``header``, one list."""
    return [row for table in find(header, page) for row in table.rows]


def ticked(cell: str) -> list[str]:
    """The code spans of a cell, in order."""
    return re.findall(r"`([^`]+)`", cell)
