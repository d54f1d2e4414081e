"""The /chat routes of the public API (MyOperator's paths), one handler module per resource."""

from starlette.routing import Route

from mock_server.public.chat import campaigns, errors, media, messages, phonenumbers, templates
from mock_server.surface import Surface

routes = [
    Route("/chat/templates", templates.create_template, methods=["POST"]),
    Route("/chat/templates", templates.list_templates, methods=["GET"]),
    Route("/chat/templates/{id}", templates.fetch_template, methods=["GET"]),
    Route("/chat/templates/{id}", templates.delete_template, methods=["DELETE"]),
    Route("/chat/campaigns", campaigns.list_campaigns, methods=["GET"]),
    Route("/chat/campaigns/{campaign_id}", campaigns.get_campaign, methods=["GET"]),
    Route("/chat/campaign/{campaign_id}", campaigns.get_campaign, methods=["GET"]),
    Route("/chat/phonenumbers", phonenumbers.list_phonenumbers, methods=["GET"]),
    Route("/chat/media/upload", media.upload_media, methods=["POST"]),
    Route("/chat/messages", messages.send_message, methods=["POST"]),
]

surface = Surface("public.chat", routes, owns=errors.owns, answer=errors.answer, not_routed=errors.not_routed,
                  error_schemas=("public/error.response",))
