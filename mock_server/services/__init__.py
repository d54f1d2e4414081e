"""The operations the API surfaces and the scenario steps share, one module per capability (no HTTP here)."""
