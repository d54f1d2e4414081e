"""The /chat routes of the public API.

Each resource module exports ``routes`` (MyOperator's paths); the timed changes it schedules are
named in its ``register_actions``.
"""

from mock_server.public.chat import campaigns, errors, media, messages, phonenumbers, templates
from mock_server.surface import Surface

MODULES = (templates, campaigns, phonenumbers, media, messages)

routes = [route for module in MODULES for route in getattr(module, "routes", [])]


def register_actions(ctx) -> None:
    """Name the timed changes this surface schedules (the scheduler stores jobs as data)."""
    for module in MODULES:
        if hasattr(module, "register_actions"):
            module.register_actions(ctx)

surface = Surface("public.chat", routes, owns=errors.owns, answer=errors.answer, not_routed=errors.not_routed,
                  error_schemas=("public/error.response",))
