"""The Contacts API's error bodies: the public envelope with ``errors`` (its documented 400)."""

from __future__ import annotations

from mock_server.errors import ApiError
from mock_server.public.errors import in_envelope, not_routed  # noqa: F401  (the gateway's, re-exported)
from mock_server.refusals import Refusal


def answer(refusal: Refusal, path: str) -> ApiError:
    return in_envelope(refusal)


def owns(path: str) -> bool:
    """Every path no other surface claims: the public gateway is what answers an unknown path."""
    return True
