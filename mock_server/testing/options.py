"""The ways the plugin's ``myoperator`` fixture can run the simulator: light enough for pytest to read at its
start (the plugin is loaded by every pytest run once the package is installed, whether a test uses it or not)."""

SERVERS = ("asgi", "http")  # in this process, or on a real port
SCOPES = ("function", "module")  # a simulator per test, or one per module reset before each test
