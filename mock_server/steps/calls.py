"""Call actions: each step moves the run's call through the lifecycle of ``domain.calls`` and emits
the webhooks that moment produces, rendered by ``domain.call_events`` and ``domain.call_log``.

The call is the tenant's ``calls`` document, the one /search/search and the recording links read,
so what the webhooks said is what the APIs answer afterwards. A step first computes the new
session and renders its events (either may refuse with ValueError, IllegalTransition included:
the run fails and nothing was stored), then stores the session and emits. Each event takes the
call's next event_sequence (``calls.take_sequence``), except call.summary's documented constant 1.

Legs are named so later steps can point at them: ``call.dial`` names its leg after the party
("agent", "customer") unless told ``as: next_agent``; call.start's ``caller`` (who called in,
leg 1) is named after its party too. The run's state: ``{"session_id", "uid", "legs": {name: leg_index}}``.
Which party is leg 1 is the order of the steps, written per call type as the docs map them
(incoming: customer then agent; oneway, webcall and OBD agent-first: agent first; OBD
customer-first: customer first); OTP calls emit no dial events.

The parameter kinds drawn from the tenant's fixtures are here too, each a check and the pool its defaults
come from: customer (an E.164 number; default: a contact's), agent (a user who takes calls), did, department
and ivr.
"""

from __future__ import annotations

from mock_server import profiles
from mock_server.clock import iso
from mock_server.domain import call_events, call_log, calls
from mock_server.domain.call_builders import is_anonymous_user, party, takes_calls
from mock_server.engine.steps import Step
from mock_server.phones import code_length, is_e164
from mock_server.services import recordings
from mock_server.services.contacts import phone_with_cc
from mock_server.store import TenantState
from mock_server.store.names import CALLS, CONTACTS, DEPARTMENTS, DIDS, IVRS, USERS


# --- parameter kinds from the tenant's fixtures ------------------------------------------------
def contact_numbers(tenant: TenantState) -> list[str]:
    numbers = (f"+{c.get('country_code')}{c.get('phone_number')}" for c in tenant[CONTACTS])
    return [n for n in numbers if is_e164(n)]


def customer(tenant: TenantState, value, spec: dict) -> str:
    if not isinstance(value, str) or not is_e164(value.strip()):
        raise ValueError("An E.164 number is required, e.g. +919876543210.")
    return value.strip()


def call_agents(tenant: TenantState) -> list[str]:
    return [u["id"] for u in tenant[USERS] if takes_calls(u)]


def agent(tenant: TenantState, value, spec: dict) -> str:
    user = tenant[USERS].get(value) if isinstance(value, str) else None
    if user is None or not takes_calls(user):
        raise ValueError("Must be the uuid of one of the company's users who take calls "
                         "(receive_calls 1, an E.164 contact number).")
    return value


def did_numbers(tenant: TenantState) -> list[str]:
    return [d["number"] for d in tenant[DIDS]]


def did(tenant: TenantState, value, spec: dict) -> str:
    found = next((d for d in tenant[DIDS] if value in (d["number"], d["id"])), None)
    if found is None:
        raise ValueError("Must be one of the company's DIDs (its E.164 number or id).")
    return found["number"]


def ids_of(collection: str):
    """The pool of a kind that is the id of one of the tenant's ``collection`` documents."""
    def pool(tenant: TenantState) -> list[str]:
        return [doc["id"] for doc in tenant[collection]]
    return pool


def one_of(collection: str, refusal: str):
    """The check of such a kind: the id of one of them, else ``refusal``."""
    def check(tenant: TenantState, value, spec: dict) -> str:
        if not isinstance(value, str) or tenant[collection].get(value) is None:
            raise ValueError(refusal)
        return value
    return check


# --- the session and its legs --------------------------------------------------------------------
def _session(step: Step) -> dict:
    return step.stored(CALLS, "session_id", "its first call step must be call.start")


def _leg(step: Step, name: str) -> int:
    legs = step.state.get("legs", {})
    if name not in legs:
        raise ValueError(f"no leg is named {name!r} (named so far: {', '.join(legs) or 'none'})")
    return legs[name]


def _free_name(step: Step, name: str) -> str:
    if name in step.state.get("legs", {}):
        raise ValueError(f"a leg is already named {name!r}: give this one another name with as:")
    return name


def _user(tenant: TenantState, user_id) -> dict:
    user = tenant[USERS].get(user_id) if isinstance(user_id, str) else None
    if user is None:
        raise ValueError(f"no user {user_id!r} in this company")
    return user


def _agent(tenant: TenantState, user_id) -> dict:
    user = _user(tenant, user_id)
    if not takes_calls(user):
        raise ValueError(f"user {user_id} does not take calls (receive_calls 1 and an E.164 number are needed)")
    return party(user)


