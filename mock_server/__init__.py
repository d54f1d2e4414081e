"""myoperator-mock: a stateful local simulator of MyOperator's APIs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.settings import Settings

if TYPE_CHECKING:
    from mock_server.app import create_app

__all__ = ["Settings", "create_app"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``create_app`` on first use (PEP 562): importing a light module of the package (the pytest plugin's,
    the settings) does not import the whole app."""
    if name == "create_app":
        from mock_server.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
