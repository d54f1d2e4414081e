"""Counting the documents a piece of code visits, to show it reads through an index, not a scan.

``count_visits`` swaps each collection's documents for a dict that counts every document iterated
over (``values``, ``items``, ``keys``, iteration: what ``find``, ``values``, ``__iter__`` and an
index's first build do) and every one read by key through an index (``docs[id]``: what a lookup's
answer and a page of an ordered index read, so walking a whole index counts too); ``get`` by id is
not counted. A path that visits as many documents at 5,000 more stored as on fresh fixtures does not
scan them.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from mock_server.store import TenantState


class CountedDocs(dict):
    """One collection's documents, counting each one a scan goes past (by kind)."""

    def __init__(self, docs: dict, counts: Counter, kind: str):
        super().__init__(docs)
        self._counts, self._kind = counts, kind

    def _counted(self, items) -> Iterator:
        for item in items:
            self._counts[self._kind] += 1
            yield item

    def values(self):
        return self._counted(super().values())

    def items(self):
        return self._counted(super().items())

    def keys(self):
        return self._counted(super().keys())

    def __iter__(self):
        return self._counted(super().__iter__())

    def __getitem__(self, doc_id):
        self._counts[self._kind] += 1
        return super().__getitem__(doc_id)


def count_visits(tenant: TenantState) -> Counter:
    """From now on, the documents visited in each of the tenant's collections (those it has now)."""
    counts: Counter = Counter()
    for kind, collection in tenant._collections.items():
        collection._docs = CountedDocs(collection._docs, counts, kind)
    return counts
