"""The public API gateway's error bodies, shared by its two services (chat, contacts): the public envelope,
DRF's 404 and 405 for what the services do not route."""

from __future__ import annotations

from mock_server.errors import ApiError, envelope, not_found
from mock_server.refusals import Refusal


def in_envelope(refusal: Refusal, key: str = "errors") -> ApiError:
    details = refusal.fields if refusal.fields is not None else refusal.details
    return envelope(refusal.status, refusal.code, refusal.message, details, key=key)


def not_routed(status: int, method: str, path: str) -> ApiError:
    if status == 405:
        return envelope(405, "method_not_allowed", f"Method \"{method}\" not allowed.")
    return not_found(f"No endpoint at {path}.")
