"""POST /chat/media/upload: a multipart upload whose media id templates (and Send Message) use.

Only metadata is kept (id, application, mime_type, filename, file_size, created): the simulator
never serves the bytes back, so it never stores them. The body is parsed as it streams in and
file bytes are counted, not buffered, so an upload over the cap is refused with its file's exact
size, as the live API (which reads it whole) counts it. Only a body too large to be worth reading
(over READ_LIMIT, by its Content-Length or as it streams) is answered from what was read, its size
estimated; the response then closes the connection (app.CloseAfterUnreadBody), or a client still
sending it would wait.
"""

from __future__ import annotations

import math
import mimetypes
import re
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from mock_server.clock import iso
from mock_server.context import AppContext
from mock_server.domain.media_types import APPLICATIONS, EXTENSIONS, MB, MEDIA_TYPES, UPLOAD_CAP, meta_media_id
from mock_server.errors import DRF_INVALID
from mock_server.forms import FIELD_LIMIT, FormStream
from mock_server.http import EMPTY, Json, parse_json
from mock_server.public.auth import endpoint
from mock_server.store import TenantState
from mock_server.store.names import MEDIA

READ_LIMIT = 100 * MB  # larger bodies are not read whole: clients send such a file by mistake, or hostile ones
HEAD_BYTES = 64 * 1024  # how much of a body over READ_LIMIT is read to find the file part's headers

GENERIC_TYPES = ("", "application/octet-stream", "binary/octet-stream")


# --- rules (pure) ----------------------------------------------------------------------------
def mime_type(content_type: str, filename: str) -> str:
    """The part's own type, else one guessed from the file name's extension."""
    declared = content_type.split(";", 1)[0].strip().lower()[:100]
    if declared not in GENERIC_TYPES:
        return declared
    ext = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    return EXTENSIONS.get(ext) or mimetypes.guess_type(filename)[0] or declared or "application/octet-stream"


def file_error(mime: str, size: int) -> str | None:
    """The documented message for a file this API refuses, or None."""
    if mime not in MEDIA_TYPES:
        return f"file_type {mime} not allowed!"
    if size > min(MEDIA_TYPES[mime], UPLOAD_CAP):
        return size_error(mime, size)
    return None


def size_error(mime: str, size: int) -> str:
    return f"file_size {math.ceil(size / 1024)} KB not allowed for file_type {mime}!"


async def _read_multipart(request: Request, boundary: bytes) -> tuple[FormStream, int | None]:
    """Parse the body; returns the parser and, for a body not read whole, how large it is (declared, or
    at least what was read)."""
    declared = request.headers.get("content-length", "")
    declared_size = int(declared) if declared.isdigit() else None
    head_only = declared_size is not None and declared_size > READ_LIMIT
    form = FormStream(boundary)
    read = 0
    try:
        async for chunk in request.stream():
            if head_only:
                chunk = chunk[: HEAD_BYTES - read]
            form.write(chunk)
            read += len(chunk)
            if read >= (HEAD_BYTES if head_only else READ_LIMIT):
                return form, declared_size or read
        form.finalize()
    except FormParserError as exc:
        if not head_only:  # too large to read, the size is the answer whatever the first bytes hold
            raise DRF_INVALID.field("non_field_errors", f"Multipart form parse error - {str(exc)[:120]}") from None
        return form, declared_size
    if not form.ended:
        raise DRF_INVALID.field("non_field_errors", "Multipart form parse error - the body ended before the "
                                                    "closing boundary.")
    return form, None


# --- the endpoint ----------------------------------------------------------------------------
NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."


async def _other_fields(request: Request, content_type: str) -> dict:
    """A JSON or urlencoded body: DRF parses it too, but it cannot carry a file."""
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > FIELD_LIMIT:
            raise DRF_INVALID.field("non_field_errors", f"Request body is too large (limit {FIELD_LIMIT} bytes) "
                                                        "for a non-multipart request; send multipart/form-data.")
    if content_type == "application/json":
        data = parse_json(bytes(raw), DRF_INVALID)
        data = {} if data is EMPTY else data
        if not isinstance(data, dict):
            raise DRF_INVALID.field("non_field_errors", "Invalid data. Expected a dictionary, but got "
                                                        f"{type(data).__name__}.")
        return data
    return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))


