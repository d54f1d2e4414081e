"""The developers API's routes, collected from its resource modules: the collection's paths (/search/…,
/contactadd) and, for each of those ``paths.LIVE_PATHS`` names, the live service's bare path served by the
same endpoint."""

from starlette.routing import Route

from mock_server.developer_paths import LIVE_PATHS
from mock_server.developers import contactadd, errors, filters, logs, recordings, users
from mock_server.surface import Surface

MODULES = (users, logs, filters, recordings, contactadd)

collection_routes = [route for module in MODULES for route in module.routes]
# Route.methods holds HEAD beside GET; given back, it stays the same set. None (an ASGI app) takes every method.
live_routes = [Route(LIVE_PATHS[route.path], route.endpoint, methods=route.methods)
               for route in collection_routes if route.path in LIVE_PATHS]
routes = collection_routes + live_routes

surface = Surface("developers", routes, owns=errors.owns, answer=errors.answer, not_routed=errors.not_routed,
                  error_schemas=("developers/error",))
