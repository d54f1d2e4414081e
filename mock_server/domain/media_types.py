"""The media types WhatsApp accepts (Send Message's "Supported Media Types" table), shared by
upload, template headers and messages."""

from __future__ import annotations

import hashlib

MB = 1024 * 1024
UPLOAD_CAP = 10 * MB  # "Max Upload Limit is set to 10MB"
APPLICATIONS = ("messaging", "template")  # what an uploaded file is for

# Send Message's "Supported Media Types" table (MIME type -> max bytes), capped by UPLOAD_CAP.
MEDIA_TYPES = {
    "audio/aac": 16 * MB, "audio/amr": 16 * MB, "audio/mpeg": 16 * MB, "audio/mp4": 16 * MB, "audio/ogg": 16 * MB,
    "text/plain": 100 * MB, "application/pdf": 100 * MB, "application/msword": 100 * MB,
    "application/vnd.ms-excel": 100 * MB, "application/vnd.ms-powerpoint": 100 * MB,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 100 * MB,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 100 * MB,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 * MB,
    "image/jpeg": 5 * MB, "image/png": 5 * MB,
    "video/mp4": 16 * MB, "video/3gp": 16 * MB,
}
EXTENSIONS = {
    ".aac": "audio/aac", ".amr": "audio/amr", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg",
    ".opus": "audio/ogg", ".txt": "text/plain", ".pdf": "application/pdf", ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".mp4": "video/mp4", ".3gp": "video/3gp",
}


def media_kind(mime_type: str | None) -> str:
    """What a file is to WhatsApp: image, audio, video, or (anything else) document."""
    major = (mime_type or "").split("/", 1)[0]
    return major if major in ("image", "audio", "video") else "document"


def meta_media_id(media_id: str) -> str:
    """Meta's id for a media upload (16 digits, as the campaign examples' ``meta_media_id``): the simulator
    uploads nothing to Meta, so it is derived from ours, the same on every run."""
    digest = int(hashlib.sha256(f"meta-media:{media_id}".encode()).hexdigest(), 16)
    return str(10 ** 15 + digest % (9 * 10 ** 15))
