"""Developers API: GET /search/recordings/link (a temporary link to a call recording) and the link itself.

The docs (item 61): pass a recording's file name from the call logs (a Search Logs hit's
``filename``, the AfterCall log's ``_fn``, call.end's ``recording_filename``); "recording links
are temporary and are valid for 24 hours only"; the response is not documented. As public client
code reads it (``status == "success"``, then ``url``), the success body is
``{"status": "success", "code": 200, "url": "<link>", "expires_at": <unix seconds>}``.

- ``file`` must be the exact recording name of one of the token's company's finished calls, else
  404. Values that cannot be a file name (paths, "..", control characters, %-escapes, over-long
  names) are refused with a 400 before any lookup.
- Each request issues a new link, kept as a document (``recording_links``: token, file, call id,
  issued_at, expires_at) so it survives a restart. The link is
  ``<base>/search/recordings/<token>.mp3`` on this server (``<base>/recordings/<token>.mp3`` when
  asked at the live bare ``/recordings/link``; either way its errors are the developers API's), needing
  no API token, like a pre-signed URL: it serves a small silent
  MP3 (``developers.audio``) until ``expires_at`` (24 h after issue on the server clock), then
  410. Single byte ranges are honoured (206/416). Other methods get the developers API's 405.
"""

from __future__ import annotations

import math
import re
import unicodedata

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.clock import parse_iso
from mock_server.context import AppContext
from mock_server.developer_paths import family
from mock_server.developers import audio
from mock_server.developers.auth import Params, developer_endpoint, developer_error
from mock_server.http import Json
from mock_server.services import recordings
from mock_server.services.recordings import LINK_PATH
from mock_server.store import TenantState
from mock_server.store.names import CALLS

AUDIO_PATH = "/search/recordings/{token}.mp3"
FILE_MAX = 255
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")

FILE_REQUIRED = "file is required"
FILE_TEXT = "file must be text"
NOT_A_FILE_NAME = "file must be a recording file name from the call logs (e.g. 4awerwf234353tgr123.mp3): {reason}"
LINK_UNKNOWN = "recording link not found"
LINK_EXPIRED = ("recording link expired at {at}: links are valid for 24 hours; "
                "ask GET /search/recordings/link for a new one")
RECORDING_GONE = "the recording of this link no longer exists"
RANGE_UNSATISFIABLE = "the requested range is outside the recording ({size} bytes)"


# --- the file parameter (pure) -------------------------------------------------------------------------
def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a recording's file name (None when it can be one)."""
    if len(name) > FILE_MAX:
        return f"it is longer than {FILE_MAX} characters"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        return "it contains control or invisible characters"
    if "/" in name or "\\" in name:
        return "it contains a path separator"
    if ".." in name:
        return "it contains '..'"
    if ":" in name or name.startswith("~"):
        return "it looks like a path (':' or a leading '~')"
    if name.startswith("."):
        return "it starts with '.'"
    if PERCENT_ESCAPE.search(name):
        return "it contains %-escapes: send the plain file name"
    return None


def clean_file(params: Params) -> str:
    """The ``file`` parameter, or the developers API's 400."""
    value = params.get("file")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise developer_error(400, FILE_REQUIRED)
    if not isinstance(value, str):
        raise developer_error(400, FILE_TEXT)
    problem = file_name_problem(value)
    if problem:
        raise developer_error(400, NOT_A_FILE_NAME.format(reason=problem))
    return value


# --- URLs ----------------------------------------------------------------------------------------------------
def base_url(request: Request) -> str:
    """Where the client reached this server (scheme, host and root path)."""
    scope = request.scope
    host = request.headers.get("host") or "{}:{}".format(*scope.get("server") or ("localhost", 80))
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}"


def audio_url(base: str, token: str, prefix: str) -> str:
    """The link's URL, under the path family (``paths.family``) its request used."""
    return f"{base}{prefix}/recordings/{token}.mp3"


# --- GET /search/recordings/link ------------------------------------------------------------------------
@developer_endpoint
async def recording_link(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    link = recordings.issue_link(ctx, tenant, clean_file(params))
    return Json({"status": "success", "code": 200,
                 "url": audio_url(base_url(request), link["token"], family(request.url.path)),
                 "expires_at": int(parse_iso(link["expires_at"]).timestamp())})


# --- GET /search/recordings/<token>.mp3 ------------------------------------------------------------------
class RangeNotSatisfiable(ValueError):
    pass


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one range ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` asks for, as (first, last) inclusive;
    None for no usable Range header (the whole file is sent); RangeNotSatisfiable when none of it exists."""
    match = re.fullmatch(r"\s*bytes\s*=\s*([0-9]{0,18})\s*-\s*([0-9]{0,18})\s*", header or "")
    if not match or match.group(1) == match.group(2) == "":
        return None  # absent, malformed or several ranges: ignored (RFC 9110 allows that)
    first, last = match.group(1), match.group(2)
    if first == "":
        start, end = max(0, size - int(last)), size - 1
        if int(last) == 0:
            raise RangeNotSatisfiable(RANGE_UNSATISFIABLE.format(size=size))
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
        if last and int(last) < start:
            return None  # an invalid range (last before first) is ignored, as RFC 9110 says
    if start >= size:
        raise RangeNotSatisfiable(RANGE_UNSATISFIABLE.format(size=size))
    return start, end


async def serve_audio(request: Request) -> Response:
    ctx: AppContext = request.app.state.ctx
    found = recordings.find_link(ctx, request.path_params["token"])
    if found is None:
        raise developer_error(404, LINK_UNKNOWN)
    tenant, link = found
    now, expires = ctx.now(), parse_iso(link["expires_at"])
    if now >= expires:
        raise developer_error(410, LINK_EXPIRED.format(at=link["expires_at"]))
    call = tenant[CALLS].get(link["call_id"])
    if call is None or call.get("recording") != link["file"]:
        raise developer_error(404, RECORDING_GONE)
    data = audio.silent_mp3()
    max_age = math.ceil((expires - now).total_seconds())
    headers = {"Accept-Ranges": "bytes", "Cache-Control": f"private, max-age={max_age}"}
    if SAFE_NAME.match(link["file"]):
        headers["Content-Disposition"] = f'inline; filename="{link["file"]}"'
    try:
        wanted = byte_range(request.headers.get("range"), len(data))
    except RangeNotSatisfiable as error:
        return Json({"status": "error", "code": 416, "message": str(error)}, 416,
                    headers={"Content-Range": f"bytes */{len(data)}"})
    if wanted is None:
        return Response(data, 200, headers=headers, media_type=audio.MEDIA_TYPE)
    start, end = wanted
    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    return Response(data[start:end + 1], 206, headers=headers, media_type=audio.MEDIA_TYPE)


routes: list[Route] = [
    Route(LINK_PATH, recording_link, methods=["GET"]),
    Route(AUDIO_PATH, serve_audio, methods=["GET"]),
]
