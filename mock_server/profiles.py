"""Fidelity profiles: which source the simulator follows where MyOperator's docs and its live service
disagree. ``documented`` answers as the Postman collection shows; ``observed`` (the default) as the
live service was seen to answer (shared evidence, OBSERVED.md). Each difference is one function here,
so the two profiles differ in exactly these places and nowhere else (README: "Fidelity profiles").
"""

from __future__ import annotations

PROFILES = ("observed", "documented")
DEFAULT = "observed"


def send_message_answer(profile: str, *, interactive: bool, message_id: str, conversation_id: str) -> dict:
    """Send Message's 200. The collection: "Message Sent" with the key spelt ``conversaton_id`` (an
    interactive message: "Accepted", spelt right); live (OBSERVED.md C.19): "Accepted", ``conversation_id``."""
    if profile == "documented" and not interactive:
        return {"status": "success", "code": "200", "message": "Message Sent",
                "data": {"message_id": message_id, "conversaton_id": conversation_id}}
    return {"status": "success", "code": "200", "message": "Accepted",
            "data": {"conversation_id": conversation_id, "message_id": message_id}}


def obd_end_category(profile: str) -> str:
    """call.end's ``category`` for an OBD call: every OBD example of the collection says "outgoing"; the
    live call.end says "obd" (OBSERVED.md D.31), as the collection's own field table and call.summary do."""
    return "outgoing" if profile == "documented" else "obd"
