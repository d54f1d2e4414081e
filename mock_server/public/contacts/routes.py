"""The /contacts routes of the public API.

POST /contacts is both Create Contact and Search Contacts, as documented; the handler tells them
apart (see ``handlers._is_search``).
"""

from starlette.routing import Route

from mock_server.public.contacts import errors, handlers
from mock_server.surface import Surface

routes: list[Route] = [
    Route("/contacts", handlers.list_contacts, methods=["GET"]),
    Route("/contacts", handlers.post_contacts, methods=["POST"]),
    Route("/contacts/{contact_id}", handlers.fetch_contact, methods=["GET"]),
    Route("/contacts/{contact_id}", handlers.update_contact, methods=["PATCH"]),
    Route("/contacts/{contact_id}", handlers.delete_contact, methods=["DELETE"]),
]

surface = Surface("public.contacts", routes, owns=errors.owns, answer=errors.answer, not_routed=errors.not_routed,
                  error_schemas=("public/error.response",))
