"""Timestamps as the suite expects them, on either of its manual clocks (tests/conftest.py).

On the still clock an expected instant is exact. On the ticking clock every reading of the time is a
millisecond later than the one before, so a moment the test names ("the review decides at 10:02") is
met a few readings after it: ``moment(text)`` equals any instant from ``text`` to 100 ms later there,
never an earlier one (time running backwards is exactly what the ticking clock is there to catch).
"""

from __future__ import annotations

from datetime import timedelta

from mock_server.clock import parse_iso

SLACK = timedelta(milliseconds=100)


class moment:  # noqa: N801 - reads as a value in an assertion: ``assert doc["created"] == moment(...)``
    def __init__(self, expected: str):
        self.expected = expected

    def __eq__(self, actual: object) -> bool:
        from tests.conftest import clock_in_use

        if not isinstance(actual, str):
            return NotImplemented
        if clock_in_use() != "ticking":
            return actual == self.expected
        try:
            lateness = parse_iso(actual) - parse_iso(self.expected)
        except ValueError:
            return False
        return timedelta(0) <= lateness <= SLACK

    def __repr__(self) -> str:
        return f"moment({self.expected!r})"


class seconds:  # noqa: N801 - ``assert waited.total_seconds() == seconds(60)``
    """A span between two moments: exact on the still clock, up to 100 ms longer on the ticking one."""

    def __init__(self, expected: float):
        self.expected = expected

    def __eq__(self, actual: object) -> bool:
        from tests.conftest import clock_in_use

        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return NotImplemented
        if clock_in_use() != "ticking":
            return actual == self.expected
        return 0 <= actual - self.expected <= SLACK.total_seconds()

    def __repr__(self) -> str:
        return f"seconds({self.expected!r})"
