"""/chat messages endpoints (being built)."""

from starlette.routing import Route

routes: list[Route] = []
control_routes: list[Route] = []
