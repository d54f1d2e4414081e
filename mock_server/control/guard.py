"""The control plane's guard: /_mock/ can reset every company, inject faults, add webhook targets and
show every tenant's credentials, so only the developer's own tools may reach it, not a web page the
developer happens to open.

- **Host**: a request must name a loopback host, the host the server is bound to, or one of
  ``Settings.allowed_hosts``. A DNS-rebinding page (evil.example resolving to 127.0.0.1) sends its
  own name and is refused. ``testserver`` is Starlette's in-process test client, which no browser
  can reach.
- **Origin**: browsers send it on every cross-origin write (and ``Sec-Fetch-Site: cross-site`` on
  every cross-site request); a page of another origin is refused even for a "simple" request that
  needs no CORS preflight (a form POST, ``fetch(..., {mode: "no-cors"})``). curl, the CLI and test
  clients send neither. No CORS header is ever sent, so no page can read an answer either.
- **Token**: bound beyond loopback, every /_mock/ request needs ``X-Mock-Control-Token`` equal to
  ``Settings.control_token`` (the CLI refuses to start without one). The one exception is a GET of
  the sandbox UI's page and its static files (``UI_SHELL``): a browser cannot add a header to the
  page it navigates to, and the shell holds no data; the page asks for the token once and sends it
  on every request it makes (its data, its live feed), which are checked like any other. The Host
  and Origin checks apply to the shell as well.

Refusals are 403 in the control plane's error body (the public API's envelope).
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from mock_server.control.common import control_error
from mock_server.http import Json

CONTROL_PREFIX = "/_mock"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "testserver")
TOKEN_HEADER = "x-mock-control-token"
TOKEN_ENV = "MYOPERATOR_MOCK_CONTROL_TOKEN"
UI_SHELL = ("/_mock/ui", "/_mock/ui/static/")  # the page itself, and what is under the folder of its files


def is_loopback(host: str) -> bool:
    """A name or address of this machine only: localhost (and *.localhost, RFC 6761), 127.0.0.0/8, ::1."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:  # a name, not an address
        return False


def host_name(value: str) -> str:
    """The name of a Host header or an Origin's authority, without its port (IPv6 kept in brackets' content)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.index("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class ControlPlaneGuard:
    def __init__(self, app, *, bound_host: str, allowed_hosts: tuple[str, ...] = (), control_token: str | None = None):
        self.app, self.control_token = app, control_token
        self.allowed = {host_name(h) for h in (*allowed_hosts, bound_host) if h not in ("0.0.0.0", "::")}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(CONTROL_PREFIX):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(headers, token_needed=not _is_ui_shell(scope))
        if refusal is None:
            return await self.app(scope, receive, send)
        await Json(control_error(403, refusal).body, status_code=403)(scope, receive, send)

    def allowed_host(self, host: str) -> bool:
        name = host_name(host)
        return is_loopback(name) or name in self.allowed

    def allowed_origin(self, origin: str) -> bool:
        try:
            return origin != "null" and self.allowed_host(urlsplit(origin).netloc)
        except ValueError:  # not a URL at all (e.g. "http://[::1"): no page of ours sent it
            return False

    def refusal(self, headers: dict[str, str], token_needed: bool = True) -> str | None:
        """Why this /_mock/ request is refused, or None."""
        if not self.allowed_host(headers.get("host", "")):
            return (f"The control plane answers only requests to this machine's own names, not "
                    f"{headers.get('host', '')[:100]!r} (add it with --allowed-host).")
        origin = headers.get("origin")
        if origin is not None and not self.allowed_origin(origin):
            return "The control plane does not answer web pages of other origins."
        if headers.get("sec-fetch-site") == "cross-site":
            return "The control plane does not answer cross-site requests."
        if self.control_token is not None and token_needed:
            given = headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.control_token.encode()):
                return "The control plane needs its token: X-Mock-Control-Token (serve --control-token)."
        return None


def _is_ui_shell(scope) -> bool:
    path = scope["path"]
    return scope["method"] in ("GET", "HEAD") and (path == UI_SHELL[0] or path.startswith(UI_SHELL[1]))
