"""Helpers for testing an application against the simulator, e.g. a real HTTP webhook receiver
(``mock_server.testing.receiver``)."""
