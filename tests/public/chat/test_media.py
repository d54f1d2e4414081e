"""POST /chat/media/upload: per-type limits with the documented message, field errors, the 10 MB cap
without buffering, metadata-only storage, and the documented examples."""

import json

import pytest

from mock_server import schemas
from mock_server.public.chat import media
from tests.conftest import examples
from tests.moments import moment

MB = 1024 * 1024
URL = "/chat/media/upload"


def upload(client, tenant, content=b"x" * 100, filename="banner.jpg", content_type="image/jpeg",
           application="template"):
    data = {} if application is None else {"application": application}
    files = None if content is None else {"file": (filename, content, content_type)}
    return client.post(URL, headers=tenant.headers, data=data, files=files)


def assert_invalid(response, errors):
    assert response.status_code == 400
    body = response.json()
    assert body == {"status": "error", "code": "invalid", "message": "Invalid input.", "errors": errors}
    assert schemas.field_errors("public/media.invalid.response", body) == {}


def test_upload_returns_a_media_id_and_keeps_only_metadata(client, tenant):
    r = upload(client, tenant, b"\x89PNG" + b"0" * 2044, "folder/card.png", "image/png", "messaging")
    assert r.status_code == 201
    body = r.json()
    assert schemas.field_errors("public/media.upload.response", body) == {}
    assert body["code"] == "201" and body["message"] == "Media uploaded successfully"
    doc = tenant.state["media"].get(body["data"]["media_id"])
    assert doc == {"id": body["data"]["media_id"], "application": "messaging", "mime_type": "image/png",
                   "filename": "card.png", "file_size": 2048, "meta_media_id": media.meta_media_id(doc["id"]),
                   "created": moment("2025-07-15T10:00:00.000000Z")}
    assert len(doc["meta_media_id"]) == 16 and doc["meta_media_id"].isdigit()  # Meta's id, as campaigns show it


@pytest.mark.parametrize("mime,limit", [
    ("image/jpeg", 5 * MB), ("image/png", 5 * MB),
    ("audio/mpeg", 10 * MB), ("video/mp4", 10 * MB), ("application/pdf", 10 * MB),
])
def test_size_limit_per_type_capped_at_10_mb(client, tenant, mime, limit):
    assert upload(client, tenant, b"0" * limit, "f.bin", mime).status_code == 201
    r = upload(client, tenant, b"0" * (limit + 1), "f.bin", mime)
    kb = limit // 1024 + 1
    assert_invalid(r, {"file": [f"file_size {kb} KB not allowed for file_type {mime}!"]})


def test_every_documented_type_is_accepted(client, tenant):
    for mime in media.MEDIA_TYPES:
        assert upload(client, tenant, b"data", "f.bin", mime).status_code == 201, mime
    assert len(media.MEDIA_TYPES) == 17


def test_unsupported_type(client, tenant):
    assert_invalid(upload(client, tenant, b"GIF89a", "a.gif", "image/gif"),
                   {"file": ["file_type image/gif not allowed!"]})


def test_type_falls_back_to_the_file_extension(client, tenant):
    r = upload(client, tenant, b"data", "Report.DOCX", "application/octet-stream")
    assert r.status_code == 201
    assert tenant.state["media"].get(r.json()["data"]["media_id"])["mime_type"] == \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert_invalid(upload(client, tenant, b"data", "blob", "application/octet-stream"),
                   {"file": ["file_type application/octet-stream not allowed!"]})


def test_content_type_parameters_are_ignored(client, tenant):
    r = upload(client, tenant, b"OggS", "voice.ogg", "audio/ogg; codecs=opus")
    assert r.status_code == 201
    assert tenant.state["media"].get(r.json()["data"]["media_id"])["mime_type"] == "audio/ogg"


