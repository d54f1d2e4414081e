"""Fault injection (WireMock-style): make the next matching requests fail on purpose.

This is how a test meets the documented 500 "Internal Server Error" or a 503, which no state of
the real service produces on demand. A fault is consumed by the requests it answers (``times``), or
lasts until a moment on the server's clock (``until``), whichever ends first. Faults are added
through /_mock/faults (control/faults.py), from scratch or from a preset.
"""

from __future__ import annotations

from mock_server.clock import Clock, parse_iso

PRESETS = {
    # What integrations must survive (OBSERVED.md C.20-21): the live public API's gateway answered
    # 500 {"message":null}, no CHAT_ code, to every call for 45 minutes and more, then recovered.
    "gateway-outage": {"method": "*", "path": "/chat/*", "status": 500, "body": '{"message":null}',
                       "content_type": "application/json", "seconds": 2700},
}


class Faults:
    def __init__(self, clock: Clock):
        self.clock = clock
        self.rules: list[dict] = []

    def match(self, method: str, path: str) -> dict | None:
        now = self.clock.now()  # one reading: every rule's end is compared with the same moment
        self.rules[:] = [r for r in self.rules if r["until"] is None or parse_iso(r["until"]) > now]
        for rule in self.rules:
            if rule["method"] in ("*", method) and (rule["path"] == path or
                                                    (rule["path"].endswith("*")
                                                     and path.startswith(rule["path"][:-1]))):
                if rule["times"] is not None:
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        self.rules.remove(rule)
                return rule
        return None


class FaultMiddleware:
    def __init__(self, app, faults: Faults):
        self.app, self.faults = app, faults

    async def __call__(self, scope, receive, send):
        rule = None
        if scope["type"] == "http" and self.faults.rules and not scope["path"].startswith("/_mock"):
            rule = self.faults.match(scope["method"], scope["path"])
        if rule is None:
            return await self.app(scope, receive, send)
        body = rule["body"].encode("utf-8")
        await send({"type": "http.response.start", "status": rule["status"],
                    "headers": [(b"content-type", rule["content_type"].encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
