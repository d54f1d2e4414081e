"""The OBD API's route."""

from mock_server.obd import handlers

routes = handlers.routes