def application_error(value) -> str | None:
    """``value``: the field's text, None when absent, anything else when not text (e.g. a file)."""
    if value is None:
        return "This field is required."
    if not isinstance(value, str):
        return "Not a valid string."
    if value not in APPLICATIONS:
        return f"\"{value[:40]}\" is not a valid choice."
    return None


def _not_multipart(fields: dict) -> dict[str, list[str]]:
    errors = {"file": [NOT_A_FILE if fields.get("file") else "No file was submitted."]}
    if message := application_error(fields.get("application")):
        errors["application"] = [message]
    return errors


def _unread_file_error(form: FormStream, boundary: bytes, size: int) -> str:
    """The file error of a body of ``size`` bytes not read whole, from the file part's headers."""
    file = form.last("file")
    mime = mime_type(file.headers.get("content-type", ""), file.filename or "") if file else "application/octet-stream"
    offset = file.data_offset if file and file.data_offset is not None else 0
    trailer = len(b"\r\n--" + boundary + b"--\r\n")
    # The estimate assumes the file is the last part; it is over the cap in any case.
    size = max(size - offset - trailer, UPLOAD_CAP + 1)
    if file is None:  # the first bytes hold no file part: all there is to say is the size
        return size_error(mime, size)
    return file_error(mime, size) or size_error(mime, size)  # over the cap: never None


@endpoint
async def upload_media(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    raw_type, options = parse_options_header(request.headers.get("content-type", ""))
    content_type = raw_type.decode("latin-1").lower()
    if content_type != "multipart/form-data":
        if content_type not in ("application/json", "application/x-www-form-urlencoded", ""):
            raise DRF_INVALID.field("non_field_errors", f"Unsupported media type \"{content_type[:60]}\" in "
                                                        "request; send multipart/form-data.")
        raise DRF_INVALID.error(_not_multipart(await _other_fields(request, content_type)))
    boundary = options.get(b"boundary")
    if not boundary or not re.fullmatch(rb"[0-9A-Za-z'()+_,\-./:=? ]{1,70}", boundary):
        raise DRF_INVALID.field("non_field_errors", "Multipart form parse error - Invalid boundary in multipart.")
    form, unread_size = await _read_multipart(request, boundary)
    if unread_size is not None:
        raise DRF_INVALID.field("file", _unread_file_error(form, boundary, unread_size))
    if form.too_large_field:
        raise DRF_INVALID.field("non_field_errors", f"A form field is larger than {FIELD_LIMIT // 1024} KB.")

    errors: dict[str, list[str]] = {}
    file, application = form.last("file"), form.last("application")
    mime = ""
    if file is None or file.filename == "":
        errors["file"] = ["No file was submitted."]
    elif file.filename is None:
        errors["file"] = [NOT_A_FILE]
    elif file.size == 0:
        errors["file"] = ["The submitted file is empty."]
    else:
        mime = mime_type(file.headers.get("content-type", ""), file.filename)
        if message := file_error(mime, file.size):
            errors["file"] = [message]
    app_value: object = application  # absent, or a file where text was expected
    if application is not None and application.filename is None:
        app_value = bytes(application.data).decode("utf-8", "replace")
    if message := application_error(app_value):
        errors["application"] = [message]
    if errors or file is None or file.filename is None:  # no file is among the errors
        raise DRF_INVALID.error(errors)

    media_id = ctx.ids.uuid()
    filename = file.filename.replace("\\", "/").rsplit("/", 1)[-1][:255]
    tenant[MEDIA].put({"id": media_id, "application": app_value, "mime_type": mime, "filename": filename,
                         "file_size": file.size, "meta_media_id": meta_media_id(media_id), "created": iso(ctx.now())})
    return Json({"status": "success", "code": "201", "message": "Media uploaded successfully",
                 "data": {"media_id": media_id}}, status_code=201)
