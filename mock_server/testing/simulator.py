"""A running simulator as a test sees it: where it is, each company's credentials, and the
control-plane calls a test makes, as methods (moto's ``ThreadedMotoServer`` plays this part for AWS).

    with Simulator.start() as sim:                       # in-process, manual clock, default fixtures
        sim.obd_call("+919876543210", reference_id="crm-42")
        sim.advance(seconds=120)                         # the call plays out: answered, talked, ended
        end = sim.expect_event("call.end", client_ref_id="crm-42")

``Simulator.start(server="http")`` serves it on a free loopback port instead, for code that must
reach it over the network (your app under test, in another thread or process). Any other keyword
is a ``Settings`` field (``seed``, ``clock``, ``speed``, ``strict``, ``webhook_timeout``…); the
defaults are a manual clock and ``strict`` (every webhook body is checked against its schema as it
is emitted, so a simulator bug cannot pass for a contract).

Every method goes through the HTTP control plane (``/_mock/…``), so both ways behave the same, and
a failing call raises AssertionError with the server's answer. The pytest plugin
(``mock_server.testing.plugin``) hands one of these to each test as the ``myoperator`` fixture.
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields as dataclass_fields
from datetime import datetime
from typing import Any

import httpx

from mock_server.app import create_app
from mock_server.clock import iso, parse_iso
from mock_server.settings import Settings
from mock_server.testing.options import SERVERS
from mock_server.testing.servers import IN_PROCESS_URL, in_process, on_free_port

# Settings a test may choose; where to listen is the simulator's business.
SETTINGS = tuple(f.name for f in dataclass_fields(Settings) if f.name not in ("host", "port"))
DEFAULTS = {"clock": "manual", "strict": True}
EVENT_FILTERS = ("session_id", "channel", "event_id")  # fields of the event itself, filtered by the server
REAL_CLOCK_WAIT = 10.0  # seconds expect_event waits on a real clock by default
POLL_SECONDS = 0.05
HTTP_TIMEOUT = httpx.Timeout(10.0, read=300.0)  # an advance may play hours of retries to slow receivers


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT = _Absent()  # what a body without the field has there (matches no value)


@dataclass(frozen=True)
class Tenant:
    """One company's credentials and fixtures, as ``GET /_mock/tenants/{company_id}`` describes them."""

    description: dict

    @property
    def company_id(self) -> str:
        return self.description["company_id"]

    @property
    def api_key(self) -> str:
        return self.description["api_key"]

    @property
    def headers(self) -> dict[str, str]:
        """The public API's auth headers (``/chat/…``, ``/contacts…``)."""
        return {"Authorization": f"Bearer {self.api_key}", "X-MYOP-COMPANY-ID": self.company_id}

    @property
    def obd_api_key(self) -> str:
        return self.description["obd_api_key"]

    @property
    def obd_headers(self) -> dict[str, str]:
        """The OBD API's auth header (``POST /obd-api-v1``)."""
        return {"x-api-key": self.obd_api_key}

    @property
    def developer_token(self) -> str:
        """The developers API's ``token`` parameter (``/search``, ``/user``…, their ``/search/…`` twins,
        ``/contactadd``)."""
        return self.description["developer_token"]

    def ivr(self, label: str = "main") -> dict:
        """An IVR by its fixtures label (main, no_anonymous, ip_locked, expired, over_threshold):
        ``public_ivr_id``, ``secret_token``, ``dialers``."""
        return _one(self.description["ivrs"], "label", label, "IVR")

    @property
    def agent_id(self) -> str:
        """The uuid of the company's first agent (the OBD user dialer's ``user_id``)."""
        return _one(self.description["users"], "role", "agent", "user")["uuid"]

    def phone_number_id(self, role: str = "primary") -> str:
        """A WhatsApp number by role (primary, disabled, not_connected…: see the README's table)."""
        return _one(self.description["phone_numbers"], "role", role, "phone number")["phone_number_id"]

    def waba_id(self, role: str = "primary") -> str:
        return _one(self.description["waba_accounts"], "role", role, "WABA")["waba_id"]

    def obd_request(self, number: str = "+919876543210", *, dialer: str = "user", ivr: str = "main",
                    **fields: Any) -> dict:
        """A valid ``POST /obd-api-v1`` body: ``dialer`` user (an agent first), anonymous (``number_2``
        first) or ivr (the customer first); ``fields`` are added, a field given as None is left out."""
        if dialer not in ("user", "anonymous", "ivr"):
            raise ValueError("dialer must be 'user', 'anonymous' or 'ivr'")
        chosen = self.ivr(ivr)
        body: dict[str, Any] = {"company_id": self.company_id, "secret_token": chosen["secret_token"],
                                "type": "2" if dialer == "ivr" else "1", "number": number,
                                "public_ivr_id": chosen["public_ivr_id"]}
        if dialer == "user":
            body["user_id"] = self.agent_id
        elif dialer == "anonymous":
            body["number_2"] = "+919812345678"
        body.update(fields)
        return {k: v for k, v in body.items() if v is not None}


