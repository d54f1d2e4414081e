"""The OBD API's error bodies: the application answers a refusal with its documented body
(details/status/code/unique_id/reference_id, the handler filling in the request's ids), the gateway an
unrouted path or method with ``{"message": …}``."""

from __future__ import annotations

from mock_server.errors import ApiError
from mock_server.obd.render import application_body
from mock_server.refusals import Refusal

PREFIX = "/obd-api"


def answer(refusal: Refusal, path: str) -> ApiError:
    """A refusal raised before the request had ids (the handler answers its own with them)."""
    return ApiError(refusal.status, application_body(refusal.status, refusal.message, None, None,
                                                     **(refusal.details or {})))


def not_routed(status: int, method: str, path: str) -> ApiError:
    return ApiError(status, {"message": "Method Not Allowed" if status == 405 else "Not Found"})


def owns(path: str) -> bool:
    return path.startswith(PREFIX)