def _dialled_agent(step: Step, session: dict) -> dict:
    """The agent a dial reaches; an anonymous-dialer OBD call rings number_2 as the built-in Anonymous User."""
    if session.get("dialer") == "anonymous":
        phone = step.args.get("phone")
        if not is_e164(phone):
            raise ValueError("an anonymous-dialer call rings `phone` (number_2): an E.164 number is needed")
        anonymous = next((u for u in step.tenant[USERS] if is_anonymous_user(u)), None)
        return {"user_id": anonymous["id"] if anonymous else None, "name": "Anonymous User", "phone": phone}
    return _agent(step.tenant, step.args.get("agent"))


def _customer(tenant: TenantState, number: str) -> dict:
    digits = number.removeprefix("+")
    contact = next(iter(tenant[CONTACTS].lookup("phone_with_cc", phone_with_cc, digits)), None)
    return {"number": number, "country_code": digits[:code_length(digits)], "name": contact["name"] if contact else ""}


def _department(tenant: TenantState, department_id) -> dict | None:
    if department_id is None:
        return None
    found = tenant[DEPARTMENTS].get(department_id)
    if found is None:
        raise ValueError(f"no department {department_id!r} in this company")
    return {"id": found["id"], "name": found["name"]}


def _bits(step: Step) -> dict:
    tenant = step.tenant
    return call_log.tenant_bits(tenant.company_id, tenant[USERS].values(), tenant[DEPARTMENTS].values(),
                                recording_url=recordings.link_endpoint(step.ctx.settings.public_base_url),
                                obd_category=profiles.obd_end_category(step.ctx.settings.profile))


def _publish(step: Step, session: dict, *events: tuple[str, int | None]) -> None:
    """Render this moment's events (each taking its event_sequence), then store the call and emit them."""
    bits, rendered = _bits(step), []
    for event_type, leg_index in events:
        if session["category"] == "otp" and event_type in ("call.dial_begin", "call.answered"):
            continue  # documented: an OTP call emits no dial events
        if event_type == "call.summary":
            sequence = 1
        else:
            session, sequence = calls.take_sequence(session)
        moment = {"at": iso(step.at), "event_type": event_type, "leg_index": leg_index}
        envelope = call_events.render(session, moment, bits, event_id=step.ctx.webhooks.new_event_id(),
                                      sequence=sequence)
        legacy = (call_log.render(session, bits) if event_type == "call.summary"
                  else call_log.render_disposition(session, bits) if event_type == "disposition" else None)
        rendered.append({"event_id": envelope["event_id"], "event_type": event_type, "channel": "call",
                         "session_id": session["uid"], "at": iso(step.at),
                         "bodies": {"envelope": envelope, "legacy_call": legacy, "legacy_whatsapp": None}})
    step.tenant[CALLS].put(session)
    for event in rendered:
        step.ctx.webhooks.emit(step.tenant, event)


def _new_ids(step: Step) -> tuple[str, str]:
    """A session id and a UID in MyOperator's shape (s4.<start epoch>.<n>), unique among the company's calls:
    the UID is every webhook's session_id, so two calls started in the same second must not share one."""
    calls_ = step.tenant[CALLS]
    while True:
        session_id = step.ctx.ids.uuid().replace("-", "")[:16]
        uid = f"s4.{int(step.at.timestamp())}.{int(session_id[:4], 16)}"
        if calls_.get(session_id) is None and not calls_.lookup("uid", lambda c: c.get("uid"), uid):
            return session_id, uid


# --- the actions -----------------------------------------------------------------------------------
CALLERS = {"customer": ("incoming",), "agent": ("oneway", "webcall")}


def start(step: Step) -> None:
    args, tenant, at = step.args, step.tenant, step.at
    if "session_id" in step.state:
        raise ValueError("the run already has its call")
    category, caller = args["category"], args.get("caller")
    if category == "incoming" and caller != "customer":
        raise ValueError("an incoming call starts with its caller: caller: customer")
    if caller and category not in CALLERS[caller]:
        raise ValueError(f"a {category} call has no {caller} who called in")
    if category == "obd" and args.get("dialer") is None:
        raise ValueError("an OBD call needs its dialer (user, anonymous or ivr)")
    ivr_id = args.get("ivr")
    if ivr_id is not None and tenant[IVRS].get(ivr_id) is None:
        raise ValueError(f"no IVR {ivr_id!r} in this company")
    department = _department(tenant, args.get("department"))
    session_id, uid = _new_ids(step)
    notification = ({"obd": "obd", "webcall": "webrtc"}.get(category)
                    or ("clickocall" if args.get("clickocall") else None))
    session = calls.new_session(calls.SessionStart(
        session_id=session_id, uid=uid,
        company_id=tenant.company_id, category=category, started_at=at, customer=_customer(tenant, args["customer"]),
        did=args["did"], department=department, ivr_id=ivr_id, notification=notification,
        dialer=args.get("dialer") if category == "obd" else None, extension_dial=bool(args.get("extension_dial")),
        ref_id=args.get("ref_id") or "", client_ref_id=args.get("client_ref_id") or "",
        obd_campaign={"id": ivr_id, "job_id": ""} if category == "obd" and ivr_id else None,
        custom=args.get("custom") or {}))
    dept_id = department["id"] if department else None
    if caller == "customer":
        session = calls.start_leg(session, at, type="customer", phone=session["customer"]["number"],
                                  name=session["customer"]["name"], inbound=True, department_id=dept_id)
    elif caller == "agent":
        who = _agent(tenant, args.get("agent"))
        session = calls.start_leg(session, at, type="agent", phone=who["phone"], user_id=who["user_id"],
                                  name=who["name"], pickup_device=args.get("pickup_device", "phone"), inbound=True)
    _publish(step, session, ("call.initiated", None))
    # session_id: the call's id (the AfterCall log's _ai); uid: the webhooks' session_id (the call's UID).
    step.state.update(session_id=session_id, uid=uid, legs={caller: 1} if caller else {})


