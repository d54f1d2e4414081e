"""Developers API: recordings (being built)."""

from starlette.routing import Route

routes: list[Route] = []
