"""Where documents are kept between restarts.

The in-memory dicts are the source of truth while the server runs; a backend only makes each
acknowledged write durable. SQLite in WAL mode with ``synchronous=NORMAL`` survives ``kill -9``
(a committed transaction is in the OS's hands before the response is sent) at a fraction of the
cost of a full fsync per write.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Doc = dict[str, Any]
LOAD_CHUNK = 1000


class MemoryBackend:
    """Keeps nothing: state lives and dies with the process."""

    def load(self) -> dict[str, dict[str, list[Doc]]]:
        return {}

    def put(self, tenant: str, kind: str, doc_id: str, doc: Doc) -> None:
        pass

    def delete(self, tenant: str, kind: str, doc_id: str) -> None:
        pass

    def replace_tenant(self, tenant: str, state: dict[str, list[Doc]]) -> None:
        pass

    def bump_generation(self) -> int:
        return 0

    def get_meta(self, key: str) -> str | None:
        return None

    def set_meta(self, key: str, value: str) -> None:
        pass

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield  # nothing to commit: the Store's units roll memory back

    def close(self) -> None:
        pass


SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    tenant TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (tenant, kind, id));
-- the load reads every document in seq order: through this index, not a sort of the whole table
CREATE INDEX IF NOT EXISTS docs_by_seq ON docs (seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
LOAD = "SELECT tenant, kind, body FROM docs ORDER BY seq"


class SqliteBackend:
    """One table of JSON documents keyed by (tenant, kind, id), ordered by first insertion."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._depth = 0
        row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM docs").fetchone()
        self._seq = row[0]

    def load(self) -> dict[str, dict[str, list[Doc]]]:
        state: dict[str, dict[str, list[Doc]]] = {}
        rows = self._db.execute(LOAD)
        # A thousand bodies per json.loads: one call shares its key strings among all the documents it
        # reads, where a call per document makes new ones each time (a third of the memory at 100,000
        # documents, and slower). json, not orjson: orjson reads an integer beyond 64 bits as a float.
        while chunk := rows.fetchmany(LOAD_CHUNK):
            docs = json.loads(f"[{','.join([body for _, _, body in chunk])}]")
            for (tenant, kind, _), doc in zip(chunk, docs, strict=True):
                state.setdefault(tenant, {}).setdefault(kind, []).append(doc)
        return state

    def put(self, tenant: str, kind: str, doc_id: str, doc: Doc) -> None:
        self._seq += 1
        self._db.execute(
            "INSERT INTO docs (tenant, kind, id, seq, body) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (tenant, kind, id) DO UPDATE SET body = excluded.body",
            (tenant, kind, doc_id, self._seq, json.dumps(doc, separators=(",", ":"))))

    def delete(self, tenant: str, kind: str, doc_id: str) -> None:
        self._db.execute("DELETE FROM docs WHERE tenant = ? AND kind = ? AND id = ?", (tenant, kind, doc_id))

    def replace_tenant(self, tenant: str, state: dict[str, list[Doc]]) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM docs WHERE tenant = ?", (tenant,))
            for kind, docs in state.items():
                for doc in docs:
                    self.put(tenant, kind, str(doc["id"]), doc)

    def bump_generation(self) -> int:
        """Count process starts, so ids minted after a restart never repeat earlier ones."""
        generation = int(self.get_meta("generation") or 0) + 1
        self.set_meta("generation", str(generation))
        return generation

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes into one commit. Nested, a savepoint: an inner unit that raises rolls
        back only its own writes, and the outer one decides whether the rest is committed."""
        self._depth += 1
        savepoint = f"unit{self._depth}"
        self._db.execute("BEGIN" if self._depth == 1 else f"SAVEPOINT {savepoint}")
        try:
            yield
        except BaseException:
            if self._depth == 1:
                self._db.execute("ROLLBACK")
            else:
                self._db.execute(f"ROLLBACK TO {savepoint}")
                self._db.execute(f"RELEASE {savepoint}")
            raise
        else:
            self._db.execute("COMMIT" if self._depth == 1 else f"RELEASE {savepoint}")
        finally:
            self._depth -= 1

    def close(self) -> None:
        self._db.close()
