"""One way for a rule to say no.

Rules and services (below the surfaces) never build a wire body: they raise a ``Refusal`` carrying the
documented code, a message and, where the rule is about the fields of a request, which fields and why.
The surface the request came in by turns it into its own envelope (each surface's ``errors.answer``), so
a rule shared by two surfaces (a contact's phone checked by the Contacts API and by the developers API's
Contact Add) reads the same in both and answers in each one's shape. As moto's backends raise typed
errors that its ``responses`` render.
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """``code``: the documented code ("CHAT_3001", "400", an OBD status); ``status``: the HTTP status the
    docs give it; ``fields``: field -> messages, for a request a rule found invalid; ``details``: what else
    the documented body carries (a dict, or the text some surfaces put there)."""

    def __init__(self, code: Any, message: str = "", *, status: int = 400,
                 fields: dict[str, list[str]] | None = None, details: Any = None):
        super().__init__(message or code)
        self.code, self.message, self.status = code, message, status
        self.fields, self.details = fields, details

    @classmethod
    def field(cls, name: str, message: str, **kwargs: Any) -> Refusal:
        """A refusal of one field of the request."""
        return cls(kwargs.pop("code", "400"), kwargs.pop("text", ""), fields={name: [message]}, **kwargs)
