"""Call recordings and their temporary links: what a call log links to, and the ``recording_links``
documents the developers API issues (``developers/recordings.py`` is the HTTP side of it).

A call's recording is known by its file name (``domain.calls.recording_file_name``); a link is a token
kept as a document (token, file, call id, issued_at, expires_at) so it survives a restart, valid for
24 hours on the server clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from mock_server.clock import iso, parse_iso
from mock_server.refusals import Refusal
from mock_server.store import TenantState
from mock_server.store.names import CALLS, RECORDING_LINKS

if TYPE_CHECKING:
    from mock_server.context import AppContext

LINK_PATH = "/search/recordings/link"
VALIDITY = timedelta(hours=24)
FORGET_AFTER = timedelta(days=7)
TOKEN = re.compile(r"^[0-9a-f]{32}$")

NOT_FOUND = "recording not found: no finished call of this company has the file {name}"


def link_endpoint(base: str) -> Callable[[str], str]:
    """A call log's ``_fu`` for a recording: this server's recording-link request for the file (the
    caller adds its ``token``)."""
    return lambda name: f"{base}{LINK_PATH}?file={quote(name, safe='')}"


def recorded_call(tenant: TenantState, name: str) -> dict:
    """The company's finished call whose recording is ``name`` (exactly), or a 404 Refusal."""
    found = tenant[CALLS].lookup("recording_file", lambda c: c.get("recording"), name)
    call = next((c for c in found if c.get("state") == "ended"), None)
    if call is None:
        # Whole, not quoted(): the surface let through only a plausible name of at most 255 characters,
        # and a real one (96 hex digits and -v2.mp3) is longer than quoted() keeps.
        raise Refusal("404", NOT_FOUND.format(name=name), status=404)
    return call


def forget_old_links(tenant: TenantState, now: datetime) -> None:
    """Links expired for over a week are dropped (they would answer 404 instead of 410), so that
    issuing links does not grow the state without end."""
    links = tenant[RECORDING_LINKS]
    by_expiry = links.ordered("expiry", lambda link: (parse_iso(link["expires_at"]), link["id"]))
    for link in list(by_expiry.between(None, (now - FORGET_AFTER,))):
        links.delete(link["id"])


def issue_link(ctx: AppContext, tenant: TenantState, name: str) -> dict:
    """A new link to the recording ``name`` of one of the company's finished calls (else a 404 Refusal)."""
    call = recorded_call(tenant, name)
    now = ctx.now()
    token = ctx.ids.uuid().replace("-", "")
    with ctx.store.transaction():
        forget_old_links(tenant, now)
        return tenant[RECORDING_LINKS].put({"id": token, "token": token, "file": name, "call_id": call["id"],
                                  "issued_at": iso(now), "expires_at": iso(now + VALIDITY)})


def find_link(ctx: AppContext, token: str) -> tuple[TenantState, dict] | None:
    """The tenant and link document of ``token`` (None when no company issued it)."""
    if not TOKEN.match(token):
        return None
    for tenant in ctx.store.tenants.values():
        link = tenant[RECORDING_LINKS].get(token)
        if link is not None:
            return tenant, link
    return None
