"""The tenants' state: per company, collections of JSON documents by kind.

A document is a plain dict with an ``id``; surfaces read and write them through ``Collection``
and render them to their wire shapes themselves. Keeping state as data makes reset, dump,
persistence and user fixtures one format.
"""

from __future__ import annotations

import copy
import itertools
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import orjson

from mock_server.store.backend import Doc, MemoryBackend
from mock_server.store.names import ACCOUNT
from mock_server.store.ordered import KeyOf, Ordered, OrderedIndex
from mock_server.store.units import UnitOfWork

SELECTIONS_KEPT = 8  # per collection: a few searches paged through at once, each at most a copy of the index


class Collection:
    """One kind of document of one tenant, kept in insertion order.

    Secondary indexes (``lookup``) answer in that same order, so a lookup finds what a scan would
    have found first. Each document's rank (its place in the order) is what keeps them so.
    """

    def __init__(self, tenant_id: str, kind: str, backend: Any, units: UnitOfWork | None = None,
                 on_change: Callable[[Doc | None, Doc | None], None] | None = None):
        self._tenant_id, self.kind, self._backend = tenant_id, kind, backend
        self._units = units or UnitOfWork()
        self._on_change = on_change  # told (old, new) of every change to a document, undos included
        self._docs: dict[str, Doc] = {}
        self._ranks: dict[str, int] = {}  # id -> place in the order: ascending along ``_docs``
        self._next_rank = 0
        self.version = 0  # counts the changes: names what the collection holds now, e.g. in a selection's query
        # name -> (key function, key -> ids in rank order): secondary indexes, kept in step with every write.
        self._indexes: dict[str, tuple[Callable[[Doc], Any], dict[Any, dict[str, None]]]] = {}
        self._orders: dict[str, OrderedIndex] = {}  # name -> the documents sorted by a key, kept so
        # query -> the documents it selects, sorted, kept so: the most recently used first out last
        self._selections: OrderedDict[Hashable, OrderedIndex] = OrderedDict()

    def get(self, doc_id: Any) -> Doc | None:
        return self._docs.get(str(doc_id))

    def require(self, doc_id: Any) -> Doc:
        """A document that must be there (one just written, or one another names): KeyError otherwise."""
        return self._docs[str(doc_id)]

    def values(self) -> list[Doc]:
        return list(self._docs.values())

    def find(self, predicate: Callable[[Doc], bool]) -> Doc | None:
        return next((d for d in self._docs.values() if predicate(d)), None)

    def first_matching(self, predicate: Callable[[Doc], bool], limit: int) -> list[Doc]:
        """The first ``limit`` documents (in order) that satisfy ``predicate``, reading only as far as needed."""
        return list(itertools.islice((d for d in self._docs.values() if predicate(d)), limit))

    def put(self, doc: Doc) -> Doc:
        doc_id = str(doc["id"])
        self._backend.put(self._tenant_id, self.kind, doc_id, doc)
        self._set(doc_id, doc)
        return doc

    def delete(self, doc_id: Any) -> Doc | None:
        doc_id = str(doc_id)
        if doc_id not in self._docs:
            return None
        self._backend.delete(self._tenant_id, self.kind, doc_id)
        old, rank = self._docs[doc_id], self._ranks[doc_id]
        if self._units.open:  # put back by its rank where it stood in the order, should the unit fail
            self._units.record(partial(self._undo_delete, doc_id, old, rank))
        self._reindex(doc_id, old, None)
        del self._docs[doc_id], self._ranks[doc_id]
        if self._on_change is not None:
            self._on_change(old, None)
        return old

    def load(self, docs: Iterable[Doc]) -> None:
        """Fill from persisted or fixture data without writing it back."""
        indexed = self._indexes or self._orders or self._selections
        if self._docs or indexed or self._on_change is not None:
            for doc in docs:
                self._set(str(doc["id"]), doc)
            return
        # A fresh collection (a restart, a seeded tenant): the documents in one pass, with one undo (empty
        # again) instead of one per document, and no index to keep yet (each is built on first use).
        if self._units.open:
            self._units.record(self._undo_load)
        self._docs = {str(doc["id"]): doc for doc in docs}
        self._ranks = {doc_id: rank for rank, doc_id in enumerate(self._docs)}
        self._next_rank = len(self._docs)
        self.version += len(self._docs)

    def _undo_load(self) -> None:
        """Undo a load into a fresh collection: empty again, the indexes built since let go (the later
        writes of the unit were undone first, newest first)."""
        self._docs, self._ranks, self._next_rank = {}, {}, 0
        self._indexes.clear()
        self._orders.clear()
        self._selections.clear()
        self.version += 1

    def _set(self, doc_id: str, doc: Doc) -> None:
        old = self._docs.get(doc_id)
        if self._units.open:  # an update keeps its place in the order; a new id is last until undone
            self._units.record(partial(self._undo_set, doc_id, old))
        if old is None:
            self._ranks[doc_id], self._next_rank = self._next_rank, self._next_rank + 1
        self._docs[doc_id] = doc
        self._reindex(doc_id, old, doc)
        if self._on_change is not None:
            self._on_change(old, doc)

    def _undo_set(self, doc_id: str, old: Doc | None) -> None:
        """Undo a write: the earlier version back in its place, or (``old`` None: it was new) the document gone."""
        current = self._docs.get(doc_id)
        if self._on_change is not None:
            self._on_change(current, old)
        self._reindex(doc_id, current, old)  # before its rank goes: a key may read it (``rank``)
        if old is None:
            self._docs.pop(doc_id, None)
            self._ranks.pop(doc_id, None)
        else:
            self._docs[doc_id] = old

    def _undo_delete(self, doc_id: str, doc: Doc, rank: int) -> None:
        """Undo a delete: the document back with the rank it had, so in its place in the order (the one
        cost that grows with the collection, paid only when a unit fails)."""
        current = self._docs.get(doc_id)
        if self._on_change is not None:
            self._on_change(current, doc)
        self._ranks[doc_id] = rank
        items = sorted([*self._docs.items(), (doc_id, doc)], key=lambda item: self._ranks[item[0]])
        self._docs.clear()
        self._docs.update(items)
        self._reindex(doc_id, current, doc)

    def lookup(self, index: str, key_of: Callable[[Doc], Any], key: Any) -> list[Doc]:
        """The documents whose ``key_of(doc) == key``, in the collection's order, through an index built
        on first use (the one scan), then kept in step with every write."""
        if index not in self._indexes:
            entries: dict[Any, dict[str, None]] = {}
            for doc_id, doc in self._docs.items():
                entries.setdefault(key_of(doc), {})[doc_id] = None
            self._indexes[index] = (key_of, entries)
        return [self._docs[i] for i in self._indexes[index][1].get(key, ())]

    def ordered(self, index: str, key_of: KeyOf) -> Ordered:
        """The documents sorted by ``key_of`` (ascending; a None key leaves a document out), through an
        ordered index built on first use (the one scan), then kept in step with every write: a page, a
        count or a key range of it reads only what it returns."""
        return Ordered(self._docs, self._order(index, key_of).entries)

    def _order(self, index: str, key_of: KeyOf) -> OrderedIndex:
        if index not in self._orders:
            self._orders[index] = OrderedIndex(key_of, self._docs)
        return self._orders[index]

    def selection(self, query: Hashable, index: str, key_of: KeyOf, where: Callable[[Doc], bool]) -> Ordered:
        """The documents of the ordered index ``index`` (by ``key_of``) that satisfy ``where``. A search is
        asked again and again (paged through, polled by a dashboard), so its selection is built on first
        use, by testing each document of the index once (its key already known, the order already made),
        and then kept in step with every write like an ordered index; asked again, it reads only its page.
        ``query`` names it (a hashable description of everything ``where`` depends on besides the
        document). The ``SELECTIONS_KEPT`` most recently used are kept, since each costs every write one
        ``where`` call."""
        name = (index, query)
        kept = self._selections.get(name)
        if kept is None:
            kept = self._selections[name] = OrderedIndex.within(self._order(index, key_of), self._docs, where)
            while len(self._selections) > SELECTIONS_KEPT:
                self._selections.popitem(last=False)
        self._selections.move_to_end(name)
        return Ordered(self._docs, kept.entries)

    def rank(self, doc_id: str) -> int:
        """A stored document's place in the insertion order (an update keeps it): a sort key's tiebreak
        that orders documents of one key as they were first written."""
        return self._ranks[doc_id]

    def first(self) -> Doc | None:
        """The oldest document in insertion order (an update keeps a document's place), or None."""
        return self._docs[next(iter(self._docs))] if self._docs else None

    def last(self) -> Doc | None:
        """The newest document in insertion order, or None."""
        return self._docs[next(reversed(self._docs))] if self._docs else None

    def _reindex(self, doc_id: str, old: Doc | None, new: Doc | None) -> None:
        """Move ``doc_id`` from ``old``'s key to ``new``'s in every index (either may be None: absent)."""
        self.version += 1
        for order in (*self._orders.values(), *self._selections.values()):
            order.move(doc_id, old, new)
        for key_of, entries in self._indexes.values():
            was = key_of(old) if old is not None else None
            now = key_of(new) if new is not None else None
            if old is not None and new is not None and was == now:
                continue  # same key: the id keeps its place
            if old is not None:
                ids = entries.get(was)
                if ids is not None:
                    ids.pop(doc_id, None)
                    if not ids:
                        del entries[was]
            if new is not None:
                ids = entries.setdefault(now, {})
                if ids and self._ranks[next(reversed(ids))] > self._ranks[doc_id]:  # not the newest: sort it in
                    entries[now] = dict.fromkeys(sorted([*ids, doc_id], key=self._ranks.__getitem__))
                else:
                    ids[doc_id] = None

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[Doc]:
        return iter(list(self._docs.values()))


