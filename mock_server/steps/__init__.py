"""The scenario vocabulary, in one table: every action a step may name and every kind a parameter may have.

The actions and kinds themselves live beside the services they call (``calls`` for calls, ``messages``
and ``message_kinds`` for WhatsApp); this table is the only place that names them. The app hands it to the
engine (``engine.register_actions(ctx, VOCABULARY)``); each action's arguments have a JSON Schema
``scenarios/<action name>``, which the loader requires.
"""

from mock_server.engine.steps import BASIC_KINDS, ParamKind, Vocabulary
from mock_server.steps import calls, message_kinds as kinds, messages

ACTIONS = {
    "call.start": calls.start,
    "call.ivr": calls.ivr,
    "call.dial": calls.dial,
    "call.answer": calls.answer,
    "call.fail": calls.fail,
    "call.hangup": calls.hangup,
    "call.transfer": calls.transfer,
    "call.voicemail": calls.voicemail,
    "call.end": calls.end,
    "call.comment": calls.comment,
    "call.dispose": calls.dispose,
    "message.accept": messages.accept,
    "message.send": messages.send,
    "message.deliver": messages.deliver,
    "message.read": messages.read,
    "message.fail": messages.fail,
    "message.click": messages.click,
    "message.receive": messages.customer_writes,
    "message.receive_media": messages.customer_sends_media,
    "message.media_ready": messages.media_link_ready,
    "conversation.assign": messages.assign_step,
    "conversation.close": messages.close_step,
    "template.submit": messages.submit,
    "template.review": messages.review,
    "campaign.start": messages.start_campaign,
    "campaign.finish": messages.finish_campaign,
}

# name -> ParamKind(check, the pool ``pick: n`` draws a default from, what that pool is, for the listing)
PARAM_KINDS = {
    **BASIC_KINDS,
    "customer": ParamKind(calls.customer, calls.contact_numbers, "the tenant's contacts"),
    "agent": ParamKind(calls.agent, calls.call_agents, "the tenant's users who take calls"),
    "did": ParamKind(calls.did, calls.did_numbers, "the tenant's DIDs"),
    "department": ParamKind(calls.one_of("departments", "Must be the id of one of the company's departments."),
                            calls.ids_of("departments"), "the tenant's departments"),
    "ivr": ParamKind(calls.one_of("ivrs", "Must be the public_ivr_id of one of the company's IVRs."),
                     calls.ids_of("ivrs"), "the tenant's IVRs (OBD campaigns)"),
    "whatsapp_number": ParamKind(kinds.whatsapp_number, kinds.sending_numbers,
                                 "the tenant's WhatsApp numbers that may send"),
    "chat_agent": ParamKind(kinds.chat_agent, kinds.chat_agents, "the tenant's users, agents first"),
    "template": ParamKind(kinds.template_checker(lambda t: True, "templates"), kinds.for_review,
                          "the tenant's templates, those awaiting review first"),
    "approved_template": ParamKind(kinds.template_checker(kinds.approved, "approved templates"),
                                   kinds.approved_templates, "the tenant's approved templates"),
    "link_template": ParamKind(kinds.template_checker(kinds.linked, "approved templates with a URL button"),
                               kinds.link_templates, "the tenant's approved templates with a URL button"),
    "campaign": ParamKind(kinds.campaign, kinds.scheduled_campaigns, "the tenant's scheduled campaigns"),
    "meta_error": ParamKind(kinds.meta_error),
    "button_info": ParamKind(kinds.button_info),
    "message": ParamKind(kinds.message),
}

VOCABULARY = Vocabulary(ACTIONS, PARAM_KINDS)
