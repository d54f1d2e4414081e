"""Units of work for the in-memory state: what a failed transaction wrote to memory is put back.

The backend rolls back the database; this rolls back the dicts beside it, so the API and a restart
never disagree. While a unit is open, every change to memory records how to undo itself (a
callable); a unit that raises replays its undos newest first, then re-raises. Units nest: an inner
unit that fails puts back only its own changes; one that succeeds hands its undos to the unit
around it, so a later failure there still puts them back. Outside any unit nothing is recorded
(the hot path pays one attribute check per write).

An undo holds the document that was replaced, not a copy: stored documents are never mutated in
place (every writer puts a new dict), which is also what keeps memory equal to disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Undo = Callable[[], None]


class UnitOfWork:
    def __init__(self) -> None:
        self._frames: list[list[Undo]] = []  # one undo log per open unit, innermost last

    @property
    def open(self) -> bool:
        return bool(self._frames)

    def record(self, undo: Undo) -> None:
        """Note how to put back a change just made (nothing to note outside a unit)."""
        if self._frames:
            self._frames[-1].append(undo)

    @contextmanager
    def unit(self) -> Iterator[None]:
        self._frames.append([])
        try:
            yield
        except BaseException:
            undos = self._frames.pop()
            outer, self._frames = self._frames, []  # undoing is not itself a change to record
            try:
                for undo in reversed(undos):
                    undo()
            finally:
                self._frames = outer
            raise
        done = self._frames.pop()
        if self._frames:
            self._frames[-1].extend(done)
