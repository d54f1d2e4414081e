"""The scenario actions and parameter kinds (``@action``, ``@param_kind`` of ``engine.steps``): importing a
module registers its own; each calls the services the API shares."""

from mock_server.steps import calls  # noqa: F401 - the call actions and parameter kinds
