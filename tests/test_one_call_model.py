"""One call seen through every surface: placed by the OBD API, told by its AfterCall webhook (short field
names) and by the call-log search (long field names) alike, its recording fetched through the link the
search hit's filename gives and played; a developers-API user as the agent."""

from mock_server import schemas
from mock_server.clock import parse_iso
from tests.developers.support import seconds_of
from tests.obd.support import Obd
from tests.support import ctx_of


def test_an_obd_call_reads_the_same_in_its_webhook_its_search_hit_and_its_recording(app, client, tenant):
    token = tenant.state.account["developer_token"]
    created = client.post("/search/user", data={"token": token, "name": "Kiran Rao", "contact_number": "9811188888",
                                                "country_code": "91", "extension": 88})
    agent = created.json()["uuid"]
    obd = Obd(client, tenant)
    placed = obd.call(obd.body("user", user_id=agent, reference_id="crm-lead-7"))
    assert placed.status_code == 200, placed.text
    call = tenant.state["calls"].find(lambda c: c["ref_id"] == placed.json()["unique_id"])
    start = int(parse_iso(call["started_at"]).timestamp())

    search = {"token": token, "filters": "41", "search_key": "9876543210", "from": start}
    assert client.post("/search/search", data=search).json()["data"] == {"total": 0, "hits": []}  # still ringing

    client.post("/_mock/clock/advance", json={"seconds": 600})
    found = client.post("/search/search", data=search)
    assert found.status_code == 200 and schemas.field_errors("developers/logs.response", found.json()) == {}
    (hit,) = found.json()["data"]["hits"]
    source = hit["_source"]
    events = [e for e in ctx_of(app).webhooks.events(tenant.company_id) if e["session_id"] == call["uid"]]
    after_call = next(e["bodies"]["legacy_call"] for e in events if e["event_type"] == "call.summary")
    end = next(e["bodies"]["envelope"]["payload"] for e in events if e["event_type"] == "call.end")

    # times, numbers and duration
    assert (source["start_time"], source["end_time"]) == (after_call["_st"], after_call["_et"]) == (
        start, int(parse_iso(tenant.state["calls"].get(call["id"])["ended_at"]).timestamp()))
    assert source["duration"] == after_call["_dr"]
    assert seconds_of(source["duration"]) == source["end_time"] - source["start_time"]
    assert (source["caller_number"], source["caller_number_raw"]) == (after_call["_cl"], after_call["_cr"]) == (
        "+919876543210", "9876543210") and end["customer_number"] == "+919876543210"
    assert (source["event"], source["status"]) == (after_call["_ev"], after_call["_su"]) == (2, 1)
    # the agent: the developers-API user who took the call, never the customer
    (leg,) = [leg for leg in source["log_details"] if leg["action"] == "received"]
    (legacy_leg,) = [leg for leg in after_call["_ld"] if leg["_ac"] == "received"]
    assert leg["received_by"] == [{"name": "Kiran Rao", "extension": "88", "user_id": agent}]
    assert (legacy_leg["_rr"][0]["_na"], legacy_leg["_rr"][0]["_ex"], legacy_leg["_rr"][0]["_id"]) == (
        "Kiran Rao", "88", agent)
    assert (leg["start_time"], leg["duration"], leg["_ds"]) == (legacy_leg["_st"], legacy_leg["_dr"], "ANSWER")
    assert {"ky": agent, "vl": "received"} in source["_us"] and source["_us"] == after_call["_us"]
    # the recording: one file name on every surface, and the link it gets plays
    assert source["filename"] == after_call["_fn"] == end["recording_filename"] != ""
    assert source["fileurl"] == "https://app.myoperator.com/audio/" + source["filename"].removesuffix(".mp3")
    link = client.get("/search/recordings/link", params={"token": token, "file": source["filename"]})
    assert link.status_code == 200, link.text
    audio = client.get(link.json()["url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    assert audio.content[:2] == b"\xff\xfb" and len(audio.content) > 1000  # MPEG-1 Layer III frames
    assert audio.headers["content-disposition"] == f'inline; filename="{source["filename"]}"'
