"""The control plane's routes (``/_mock/``), collected from its resource modules, and its surface."""

from mock_server.control import chat, errors, faults, scenarios, schemas, telephony, tenants, webhooks
from mock_server.control.ui import routes as ui
from mock_server.openapi import operations_of
from mock_server.surface import Surface

MODULES = (tenants, chat, telephony, faults, webhooks, scenarios, schemas)

api_routes = [route for module in MODULES for route in module.routes]  # what the OpenAPI document lists
routes = [*api_routes, *ui.routes]  # and the sandbox UI's page, files and live feed
operations = operations_of(api_routes)  # (method, path, endpoint) of each, for the OpenAPI document

surface = Surface("control", routes, owns=errors.owns, answer=errors.answer, not_routed=errors.not_routed)
