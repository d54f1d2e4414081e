"""Which delivery lifecycle a sent WhatsApp message plays: documented rules, like Twilio's magic numbers.

Every message POST /chat/messages accepts (status "accepted") starts a scenario run that moves it
on the clock. The customer's number (``+<customer_country_code><customer_number>``) decides which
one; every other number reads the message:

==================  ============================================  =====================================
number              outcome                                       scenario (params)
==================  ============================================  =====================================
+910000000101       delivered, never read                         whatsapp-delivered
+910000000102       sent, never delivered (the phone is off)      whatsapp-sent
+910000000103       fails: 131026 Message undeliverable           whatsapp-failed (error 131026)
+910000000104       fails: 131047 Re-engagement message           whatsapp-failed (error 131047)
+910000000105       fails: 130472 number part of an experiment    whatsapp-failed (error 130472)
+910000000106       fails: 131049 ecosystem engagement (Meta's    whatsapp-failed (error 131049)
                    marketing-message limit per user)
anything else       sent, delivered, read                         whatsapp-read
==================  ============================================  =====================================

(+91 followed by 0: no Indian number starts with 0, so these never reach a real phone; the call
rules' magic numbers are +91000000000x.) The moments, as offsets from the acceptance: sent +2 s,
delivered 3 s later (+5 s), read 60 s after that (+65 s); a failure is reported at +2 s, with no
sent time (as the documented message.failed). These are the scenarios' defaults, so a run started
through the control plane can change them. A campaign's recipients follow the same table.

An override set through the control plane (``overrides``, kind "message", matched on the same
E.164 number) wins over the table and is used up; when its scenario cannot play the message, the
table decides and the run's trigger says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mock_server.clock import parse_iso
from mock_server.engine import overrides, runner
from mock_server.store import TenantState

if TYPE_CHECKING:
    from mock_server.context import AppContext

# Meta's error texts for the codes the table and the scenarios name (the envelope's errors are
# {"<code>": "<text>"}; the legacy payloads prefix the code with "WABA_").
META_ERRORS = {
    "131026": "Message undeliverable",
    "131047": "Re-engagement message: more than 24 hours have passed since the customer last replied",
    "130472": "Failed to send message because this user's phone number is part of an experiment",
    "131049": "This message was not delivered to maintain healthy ecosystem engagement",
    "131053": "Media upload error",
}


@dataclass(frozen=True)
class Outcome:
    name: str
    description: str
    scenario: str
    params: dict = field(default_factory=dict)


READ = Outcome("read", "sent, delivered and read", "whatsapp-read")
MAGIC_NUMBERS: dict[str, Outcome] = {
    "+910000000101": Outcome("delivered_unread", "delivered, never read", "whatsapp-delivered"),
    "+910000000102": Outcome("never_delivered", "sent, never delivered (the phone is off)", "whatsapp-sent"),
    "+910000000103": Outcome("undeliverable", "fails with 131026", "whatsapp-failed", {"error": "131026"}),
    "+910000000104": Outcome("re_engagement", "fails with 131047", "whatsapp-failed", {"error": "131047"}),
    "+910000000105": Outcome("experiment", "fails with 130472", "whatsapp-failed", {"error": "130472"}),
    "+910000000106": Outcome("ecosystem_limit", "fails with 131049", "whatsapp-failed", {"error": "131049"}),
}


def outcome_of(number: str) -> Outcome:
    return MAGIC_NUMBERS.get(number, READ)


def customer_number(message: dict) -> str:
    """The E.164 form of a message's customer, as the table and overrides name them."""
    return f"+{message['customer_country_code']}{message['customer_number']}"


def message_params(message: dict) -> dict:
    """What a lifecycle scenario takes from the message it plays (each takes what it declares)."""
    return {"message": message["id"], "phone_number": message["phone_number_id"], "customer": customer_number(message),
            "template": message.get("template_id")}


def fitted(ctx: AppContext, scenario_name: str, params: dict) -> dict:
    """The parameters this scenario declares (null only where it allows none); RunRefused when it takes
    no ``message``: it would play something else and leave the message accepted for ever."""
    if runner.find(ctx, scenario_name).params.get("message", {}).get("kind") != "message":
        raise runner.RunRefused({"scenario": [f"{scenario_name} does not play a sent message "
                                              "(it has no parameter `message` of kind message)."]})
    return runner.declared_params(ctx, scenario_name, params)


def start_lifecycle(ctx: AppContext, tenant: TenantState, message: dict, trigger: dict,
                    use_overrides: bool = True) -> dict:
    """Start the run that moves an accepted outgoing message (from the moment it was accepted): an
    override's, else the table's.

    UnknownScenario / RunRefused only when the table's own scenario cannot play the message (a user's
    scenario folder replaced it with one that takes other parameters)."""
    number = customer_number(message)
    outcome = outcome_of(number)
    return overrides.start_triggered(ctx, tenant, overrides.Trigger(
        "message", number, message_params(message), trigger, (outcome.scenario, outcome.params, outcome.name),
        at=parse_iso(message["created"]), fit=fitted, use_overrides=use_overrides))
