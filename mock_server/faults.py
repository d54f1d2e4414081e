"""Fault injection (WireMock-style): make the next matching requests fail on purpose.

This is how a test meets the documented 500 "Internal Server Error" or a 503, which no state of
the real service produces on demand. A fault is consumed by the requests it answers. Faults are
added through /_mock/faults (control/faults.py).
"""

from __future__ import annotations


class Faults:
    def __init__(self):
        self.rules: list[dict] = []

    def match(self, method: str, path: str) -> dict | None:
        for rule in self.rules:
            if rule["method"] in ("*", method) and (rule["path"] == path or
                                                    (rule["path"].endswith("*") and path.startswith(rule["path"][:-1]))):
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
