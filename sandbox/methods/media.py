"""Vehicles to prepare (tier1.prepare) and upload slots (uploads.prepare); both accept either role."""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any
from urllib.parse import quote

from ..errors import ApiError
from .registry import Call, method

VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
UPLOAD_HOST = "https://uploads.sandbox.example"
MEDIA_HOST = "https://media.sandbox.example"
EXTENSIONS = {
    "image": {"jpg", "jpeg", "png", "gif", "webp", "heic"},
    "document": {"pdf", "doc", "docx", "xls", "xlsx", "csv", "txt"},
    "video": {"mp4", "mov", "m4v", "webm", "avi"},
}


@method("tier1.prepare")
async def tier1_prepare(call: Call) -> dict[str, Any]:
    """Every VIN that is not 17 characters of [A-HJ-NPR-Z0-9] is listed back with a reason."""
    invalid = []
    for identifier in call.body["identifiers"]:
        vin = identifier["vin"]
        if len(vin) != 17:
            invalid.append({"vin": vin, "reason": "invalid_length"})
        elif not VIN.match(vin):
            invalid.append({"vin": vin, "reason": "invalid_characters"})
    return {"invalid_identifiers": invalid}


@method("uploads.prepare")
async def uploads_prepare(call: Call) -> dict[str, Any]:
    """A pre-signed-looking URL on an example host (it accepts nothing). Unprocessable: a file name
    with a path separator or without an extension, or whose extension does not fit `media_type`.
    `public_url` is null for `invoice` uploads (private), a URL for `job_media`."""
    name, media_type, kind = call.body["file_name"], call.body["media_type"], call.body["type"]
    stem, dot, extension = name.rpartition(".")
    if "/" in name or "\\" in name or not dot or not stem or extension.lower() not in EXTENSIONS[media_type]:
        raise ApiError("unprocessable")
    upload_id = str(uuid.uuid4())
    quoted = quote(name, safe="")
    return {
        "upload_url": f"{UPLOAD_HOST}/__sandbox/uploads/{upload_id}/{quoted}"
        f"?expires={int(call.now) + 900}&signature={secrets.token_hex(16)}",
        "public_url": f"{MEDIA_HOST}/{kind}/{upload_id}/{quoted}" if kind == "job_media" else None,
    }
