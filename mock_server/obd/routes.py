"""The OBD API's route, and its surface."""

from starlette.routing import Route

from mock_server.obd import errors, handlers
from mock_server.surface import Surface

routes = [Route("/obd-api-v1", handlers.place_call, methods=["POST"])]

surface = Surface("obd", routes, owns=errors.owns, answer=errors.answer, not_routed=errors.not_routed,
                  error_schemas=("obd/call.response", "obd/gateway.error"))
