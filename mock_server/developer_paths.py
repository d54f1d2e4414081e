"""Where the developers API is served: the live service's bare paths beside the Postman collection's.

The collection puts every endpoint under ``/search/`` (``/search/search``, ``/search/user``…); the live
service answers the bare paths (``POST /search``, ``GET /user``…) and 404s the prefixed
``/search/recordings/link`` (OBSERVED A.1). Both are served, each bare path by its twin's own handler.
Pure data: the routes, the contract and the error handler all read it.
"""

from __future__ import annotations

# The collection's path -> the live service's bare path for the same endpoint.
LIVE_PATHS = {
    "/search/search": "/search",
    "/search/filters": "/filters",
    "/search/recordings/link": "/recordings/link",
    "/search/recordings/{token}.mp3": "/recordings/{token}.mp3",
    "/search/user": "/user",
}
COLLECTION_PATHS = {bare: prefixed for prefixed, bare in LIVE_PATHS.items()}

# A path's first segment that makes it the developers API's (its errors are in that API's body).
SEGMENTS = frozenset({"search", "filters", "recordings", "user", "contactadd"})
# The same as path prefixes, for tables matched with str.startswith (the operations' paths).
PREFIXES = ("/search", "/filters", "/recordings/", "/user", "/contactadd")


def is_developer_path(path: str) -> bool:
    """``/search``, ``/search/…``, ``/user/…``, …; not ``/users`` or ``/searches`` (segments, not prefixes)."""
    return path.split("/", 2)[1] in SEGMENTS if path.startswith("/") else False


def family(path: str) -> str:
    """The prefix a request used: "/search" for the collection's paths, "" for the live bare ones."""
    return "/search" if path.startswith("/search/") else ""
