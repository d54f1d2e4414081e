"""The developers API's routes (/search/…, /contactadd), collected from its resource modules."""

from mock_server.developers import contactadd, filters, logs, recordings, users

MODULES = (users, logs, filters, recordings, contactadd)

routes = [route for module in MODULES for route in module.routes]
