"""The sandbox UI at /_mock/ui: one page (static files shipped in the package, no build step) that reads
and steers the simulator only through the control plane's own /_mock/ routes, and a live feed of what
happens (``feed``: server-sent events)."""
