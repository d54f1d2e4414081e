"""Frozen settings: one object built from CLI flags (or by tests) and handed to create_app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DEFAULT_SEED = 20250701
DEFAULT_PORT = 8800


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # None keeps all state in memory; a folder keeps it in <folder>/state.sqlite3 across restarts.
    data_dir: Path | None = None
    seed: int = DEFAULT_SEED
    # A fixtures file of the user's own; None means the fixtures of ``seed`` (the committed
    # fixtures/default.json for the default seed, generated for any other).
    fixtures_path: Path | None = None
    log_level: str = "info"
    log_format: str = "text"  # the console's: "text" lines, or "json" (one object a line, for CI)
    # uvicorn's access log (a line per request): off by default, as it costs about a quarter of the throughput.
    access_log: bool = False
    # Seconds a client has to send a request's line and headers, and the longest a body may pause (a slower one is
    # answered 408 and closed); the head's size is bounded too (mock_server/serving.py).
    read_timeout: float = 10.0
    # "real" follows the wall clock; "manual" moves only through /_mock/clock/advance; "ticking" is a
    # manual clock that also moves 1 ms on every read (a test clock that exposes order-of-reads bugs).
    clock: str = "real"
    # With the real clock: simulated seconds per real second (a 10-minute call lasts a minute at 10).
    speed: float = 1.0
    # Where the manual clock starts; None means the fixtures' reference instant.
    clock_start: datetime | None = None
    # Seconds Meta takes to review a new template (help centre: "within a few minutes").
    template_review_seconds: float = 120.0
    # How long an OBD reference_id stays taken ("must be unique within the configured time window"): two days, as
    # live (a reuse some minutes after the call was refused with remaining_ttl 171777).
    obd_reference_ttl_seconds: float = 172_800.0
    # How many requests the journal keeps (oldest dropped first).
    journal_size: int = 1000
    # Webhook subscriptions from --webhook-url / --webhook-config (parsed subscription documents).
    webhook_subscriptions: tuple = ()
    # Seconds a receiver has to answer one webhook attempt before it counts as failed.
    webhook_timeout: float = 10.0
    # How many events and finished deliveries each tenant's webhook log keeps (pending ones are never dropped).
    delivery_log_size: int = 1000
    # How many finished (or failed) scenario runs each tenant keeps, newest first (running ones always kept).
    run_log_size: int = 1000
    # Validate every emitted webhook body against its schema before it is queued (a bug raises).
    strict: bool = False
    # Where the docs and the live service disagree, which to follow: "observed" (live) or "documented"
    # (the Postman collection exactly); mock_server/profiles.py has every difference.
    profile: str = "observed"
    # The control plane (/_mock/) answers only its own machine's names and these Host names (DNS rebinding),
    # and, when set, only requests carrying this token in X-Mock-Control-Token (required beyond loopback).
    allowed_hosts: tuple[str, ...] = ()
    control_token: str | None = None
    # Folders of the user's own scenario files, loaded after the shipped ones (--scenarios DIR).
    scenario_dirs: tuple[Path, ...] = ()

    @property
    def public_base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"
