"""The control plane's routes (``/_mock/``), collected from its resource modules, and its surface."""

from mock_server.control import chat, errors, faults, scenarios, schemas, telephony, tenants, webhooks
from mock_server.control.ui import routes as ui
from mock_server.surface import Surface

MODULES = (tenants, chat, telephony, faults, webhooks, scenarios, schemas)

api_routes = [route for module in MODULES for route in module.routes]  # what the OpenAPI document lists
routes = [*api_routes, *ui.routes]  # and the sandbox UI's page, files and live feed

surface = Surface("control", routes, owns=errors.owns, answer=errors.answer, not_routed=errors.not_routed)
