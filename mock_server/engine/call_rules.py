"""Which scenario an accepted OBD request plays: documented rules, like Twilio's magic test numbers.

The customer's number (the request's ``number``) decides what happens; every other number is
answered. The dialer decides who is dialled first (user and anonymous dialers: the agent; the IVR
dialer: the customer), so each outcome names one scenario per side:

=============  ========================  ==================================  ==================================
number         outcome                   user / anonymous dialer             IVR dialer (customer first)
                                         (agent first)
=============  ========================  ==================================  ==================================
+910000000001  customer busy             obd-customer-unanswered, BUSY       obd-ivr-customer-unanswered, BUSY
+910000000002  customer does not answer  obd-customer-unanswered, NO ANSWER  obd-ivr-customer-unanswered,
                                                                             NO ANSWER
+910000000003  customer unreachable      obd-customer-unanswered,            obd-ivr-customer-unanswered,
                                         NO CARRIER                          NO CARRIER
+910000000004  agent does not answer     obd-agent-unanswered, NO ANSWER     obd-ivr-agents-unanswered
+910000000005  no free agent (UDC busy)  call_hold true: obd-user /          call_hold true: obd-ivr, the
                                         obd-anonymous after a 60 s wait;    customer waits 60 s in the IVR;
                                         false: obd-agent-unanswered, BUSY   false: obd-no-free-agent
any other      answered                  obd-user / obd-anonymous            obd-ivr
=============  ========================  ==================================  ==================================

(+91 followed by 0: no Indian number starts with 0, so these never reach a real phone.) The
documented ``call_hold`` says a request "may wait for resource availability" (true, the default)
or "may be accepted but later cancelled if routing resources are unavailable" (false); resources
are only ever unavailable for the "no free agent" number. An override set through the control
plane (``overrides``) wins over this table.
"""

from __future__ import annotations

from dataclasses import dataclass

QUEUE_SECONDS = 60  # how long a held request waits for its agent (call_hold true, no free agent)
# Seconds until a dialled party's failure is known: a busy line and a dead number answer at once,
# an unanswered phone rings for half a minute.
FAIL_AFTER = {"BUSY": 3, "NO CARRIER": 2, "NO ANSWER": 30}


@dataclass(frozen=True)
class Outcome:
    name: str
    description: str


ANSWERED = Outcome("answered", "every party answers")
MAGIC_NUMBERS: dict[str, Outcome] = {
    "+910000000001": Outcome("customer_busy", "the customer's line is busy (BUSY)"),
    "+910000000002": Outcome("customer_no_answer", "the customer's phone rings out (NO ANSWER)"),
    "+910000000003": Outcome("customer_unreachable", "the customer's number cannot be reached (NO CARRIER)"),
    "+910000000004": Outcome("agent_no_answer", "the agent does not answer (NO ANSWER)"),
    "+910000000005": Outcome("no_free_agent", "no agent is free: held until one is (call_hold true) or cancelled"),
}
CUSTOMER_FAILURES = {"customer_busy": "BUSY", "customer_no_answer": "NO ANSWER", "customer_unreachable": "NO CARRIER"}


def outcome_of(number: str) -> Outcome:
    return MAGIC_NUMBERS.get(number, ANSWERED)


def choose(dialer: str, number: str, call_hold: bool) -> tuple[str, dict, Outcome]:
    """(scenario, the params the rule sets, the outcome) for a request's dialer, customer and call_hold."""
    outcome = outcome_of(number)
    customer_first = dialer == "ivr"
    answered = "obd-ivr" if customer_first else f"obd-{dialer}"
    if outcome.name in CUSTOMER_FAILURES:
        status = CUSTOMER_FAILURES[outcome.name]
        scenario = "obd-ivr-customer-unanswered" if customer_first else "obd-customer-unanswered"
        return scenario, {"dial_status": status, "fail_after": FAIL_AFTER[status]}, outcome
    if outcome.name == "agent_no_answer":
        if customer_first:
            return "obd-ivr-agents-unanswered", {}, outcome
        return "obd-agent-unanswered", {"dial_status": "NO ANSWER", "fail_after": FAIL_AFTER["NO ANSWER"]}, outcome
    if outcome.name == "no_free_agent":
        if call_hold:
            return answered, {"queue": QUEUE_SECONDS}, outcome
        if customer_first:
            return "obd-no-free-agent", {}, outcome
        return "obd-agent-unanswered", {"dial_status": "BUSY", "fail_after": FAIL_AFTER["BUSY"]}, outcome
    return answered, {}, outcome