def _one(items: list[dict], key: str, value: str, what: str) -> dict:
    found = next((item for item in items if item.get(key) == value), None)
    if found is None:
        raise LookupError(f"No {what} with {key} {value!r}; there are: {', '.join(str(i.get(key)) for i in items)}.")
    return found


class Simulator:
    """A running simulator: ``client`` (an httpx.Client on it), ``base_url``, ``server`` ("asgi" or
    "http"), ``tenants`` (every company's credentials) and ``tenant`` (the first, the default of every
    helper; pass ``company_id=`` to act for another)."""

    def __init__(self, client: httpx.Client, base_url: str, server: str):
        self.client, self.base_url, self.server = client, base_url, server
        self.tenants: list[Tenant] = []
        self.clock_mode = ""
        self._load()

    @classmethod
    @contextmanager
    def start(cls, server: str = "asgi", **settings: Any) -> Iterator[Simulator]:
        """Start one (fresh fixtures, its own state) and stop it when the block ends."""
        if server not in SERVERS:
            raise ValueError(f"server must be one of {SERVERS}, not {server!r}")
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise TypeError(f"Unknown simulator setting(s) {', '.join(unknown)}; "
                            f"the settings are: {', '.join(SETTINGS)}.")
        chosen = {**DEFAULTS, **settings}
        token = {"X-Mock-Control-Token": chosen["control_token"]} if chosen.get("control_token") else {}
        if server == "asgi":
            with in_process(create_app(Settings(**chosen))) as client:
                client.headers.update(token)
                yield cls(client, IN_PROCESS_URL, server)
            return
        with (on_free_port(lambda port: create_app(Settings(**chosen, port=port)),
                           read_timeout=chosen.get("read_timeout", Settings.read_timeout)) as url,
              httpx.Client(base_url=url, timeout=HTTP_TIMEOUT, trust_env=False, headers=token) as client):
            yield cls(client, url, server)

    @property
    def tenant(self) -> Tenant:
        return self.tenants[0]

    def reset(self) -> None:
        """Back to the fixtures: every company's data, no run-time webhook subscriptions, an empty
        journal, no faults. The clock stays where it is (it never runs backwards)."""
        self._call("DELETE", "/_mock/webhooks")
        self._call("POST", "/_mock/reset")
        self._call("DELETE", "/_mock/journal")
        self._call("DELETE", "/_mock/faults")
        self._load()

    # --- the clock -----------------------------------------------------------------------------
    def now(self) -> datetime:
        return parse_iso(self._call("GET", "/_mock/clock")["now"])

    def advance(self, seconds: float | None = None, *, to: datetime | str | None = None) -> datetime:
        """Move the manual clock by ``seconds`` or ``to`` an instant; everything due on the way
        happens in order (scenario steps, template reviews, webhook attempts, each awaited). Returns
        the new time."""
        if (seconds is None) == (to is None):
            raise TypeError("advance() takes seconds or to=, exactly one of them")
        body = {"seconds": seconds} if to is None else {"to": iso(to) if isinstance(to, datetime) else to}
        return parse_iso(self._call("POST", "/_mock/clock/advance", json=body)["now"])

    # --- the APIs ------------------------------------------------------------------------------
    def obd_call(self, number: str = "+919876543210", *, dialer: str = "user", ivr: str = "main",
                 company_id: str | None = None, **fields: Any) -> dict:
        """Place a call through the OBD API (see ``Tenant.obd_request``) and return the accepted
        answer (``unique_id``: the call's ``ref_id`` in its webhooks; ``reference_id``: its ``client_ref_id``)."""
        tenant = self._tenant(company_id)
        body = tenant.obd_request(number, dialer=dialer, ivr=ivr, **fields)
        return self._call("POST", "/obd-api-v1", json=body, headers=tenant.obd_headers)

    def journal(self, *, path: str | None = None, method: str | None = None, status: int | None = None,
                company_id: str | None = None) -> list[dict]:
        """The requests the simulator's APIs received, oldest first (``path`` may end in ``*``)."""
        query = {"path": path, "method": method, "status": status, "company_id": company_id}
        return self._call("GET", "/_mock/journal", params={k: v for k, v in query.items() if v is not None})["requests"]

    # --- scenarios -----------------------------------------------------------------------------
    def run_scenario(self, name: str, *, company_id: str | None = None, **params: Any) -> dict:
        """Start scenario ``name`` (``GET /_mock/scenarios`` lists them); returns the run. Its steps
        at offset 0 have happened; the others happen as the clock moves."""
        body = {"company_id": self._tenant(company_id).company_id, "params": params}
        return self._call("POST", f"/_mock/scenarios/{name}/run", expected=201, json=body)

    def override(self, kind: str, scenario: str, *, match: dict | None = None, params: dict | None = None,
                 times: int | None = None, company_id: str | None = None) -> dict:
        """Make the next API-started flow(s) of ``kind`` ("obd" or "message"), to ``match``'s
        ``customer_number`` or any, play ``scenario`` with ``params``."""
        body: dict[str, Any] = {"kind": kind, "scenario": scenario, "match": match or {}, "params": params or {}}
        if times is not None:
            body["times"] = times
        cid = self._tenant(company_id).company_id
        return self._call("POST", f"/_mock/tenants/{cid}/overrides", expected=201, json=body)

    # --- webhooks ------------------------------------------------------------------------------
    def subscribe(self, url: str, **fields: Any) -> dict:
        """Send this company's webhooks to ``url``; ``fields`` as in ``POST /_mock/webhooks`` (events,
        format, content_type, headers, auth). ``company_id=None`` subscribes to every company."""
        body = {"company_id": self.tenant.company_id, **fields, "url": url}
        body = {k: v for k, v in body.items() if v is not None}
        return self._call("POST", "/_mock/webhooks", expected=201, json=body)

    def unsubscribe(self, subscription_id: str | None = None) -> None:
        """Remove one run-time subscription, or (no id) all of them."""
        self._call("DELETE", "/_mock/webhooks" + (f"/{subscription_id}" if subscription_id else ""))

    def events(self, event_type: str | None = None, *, format: str = "envelope", company_id: str | None = None,
               **fields: Any) -> list[dict]:
        """The webhook bodies this company's events render to in ``format`` (envelope, legacy_call,
        legacy_whatsapp), oldest first, whether or not anyone is subscribed.

        ``event_type`` may be a pattern (``"call.*"``). A field matches the body's own field of that
        name, else its ``payload``'s: ``session_id=``, ``client_ref_id=``, ``ref_id=``, ``status=``…
        """
        return [body for _, body in self._events(event_type, format, company_id, fields)]

    def expect_event(self, event_type: str, *, timeout: float | None = None, format: str = "envelope",
                     company_id: str | None = None, **fields: Any) -> dict:
        """The first ``event_type`` event matching ``fields`` (as in ``events``); AssertionError,
        listing what did happen, when there is none.

        It does not move the clock. On the manual clock nothing happens between two of your calls,
        so by default it looks once: ``advance`` first. On a real clock it waits up to ``timeout``
        real seconds (default 10) for the event to happen.
        """
        wait = timeout if timeout is not None else (0.0 if self.clock_mode == "manual" else REAL_CLOCK_WAIT)
        deadline = time.monotonic() + wait
        while True:
            found = self._events(event_type, format, company_id, fields)
            if found:
                return found[0][1]
            if time.monotonic() >= deadline:
                break
            time.sleep(POLL_SECONDS)  # a real clock's events arrive in real time; nothing to wait on but the log
        raise AssertionError(self._nothing_like(event_type, format, company_id, fields, wait))

    def deliveries(self, *, company_id: str | None = None, settle: float = 0, **filters: Any) -> list[dict]:
        """The delivery log of this company's webhooks: status, attempts, body…; filters event_type,
        session_id, channel, event_id, status (pending, delivered, failed), subscription_id.

        ``settle``: first wait up to that many real seconds for the attempts still queued or in flight.
        An advance stops waiting for a receiver once one of its attempts times out, so after an advance
        with a hanging receiver its remaining attempts are still being made; ``settle`` waits for them."""
        params = {"company_id": self._tenant(company_id).company_id, **filters}
        if settle:
            params.update(wait=settle, settled="true")
        return self._call("GET", "/_mock/deliveries", params=params)["deliveries"]

    def redeliver(self, delivery_id: str) -> dict:
        """Send a delivered or failed delivery once more, same event_id and body, as MyOperator may
        (to test that a receiver deduplicates). It goes out at once; ``advance(0)`` waits for it."""
        return self._call("POST", f"/_mock/deliveries/{delivery_id}/redeliver", expected=202)

    # --- plumbing ------------------------------------------------------------------------------
    def _load(self) -> None:
        self.tenants = [Tenant(t) for t in self._call("GET", "/_mock/tenants")["tenants"]]
        self.clock_mode = self._call("GET", "/_mock/clock")["mode"]

    def _tenant(self, company_id: str | None) -> Tenant:
        if company_id is None:
            return self.tenant
        found = next((t for t in self.tenants if t.company_id == company_id), None)
        if found is None:
            raise LookupError(f"No company {company_id!r}; the companies are: "
                              f"{', '.join(t.company_id for t in self.tenants)}.")
        return found

    def _call(self, method: str, path: str, expected: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        if response.status_code != expected:
            raise AssertionError(f"{method} {path} answered {response.status_code}: {response.text[:2000]}")
        return response.json()

    def _events(self, event_type: str | None, format: str, company_id: str | None,
                fields: dict[str, Any]) -> list[tuple[dict, dict]]:
        """(event, body) pairs of the events that match, oldest first."""
        query = {"company_id": self._tenant(company_id).company_id}
        query.update({k: v for k, v in fields.items() if k in EVENT_FILTERS})
        if event_type and "*" not in event_type:
            query["event_type"] = event_type
        rest = {k: v for k, v in fields.items() if k not in EVENT_FILTERS}
        found = []
        for event in self._call("GET", "/_mock/events", params=query)["events"]:
            body = event["bodies"].get(format)
            if body is None or (event_type and not fnmatch.fnmatchcase(event["event_type"], event_type)):
                continue
            if all(_field(body, name) == value for name, value in rest.items()):
                found.append((event, body))
        return found

    def _nothing_like(self, event_type: str, format: str, company_id: str | None, fields: dict, waited: float) -> str:
        wanted = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        lines = [f"No {event_type} event{f' with {wanted}' if wanted else ''} "
                 f"(company {self._tenant(company_id).company_id}, {format} format; waited {waited:g} s)."]
        if self.clock_mode == "manual":
            lines.append(f"The clock is manual and stands at {iso(self.now())}: nothing happens until you "
                         "advance it (myoperator.advance(seconds=...)).")
        happened = self._events(None, format, company_id, {})
        lines.append(f"Events so far ({len(happened)}):" if happened else "No events so far.")
        for event, body in happened:
            shown = " ".join(f"{k}={_field(body, k)!r}" for k in fields if k not in EVENT_FILTERS)
            lines.append(f"  {event['at']} {event['event_type']} session_id={event['session_id']} {shown}".rstrip())
        return "\n".join(lines)


def _field(body: Any, name: str) -> Any:
    """A body's field, or its payload's (the envelope keeps the call or message under ``payload``)."""
    if not isinstance(body, dict):
        return _ABSENT
    if name in body:
        return body[name]
    payload = body.get("payload")
    return payload.get(name, _ABSENT) if isinstance(payload, dict) else _ABSENT
