"""The operations the API surfaces and the scenario steps share, one module per capability.

No Starlette and no surface here: a service reads and writes the tenant's documents and says no by
raising ``mock_server.refusals.Refusal``, which each surface renders in its own envelope.
"""
