"""The operations the API surfaces and the scenario steps share, one module a capability (no Starlette)."""
