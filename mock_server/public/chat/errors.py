"""The chat service's error bodies: the public envelope with ``errors``, or ``error`` where the endpoint's
documented body has it (Send Message)."""

from __future__ import annotations

from mock_server.errors import ApiError
from mock_server.public.errors import in_envelope, not_routed  # noqa: F401  (the gateway's, re-exported)
from mock_server.refusals import Refusal

# The endpoints whose documented CHAT_xxxx error bodies carry their details under ``error``, not ``errors``
# (Send Message's template refusals, code "400", keep ``errors``, as observed).
SINGULAR_KEY = ("/chat/messages",)


def answer(refusal: Refusal, path: str) -> ApiError:
    singular = path.startswith(SINGULAR_KEY) and str(refusal.code).startswith("CHAT_")
    return in_envelope(refusal, "error" if singular else "errors")


def owns(path: str) -> bool:
    return path.startswith("/chat")
