"""Ordered indexes: a collection's documents sorted by a key, kept sorted as they change.

A list endpoint shows a page of documents in some order (newest contact first, latest call first).
Sorting every document per request makes a page cost as much as the whole state; an ordered index
keeps ``(key, id)`` pairs in a ``SortedList`` instead, so a write costs O(log n) and a page, a count
or a key range costs O(log n) plus what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, overload

from sortedcontainers import SortedList

Doc = dict[str, Any]
KeyOf = Callable[[Doc], Any]  # a document's sort key (a tuple), or None to leave it out of the index


class OrderedIndex:
    """``(key, id)`` of every document whose key is not None, in ascending order."""

    def __init__(self, key_of: KeyOf, docs: Mapping[str, Doc]):
        self.key_of = key_of
        self.entries = SortedList((key, doc_id) for doc_id, doc in docs.items() if (key := key_of(doc)) is not None)

    @classmethod
    def within(cls, order: OrderedIndex, docs: Mapping[str, Doc], where: Callable[[Doc], bool]) -> OrderedIndex:
        """The documents of ``order`` that satisfy ``where``, by the same key: each tested once, its key
        taken from ``order`` rather than computed again, and the entries already sorted."""
        def key_of(doc: Doc) -> Any:
            return order.key_of(doc) if where(doc) else None
        index = cls.__new__(cls)
        index.key_of = key_of
        index.entries = SortedList(entry for entry in order.entries if where(docs[entry[1]]))
        return index

    def move(self, doc_id: str, old: Doc | None, new: Doc | None) -> None:
        was = self.key_of(old) if old is not None else None
        now = self.key_of(new) if new is not None else None
        if was == now:
            return
        if was is not None:
            self.entries.discard((was, doc_id))
        if now is not None:
            self.entries.add((now, doc_id))


class Ordered(Sequence[Doc]):
    """A read-only view of an ordered index's documents as they are when it is made (take a new one after
    a write): ``len``, an item and a slice read only what they return. ``between`` narrows to a key
    range; ``reversed`` turns the order round."""

    def __init__(self, docs: Mapping[str, Doc], entries: SortedList, start: int = 0, stop: int | None = None,
                 descending: bool = False):
        self._docs, self._entries = docs, entries
        self._start, self._stop = start, len(entries) if stop is None else stop
        self._descending = descending

    def __len__(self) -> int:
        return max(self._stop - self._start, 0)

    def _position(self, i: int) -> int:
        return self._stop - 1 - i if self._descending else self._start + i

    @overload
    def __getitem__(self, i: int) -> Doc: ...
    @overload
    def __getitem__(self, i: slice) -> list[Doc]: ...
    def __getitem__(self, i: int | slice) -> Doc | list[Doc]:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[n] for n in range(start, stop, step)]
            if start >= stop:
                return []
            # a page: one walk of the sorted list, not a bisect for each item
            low, high = ((self._stop - stop, self._stop - start) if self._descending
                         else (self._start + start, self._start + stop))
            return [self._docs[doc_id] for _, doc_id in self._entries.islice(low, high, reverse=self._descending)]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self._docs[self._entries[self._position(i % len(self))][1]]

    def __iter__(self) -> Iterator[Doc]:
        # islice walks the sorted list once; indexing item by item would cost a bisect each
        entries = self._entries.islice(self._start, self._stop, reverse=self._descending)
        return (self._docs[doc_id] for _, doc_id in entries)

    def keyed(self) -> Iterator[tuple[Any, Doc]]:
        """``(key, document)`` pairs in order."""
        entries = self._entries.islice(self._start, self._stop, reverse=self._descending)
        return ((key, self._docs[doc_id]) for key, doc_id in entries)

    def after(self, key: tuple) -> Ordered:
        """The documents whose key is strictly greater than ``key`` (a whole key, not a prefix)."""
        start = max(self._start, self._entries.bisect_left((key,)))
        while start < self._stop and self._entries[start][0] == key:  # (key, id) pairs: a few at most
            start += 1
        return Ordered(self._docs, self._entries, start, max(start, self._stop), self._descending)

    def between(self, low: tuple | None = None, high: tuple | None = None) -> Ordered:
        """The documents with ``low <= key < high`` (either open when None). Keys compare as tuples, so a
        shorter bound stands before every key it begins: ``(cc,)`` to ``(cc + "\\0",)`` is one country code."""
        start = self._start if low is None else max(self._start, self._entries.bisect_left((low,)))
        stop = self._stop if high is None else min(self._stop, self._entries.bisect_left((high,)))
        return Ordered(self._docs, self._entries, start, max(start, stop), self._descending)

    def reversed(self) -> Ordered:
        return Ordered(self._docs, self._entries, self._start, self._stop, not self._descending)
