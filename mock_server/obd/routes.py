"""The OBD API's route."""

from mock_server.obd import handlers

routes = handlers.routes
register_actions = handlers.register_actions
