"""The OBD application's body: every request it answers, accepted or not, gets
details/status/code/unique_id/reference_id (and what else a refusal carries, e.g. remaining_ttl)."""

from __future__ import annotations

from typing import Any


def application_body(status: int, details: str, unique_id: str | None, reference_id: Any, **extra: Any) -> dict:
    return {"details": details, "status": "success" if status == 200 else "error", "code": str(status),
            "unique_id": unique_id, "reference_id": reference_id if isinstance(reference_id, str) else None,
            **extra}
