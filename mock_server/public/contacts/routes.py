"""The /contacts routes of the public API."""

from starlette.routing import Route

routes: list[Route] = []
