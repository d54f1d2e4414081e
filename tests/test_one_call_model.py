"""One call seen through every surface: placed by the OBD API, found by the call-log search with the
same ids, its recording fetched through a link and played; a developers-API user as the agent."""

from mock_server import schemas
from tests.obd.support import Obd


def test_an_obd_call_is_found_by_search_with_its_ids_and_its_recording_plays(client, tenant):
    token = tenant.state.account["developer_token"]
    created = client.post("/search/user", data={"token": token, "name": "Kiran Rao", "contact_number": "9811188888",
                                                "country_code": "91", "extension": 88})
    agent = created.json()["uuid"]
    obd = Obd(client, tenant)
    placed = obd.call(obd.body("user", user_id=agent, reference_id="crm-lead-7"))
    assert placed.status_code == 200, placed.text
    unique_id = placed.json()["unique_id"]

    search = {"token": token, "filters": "41", "search_key": "9876543210"}
    before = client.post("/search/search", data=search).json()["data"]
    assert unique_id not in {hit["_source"]["_ri"] for hit in before["hits"]}  # not logged while it rings

    client.post("/_mock/clock/advance", json={"seconds": 600})
    found = client.post("/search/search", data=search)
    assert found.status_code == 200 and schemas.field_errors("developers/logs.response", found.json()) == {}
    (log,) = [hit["_source"] for hit in found.json()["data"]["hits"] if hit["_source"]["_ri"] == unique_id]
    assert log["_cri"] == "crm-lead-7" and log["_ivid"] == obd.ivrs["main"]["id"] and log["_ns"] == "2"
    assert log["_ld"][0]["_rr"][0]["_id"] == agent and log["_ld"][0]["_rr"][0]["_na"] == "Kiran Rao"

    link = client.get("/search/recordings/link", params={"token": token, "file": log["_fn"]})
    assert link.status_code == 200, link.text
    audio = client.get(link.json()["url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    assert audio.content[:2] == b"\xff\xfb" and len(audio.content) > 1000  # MPEG-1 Layer III frames
