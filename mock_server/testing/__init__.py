"""Helpers for testing an application against the simulator. With the package installed, pytest
loads ``mock_server.testing.plugin`` by itself: its fixtures (``myoperator``, ``webhook_receiver``,
``serve_app``, ``assert_matches_schema``) are what most tests need. The pieces, for use elsewhere:

- ``Simulator`` (``simulator.py``): start one in-process or on a free port, with helpers;
- ``WebhookReceiver`` (``receiver.py``): a real HTTP webhook receiver that can fail and recover;
- ``assert_matches_schema`` (``schema_check.py``): a payload against MyOperator's contract.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["Simulator", "Tenant", "WebhookReceiver", "assert_matches_schema"]
# Each name from its module on first use (PEP 562): pytest loads the plugin, inside this package, at every
# start, and a run that does not use the simulator should not pay for importing it.
_HOMES = {"Simulator": "simulator", "Tenant": "simulator", "WebhookReceiver": "receiver",
          "assert_matches_schema": "schema_check"}

if TYPE_CHECKING:
    from mock_server.testing.receiver import WebhookReceiver
    from mock_server.testing.schema_check import assert_matches_schema
    from mock_server.testing.simulator import Simulator, Tenant


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