class TenantState:
    """Everything one company owns."""

    def __init__(self, company_id: str, backend: Any, units: UnitOfWork | None = None,
                 on_account: Callable[[TenantState, Doc | None, Doc | None], None] | None = None):
        self.company_id = company_id
        self._backend = backend
        self._units = units or UnitOfWork()
        self._collections: dict[str, Collection] = {}
        self._on_account = on_account  # told of every change to the account (the store's credential index)

    def __getitem__(self, kind: str) -> Collection:
        if kind not in self._collections:
            hook = None
            if kind == ACCOUNT and self._on_account is not None:
                hook = partial(self._on_account, self)
            self._collections[kind] = Collection(self.company_id, kind, self._backend, self._units, hook)
        return self._collections[kind]

    @property
    def account(self) -> Doc:
        return self[ACCOUNT].get(ACCOUNT) or {}

    def save_account(self, account: Doc) -> None:
        self[ACCOUNT].put(account)

    def load(self, state: dict[str, list[Doc]]) -> None:
        for kind, docs in state.items():
            self[kind].load(docs)

    def dump(self) -> dict[str, list[Doc]]:
        return {kind: json_copy(c.values()) for kind, c in sorted(self._collections.items()) if len(c)}


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (a JSON round trip: several times faster than copy.deepcopy)."""
    try:
        return orjson.loads(orjson.dumps(value))
    except (TypeError, orjson.JSONEncodeError):  # e.g. an integer beyond 64 bits
        return copy.deepcopy(value)


class Store:
    """All tenants; restores itself from the backend, or from fixtures on first start."""

    def __init__(self, backend: Any = None):
        self.backend = backend or MemoryBackend()
        self.units = UnitOfWork()
        self.tenants: dict[str, TenantState] = {}
        # account field -> credential -> company_id: which tenant a request's token is, without a scan of the
        # tenants. Built per field on first use, then kept in step with every account change and tenant swap.
        self._credentials: dict[str, dict[str, str]] = {}

    def restore(self) -> bool:
        """Load persisted state; False when there was none."""
        persisted = self.backend.load()
        for company_id, state in persisted.items():
            self._new_tenant(company_id).load(state)
        return bool(persisted)

    def seed(self, company_id: str, state: dict[str, list[Doc]]) -> TenantState:
        """(Re)place a tenant's whole state, durably in one transaction."""
        state = json_copy(state)
        tenant = self._new_tenant(company_id)
        tenant.load(state)
        self.backend.replace_tenant(company_id, state)
        return tenant

    def drop(self, company_id: str) -> None:
        """Forget a tenant entirely, durably."""
        self.backend.replace_tenant(company_id, {})
        self._set_tenant(company_id, None)

    def tenant(self, company_id: str) -> TenantState | None:
        return self.tenants.get(company_id)

    def tenant_by(self, field: str, credential: str) -> TenantState | None:
        """The tenant whose account's ``field`` (a credential: ``developer_token``…) is ``credential``."""
        if field not in self._credentials:
            self._credentials[field] = {}
            for company_id, tenant in self.tenants.items():
                self._reindex(company_id, None, tenant.account, only=field)
        found = self.tenants.get(self._credentials[field].get(credential, ""))
        return found if found is not None and found.account.get(field) == credential else None

    def _account_changed(self, tenant: TenantState, old: Doc | None, new: Doc | None) -> None:
        if self.tenants.get(tenant.company_id) is tenant:  # not a replaced tenant object kept for an undo
            self._reindex(tenant.company_id, old, new)

    def _reindex(self, company_id: str, old: Doc | None, new: Doc | None, only: str | None = None) -> None:
        for field, owners in self._credentials.items():
            if only is not None and field != only:
                continue
            was, now = (old or {}).get(field), (new or {}).get(field)
            if was == now:
                continue
            if isinstance(was, str) and owners.get(was) == company_id:
                del owners[was]
            if isinstance(now, str):
                owners[now] = company_id

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One unit of work, in memory and on disk: all of it is kept, or none of it (then it re-raises).
        Nested, an inner unit that fails undoes only itself; the unit around it goes on."""
        with self.units.unit(), self.backend.transaction():  # a commit that fails undoes memory too
            yield

    def on_rollback(self, undo: Callable[[], None]) -> None:
        """Have the open unit (if any) call ``undo`` should it fail: for state kept beside the store."""
        self.units.record(undo)

    def _new_tenant(self, company_id: str) -> TenantState:
        tenant = TenantState(company_id, self.backend, self.units, self._account_changed)
        self._set_tenant(company_id, tenant)
        return tenant

    def _set_tenant(self, company_id: str, tenant: TenantState | None) -> None:
        old = self.tenants.get(company_id)
        if self.units.open:  # the replaced tenant object is left as it was: putting it back restores it
            self.units.record(lambda: self._set_tenant(company_id, old))
        if tenant is None:
            self.tenants.pop(company_id, None)
        else:
            self.tenants[company_id] = tenant
        self._reindex(company_id, old.account if old else None, tenant.account if tenant else None)
