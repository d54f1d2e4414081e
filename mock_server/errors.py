"""Errors that carry their own wire format.

MyOperator's surfaces disagree on their error bodies (``code`` is "400", 400, "invalid" or
"CHAT_4001"; the details sit under ``errors`` or under ``error``), and real clients depend on
each variant. So an error is raised with the exact body its endpoint documents, and a single
handler writes it out unchanged.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error response: HTTP status plus the exact JSON body to send."""

    def __init__(self, status: int, body: dict[str, Any]):
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body


def envelope(status: int, code: Any, message: str, details: Any = None, key: str = "errors") -> ApiError:
    """The public API's error envelope: status/code/message plus ``errors`` (or ``error``)."""
    return ApiError(status, {"status": "error", "code": code, "message": message,
                             key: {} if details is None else details})


# Field-level validation failures are reported per endpoint in one of these shapes; each
# surface names the one its documentation shows (see the surfaces' ``errors.py``).
class FieldStyle:
    """How one endpoint reports field errors: the one interface the request readers of ``http.py`` take."""

    def error(self, fields: dict[str, list[str]], status: int = 400) -> ApiError:
        raise NotImplementedError

    def field(self, name: str, message: str) -> ApiError:
        return self.error({name: [message]})


class ValidationStyle(FieldStyle):
    """Field errors in the public API's envelope, with the code and message one endpoint documents."""

    def __init__(self, code: Any, message: str, key: str = "errors"):
        self.code, self.message, self.key = code, message, key

    def error(self, fields: dict[str, list[str]], status: int = 400) -> ApiError:
        return envelope(status, self.code, self.message, fields, self.key)


# Django REST framework's defaults, which the chat service shows in its media and 404 bodies.
DRF_INVALID = ValidationStyle("invalid", "Invalid input.")
# Send Message's documented 400.
MESSAGE_INVALID = ValidationStyle("400", "Missing required fields or Invalid Input", key="error")
# The Contacts API's documented 400.
CONTACT_INVALID = ValidationStyle("400", "Validation Error")


def forbidden(detail: str) -> ApiError:
    """The gateway's 403; the status table lists it, its body is inferred (see README)."""
    return envelope(403, "403", "Forbidden", {"detail": detail})


def not_found(detail: str) -> ApiError:
    """DRF's not_found shape, used by the chat and contacts services for unknown resources."""
    return envelope(404, "not_found", "Not found.", {"detail": detail})


def unsupported_media_type(content_type: str) -> ApiError:
    """DRF's 415, when no parser of the endpoint takes the body's Content-Type (the header quoted whole, as DRF
    does: parameters included, and "" when none was sent), in the envelope of the 404 above."""
    detail = f"Unsupported media type \"{quoted(content_type)}\" in request."
    return envelope(415, "unsupported_media_type", detail, {"detail": detail})


def quoted(value: Any) -> str:
    """A client's value quoted back in an error message, cut so a huge input makes no huge answer."""
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
