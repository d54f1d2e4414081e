"""What every API surface hands the app: its routes, which paths are its own, and its error shapes.

``app.py`` iterates ``SURFACES`` (in ``mock_server.surfaces``) instead of keeping tables from path prefix
to error style; the contract reads the same list for the error schemas of statuses an operation does
not list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute

from mock_server.errors import ApiError
from mock_server.refusals import Refusal


@dataclass(frozen=True)
class Surface:
    name: str
    routes: Sequence[BaseRoute]
    owns: Callable[[str], bool]  # is this path the surface's (its 404s and 405s are in its shape)
    answer: Callable[[Refusal, str], ApiError]  # (a rule's refusal, the request's path) -> its envelope
    not_routed: Callable[[int, str, str], ApiError]  # (404 or 405, method, path) -> its body
    error_schemas: tuple[str, ...] = ()  # the contract's schemas of its error bodies
