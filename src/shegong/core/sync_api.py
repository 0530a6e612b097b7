"""The field app's sync endpoints at /api/v1/sync/: unlock, download (by cursor), upload (idempotent), device."""

from __future__ import annotations

import base64
import datetime
import uuid
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import Strict

from . import sync
from .api import STANDARD_ERRORS, StrictSchema

router = Router(tags=["sync"])

Key = Annotated[uuid.UUID, Strict(False)]


class UnlockIn(StrictSchema):
    device: Key
    password: str = Field(..., max_length=200)


class UnlockOut(Schema):
    device: uuid.UUID
    key: str


class RecordIn(StrictSchema):
    key: Key
    kind: str = Field(..., max_length=40)
    captured_at: str = Field("", max_length=40)
    payload: dict[str, Any]


class UploadIn(StrictSchema):
    device: Key
    records: list[RecordIn] = Field(..., max_length=sync.MAX_BATCH)


class UploadOut(Schema):
    results: list[dict[str, Any]]


class DownloadFilter(Schema):
    device: uuid.UUID
    cursor: str = Field("", max_length=400)


class DownloadOut(Schema):
    cursor: str
    full: bool
    server_time: datetime.datetime
    sections: dict[str, Any]
    conflicts: list[dict[str, Any]]


class DeviceOut(Schema):
    revoked: bool


def _device(request, token):
    device = sync.device_of(request.auth, token)
    if device is None:
        raise PermissionDenied("unknown device")
    return device


@router.post("/unlock", response={200: UnlockOut, **STANDARD_ERRORS})
def sync_unlock(request, payload: UnlockIn):
    """The device's data key, for the logged-in user's own password (the device wraps it with that password)."""
    device = sync.device_unlock(actor=request.auth, token=payload.device, password=payload.password)
    return {"device": device.token, "key": base64.b64encode(bytes(device.key)).decode()}


@router.get("/download", response={200: DownloadOut, **STANDARD_ERRORS})
def sync_download(request, filters: Query[DownloadFilter]):
    """What changed for the caller's field work since ``cursor`` (everything without one), and the next cursor."""
    device = _device(request, filters.device)
    answer = sync.download(actor=request.auth, cursor=filters.cursor or None)
    device.last_sync_at = timezone.now()
    device.save(update_fields=["last_sync_at"])
    return answer


@router.post("/upload", response={200: UploadOut, **STANDARD_ERRORS})
def sync_upload(request, payload: UploadIn):
    """Apply queued records in order. Each answer is stored under its key: resending a record changes nothing."""
    _device(request, payload.device)
    records = [r.model_dump() for r in payload.records]
    return {"results": sync.upload(actor=request.auth, records=records)}


@router.get("/device/{uuid:token}", auth=None, response={200: DeviceOut, **STANDARD_ERRORS})
def sync_device(request, token: uuid.UUID):
    """Whether a device must wipe its offline copy (asked when the session is gone: a deactivated account)."""
    return {"revoked": sync.device_revoked(token)}