def ivr(step: Step) -> None:
    ivr_id = step.args.get("ivr")
    if ivr_id is not None and step.tenant[IVRS].get(ivr_id) is None:
        raise ValueError(f"no IVR {ivr_id!r} in this company")
    _publish(step, calls.reach_ivr(_session(step), step.at, ivr_id), ("call.ivr_started", None))


def dial(step: Step) -> None:
    args, session = step.args, _session(step)
    name = _free_name(step, args.get("as") or args["party"])
    department_id = args.get("department") or (session["department"] or {}).get("id")
    _department(step.tenant, department_id)
    if args["party"] == "customer":
        customer = session["customer"]
        session = calls.start_leg(session, step.at, type="customer", phone=customer["number"], name=customer["name"],
                                  department_id=department_id)
    else:
        who = _dialled_agent(step, session)
        session = calls.start_leg(session, step.at, type="agent", phone=who["phone"], user_id=who["user_id"],
                                  name=who["name"], pickup_device=args.get("pickup_device", "phone"),
                                  department_id=department_id)
    index = session["legs"][-1]["leg_index"]
    _publish(step, session, ("call.dial_begin", index))
    step.state["legs"][name] = index


def _ringing(session: dict, index: int, step: Step) -> dict:
    """A dialled leg rings before it is answered or left unanswered (the ring itself emits nothing)."""
    if calls.find_leg(session, index)["state"] == "dialing":
        return calls.ring_leg(session, index, step.at)
    return session


def answer(step: Step) -> None:
    index = _leg(step, step.args["leg"])
    session = calls.answer_leg(_ringing(_session(step), index, step), index, step.at)
    _publish(step, session, ("call.answered", index))


def fail(step: Step) -> None:
    index, status = _leg(step, step.args["leg"]), step.args["dial_status"]
    session = _session(step)
    if status == "NO ANSWER":  # BUSY / NO CARRIER / CANCEL may come before the far end rings
        session = _ringing(session, index, step)
    _publish(step, calls.end_leg(session, index, step.at, status))


def hangup(step: Step) -> None:
    index = _leg(step, step.args["leg"])
    _publish(step, calls.end_leg(_session(step), index, step.at, "ANSWER"))


def transfer(step: Step) -> None:
    args, session = step.args, _session(step)
    index, name = _leg(step, args["leg"]), _free_name(step, args["as"])
    who = _agent(step.tenant, args["agent"])
    department_id = calls.find_leg(session, index).get("department_id")
    session = calls.transfer(session, index, step.at, phone=who["phone"], user_id=who["user_id"], name=who["name"],
                             department_id=department_id)
    new_index = session["legs"][-1]["leg_index"]
    _publish(step, session, ("call.dial_begin", new_index))
    step.state["legs"][name] = new_index


def voicemail(step: Step) -> None:
    _publish(step, calls.start_voicemail(_session(step), step.at))


def end(step: Step) -> None:
    session = _session(step)
    kept = step.args.get("record", True) and (session["bridged"] or session["state"] == "voicemail")
    session = calls.end_session(session, step.at, recording=calls.recording_file_name(session) if kept else None)
    _publish(step, session, ("call.end", None), ("call.summary", None))


def _comment(step: Step, session: dict, text: str) -> dict:
    user = _user(step.tenant, step.args["agent"])
    return calls.add_comment(session, step.at, comment_id=step.ctx.ids.uuid().replace("-", "")[:16], text=text,
                             user_id=user["id"])


def comment(step: Step) -> None:
    _publish(step, _comment(step, _session(step), step.args["text"]))


def dispose(step: Step) -> None:
    session, text = _session(step), step.args.get("comment")
    if text:
        session = _comment(step, session, text)
    user = _user(step.tenant, step.args["agent"])
    session = calls.add_disposition(session, step.at, type=step.args.get("type", 1), name=step.args["name"],
                                    user_id=user["id"])
    _publish(step, session, ("disposition", None))
