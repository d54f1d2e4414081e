"""The scenario actions and parameter kinds (above the services they call, below the surfaces).

Importing this package registers them in the engine's registry (``engine.steps``); the app imports it.
"""

from mock_server.steps import calls, message_kinds, messages  # noqa: F401 - register the actions and kinds
