"""Tenants and their entities, in memory, written through to SQLite when asked."""

from mock_server.store.backend import MemoryBackend, SqliteBackend
from mock_server.store.state import Collection, Store, TenantState, json_copy

__all__ = ["Collection", "MemoryBackend", "SqliteBackend", "Store", "TenantState", "json_copy"]
