"""The property tests' one write: a put or a delete in a unit of its own, which may fail and be undone."""

from __future__ import annotations


def write(store, collection, op: str, doc_id: str, field: str, value, fails: bool) -> None:
    """``op`` ("put" or "delete") of ``doc_id`` (a put sets ``field`` to ``value``) in a unit of its own,
    which fails (and is undone) when ``fails``."""
    try:
        with store.transaction():
            collection.put({"id": doc_id, field: value}) if op == "put" else collection.delete(doc_id)
            if fails:
                raise RuntimeError("undo it")
    except RuntimeError:
        pass
