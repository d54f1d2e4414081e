"""The /chat routes of the public API, and their helpers on the control plane.

Each resource module exports ``routes`` (MyOperator's paths) and ``control_routes`` (its
/_mock/ helpers); timed changes are named in ``register_actions``.
"""

from mock_server.public.chat import campaigns, media, messages, phonenumbers, templates

MODULES = (templates, campaigns, phonenumbers, media, messages)

routes = [route for module in MODULES for route in getattr(module, "routes", [])]
control_routes = [route for module in MODULES for route in getattr(module, "control_routes", [])]


def register_actions(ctx) -> None:
    """Name the timed changes this surface schedules (the scheduler stores jobs as data)."""
    for module in MODULES:
        if hasattr(module, "register_actions"):
            module.register_actions(ctx)
