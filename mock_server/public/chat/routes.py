"""The /chat routes of the public API, and their control-plane helpers under /_mock/."""

from starlette.routing import Route

from mock_server.public.chat import phonenumbers

routes = [
    Route("/chat/phonenumbers", phonenumbers.list_phonenumbers, methods=["GET"]),
]

control_routes: list[Route] = []


def register_actions(ctx) -> None:
    """Name the timed changes this surface schedules (the scheduler stores jobs as data)."""