def test_missing_and_bad_fields(client, tenant):
    assert_invalid(upload(client, tenant, content=None, application=None),
                   {"file": ["No file was submitted."], "application": ["This field is required."]})
    assert_invalid(upload(client, tenant, application="campaign"),
                   {"application": ['"campaign" is not a valid choice.']})
    assert_invalid(upload(client, tenant, content=b""), {"file": ["The submitted file is empty."]})
    r = client.post(URL, headers=tenant.headers, data={"file": "not a file", "application": "template"},
                    files={"other": ("x.txt", b"x", "text/plain")})
    assert_invalid(r, {"file": ["The submitted data was not a file. Check the encoding type on the form."]})


def test_non_multipart_bodies(client, tenant):
    assert_invalid(client.post(URL, headers=tenant.headers, json={"application": "template"}),
                   {"file": ["No file was submitted."]})
    assert_invalid(client.post(URL, headers=tenant.headers, json={"file": "aGVsbG8=", "application": "x"}),
                   {"file": ["The submitted data was not a file. Check the encoding type on the form."],
                    "application": ['"x" is not a valid choice.']})
    assert_invalid(client.post(URL, headers=tenant.headers, json=[1, 2]),
                   {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
    r = client.post(URL, headers={**tenant.headers, "Content-Type": "text/plain"}, content=b"hello")
    assert r.status_code == 415 and r.json()["errors"] == {"detail": 'Unsupported media type "text/plain" in request.'}
    assert_invalid(client.post(URL, headers={**tenant.headers, "Content-Type": "application/x-www-form-urlencoded"},
                               content=b"application=template"), {"file": ["No file was submitted."]})


def test_broken_multipart(client, tenant):
    headers = {**tenant.headers, "Content-Type": "multipart/form-data"}
    r = client.post(URL, headers=headers, content=b"--x\r\n")
    assert_invalid(r, {"non_field_errors": ["Multipart form parse error - Invalid boundary in multipart."]})
    headers["Content-Type"] = "multipart/form-data; boundary=XX"
    r = client.post(URL, headers=headers, content=b"--XX\r\nContent-Disposition: form-data; name=\"file\"; "
                                                  b"filename=\"a.jpg\"\r\n\r\nabc")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["non_field_errors"]
    assert r.json()["errors"]["non_field_errors"][0].startswith("Multipart form parse error - ")
    r = client.post(URL, headers=headers, content=b"garbage without any boundary")
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def _multipart_head(filename="promo.mp4", mime="video/mp4", boundary=b"b0undary"):
    return (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\ntemplate\r\n"
            b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename.encode()
            + b"\"\r\nContent-Type: " + mime.encode() + b"\r\n\r\n")


def test_the_documented_oversize_upload_is_refused_with_its_files_size(client, tenant):
    """The documented 'Bad Request' (44509 KB video/mp4), sent as the collection sends it: the file, then
    the application field. The size is the file's, not the request's."""
    body = (b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"promo.mp4\"\r\n"
            b"Content-Type: video/mp4\r\n\r\n" + bytes(44509 * 1024) +
            b"\r\n--b0undary\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\ntemplate\r\n--b0undary--\r\n")
    headers = {**tenant.headers, "Content-Type": "multipart/form-data; boundary=b0undary"}
    r = client.post(URL, headers=headers, content=body)
    documented = json.loads(next(e for e in examples("Upload Media") if e["status"] == 400)["response"])
    assert r.status_code == 400 and r.json() == documented
    assert "connection" not in r.headers  # read whole: the connection may serve the next request
    assert len(tenant.state["media"]) == 5  # nothing stored


def test_a_body_too_large_to_read_is_answered_from_its_head(client, tenant):
    boundary = b"b0undary"
    head = _multipart_head(boundary=boundary)
    trailer = b"\r\n--" + boundary + b"--\r\n"
    file_size = 300 * MB

    def body():
        # Only a 128 KB prefix is ever sent: a server that tried to parse the whole body would find it
        # truncated and answer a parse error instead.
        yield head
        for _ in range(4):
            yield b"\0" * (32 * 1024)

    headers = {**tenant.headers, "Content-Type": f"multipart/form-data; boundary={boundary.decode()}",
               "Content-Length": str(len(head) + file_size + len(trailer))}
    r = client.post(URL, headers=headers, content=body())
    assert_invalid(r, {"file": ["file_size 307200 KB not allowed for file_type video/mp4!"]})
    assert len(tenant.state["media"]) == 5


def test_declared_oversize_garbage_still_gets_the_size_error(client, tenant):
    headers = {**tenant.headers, "Content-Type": "multipart/form-data; boundary=b0undary",
               "Content-Length": str(200 * MB)}
    r = client.post(URL, headers=headers, content=iter([b"\0garbage" * 1000]))
    # No file part in the first bytes: the size (Content-Length less the closing boundary) is the answer.
    assert_invalid(r, {"file": ["file_size 204800 KB not allowed for file_type application/octet-stream!"]})


def test_chunked_oversize_upload_is_counted_not_buffered(client, tenant):
    head = _multipart_head("clip.mp4")

    def body():
        yield head
        for _ in range(11):
            yield b"\0" * MB
        yield b"\r\n--b0undary--\r\n"

    r = client.post(URL, headers={**tenant.headers, "Content-Type": "multipart/form-data; boundary=b0undary"},
                    content=body())
    assert_invalid(r, {"file": ["file_size 11264 KB not allowed for file_type video/mp4!"]})


def test_real_oversize_upload_with_content_length(client, tenant):
    assert_invalid(upload(client, tenant, b"\0" * (11 * MB), "clip.mp4", "video/mp4"),
                   {"file": ["file_size 11264 KB not allowed for file_type video/mp4!"]})


def test_uploaded_media_is_usable_in_a_template_header_of_this_company_only(client, tenant, other_tenant):
    media_id = upload(client, tenant, b"jpeg", "hero.jpg", "image/jpeg").json()["data"]["media_id"]
    template = {"name": "hero_banner", "language": "en", "category": "marketing", "waba_id": tenant.waba_id(),
                "components": [{"type": "HEADER", "format": "MEDIA", "media_id": media_id},
                               {"type": "BODY", "text": "Our new arrivals are here, take a look."}]}
    assert client.post("/chat/templates", headers=tenant.headers, json=template).status_code == 201
    theirs = dict(template, waba_id=other_tenant.waba_id())
    r = client.post("/chat/templates", headers=other_tenant.headers, json=theirs)
    assert r.status_code == 400
    assert r.json()["errors"] == {"components.0.media_id": [f"Object with media_id={media_id} does not exist."]}


def test_upload_needs_credentials(client, tenant):
    r = client.post(URL, files={"file": ("a.jpg", b"x", "image/jpeg")}, data={"application": "template"})
    assert r.status_code == 401


def test_documented_examples_validate_and_replay(client, tenant):
    saved = {e["example"]: e for e in examples("Upload Media")}
    assert set(saved) == {"Created", "Bad Request"}
    created = json.loads(saved["Created"]["response"])
    assert schemas.field_errors("public/media.upload.response", created) == {}
    assert schemas.field_errors("public/media.invalid.response", json.loads(saved["Bad Request"]["response"])) == {}
    fields = {f["key"]: f for f in saved["Created"]["body"]}
    r = upload(client, tenant, b"\xff\xd8\xff" + b"0" * 5000, "photo.jpg", "image/jpeg",
               fields["application"]["value"])
    assert r.status_code == saved["Created"]["status"]
    assert set(r.json()) == set(created) and set(r.json()["data"]) == set(created["data"])
    assert {k: v for k, v in r.json().items() if k != "data"} == {k: v for k, v in created.items() if k != "data"}


def test_a_non_ascii_file_name_sent_the_rfc_5987_way_is_accepted(client, tenant):
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename*=utf-8''%E0%A4%AB%E0%A4%BE.jpg"
            f"\r\nContent-Type: image/jpeg\r\n\r\n").encode() + b"\xff\xd8" * 100 + \
        (f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\ntemplate\r\n"
         f"--{boundary}--\r\n").encode()
    r = client.post("/chat/media/upload", content=body,
                    headers={**tenant.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 201, r.text
    stored = tenant.state["media"].get(r.json()["data"]["media_id"])
    assert stored["filename"] == "फा.jpg" and stored["file_size"] == 200
