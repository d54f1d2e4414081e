"""The OBD API's route (being built)."""

from starlette.routing import Route

routes: list[Route] = []
