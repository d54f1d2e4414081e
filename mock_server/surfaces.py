"""The surfaces one process serves, in the order a path is matched to the one whose error shapes it gets
(the public gateway last: it answers whatever no other surface claims)."""

from mock_server.control.routes import surface as control
from mock_server.developers.routes import surface as developers
from mock_server.obd.routes import surface as obd
from mock_server.public.chat.routes import surface as chat
from mock_server.public.contacts.routes import surface as contacts
from mock_server.surface import Surface

SURFACES: tuple[Surface, ...] = (control, developers, obd, chat, contacts)


def surface_of(path: str) -> Surface:
    return next(surface for surface in SURFACES if surface.owns(path))
