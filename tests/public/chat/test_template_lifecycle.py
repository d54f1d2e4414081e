"""A template made through the API is usable by Send Message once approved."""


def test_a_created_template_with_unindexed_buttons_is_sent_with_its_url_variable(client, tenant):
    created = client.post("/chat/templates", headers=tenant.headers, json={
        "name": "june_drop", "language": "en", "category": "marketing", "waba_id": tenant.waba_id(),
        "components": [
            {"type": "BODY", "text": "Hi {{name}}, the June drop is live now.", "example": {"name": "Asha"}},
            {"type": "BUTTONS", "buttons": [
                {"type": "URL", "text": "Shop", "url": "https://example.com/{{slug}}", "example": {"slug": "june"}},
                {"type": "QUICK_REPLY", "text": "Stop"}]}]})
    assert created.status_code == 201
    template = client.get(f"/chat/templates/{created.json()['data']['id']}", headers=tenant.headers).json()["data"]
    assert [b["index"] for b in template["components"][1]["buttons"]] == [0, 1]
    client.post("/_mock/clock/advance", json={"seconds": 3600})
    send = {"phone_number_id": tenant.phone("primary")["phone_number_id"], "customer_country_code": "91",
            "customer_number": "9811122233",
            "data": {"type": "template", "context": {"template_name": "june_drop", "body": {"name": "Asha"},
                                                     "buttons": [{"slug": "june", "index": 0}]}}}
    assert client.post("/chat/messages", headers=tenant.headers, json=send).status_code == 200
    del send["data"]["context"]["buttons"]
    missing = client.post("/chat/messages", headers=tenant.headers, json=send)
    assert missing.status_code == 400 and missing.json()["code"] == "400"
