"""Helpers for testing an application against the simulator. With the package installed, pytest
loads ``mock_server.testing.plugin`` by itself: its fixtures (``myoperator``, ``webhook_receiver``,
``serve_app``, ``assert_matches_schema``) are what most tests need. The pieces, for use elsewhere:

- ``Simulator`` (``simulator.py``): start one in-process or on a free port, with helpers;
- ``WebhookReceiver`` (``receiver.py``): a real HTTP webhook receiver that can fail and recover;
- ``assert_matches_schema`` (``schema_check.py``): a payload against MyOperator's contract.
"""

from mock_server.testing.receiver import WebhookReceiver
from mock_server.testing.schema_check import assert_matches_schema
from mock_server.testing.simulator import Simulator, Tenant

__all__ = ["Simulator", "Tenant", "WebhookReceiver", "assert_matches_schema"]
