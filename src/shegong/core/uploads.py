"""Checks for uploaded documents (plans, agreements, reports, vouchers): the type is read from the bytes, never from
the name or what the browser claims, and the size is bounded. Photos have their own, stricter checks
(``core.photos``), which this module reuses for images."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .photos import photo_type

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The suffix a download is given, per type read from the bytes.
SUFFIXES = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", "image/jpeg": "jpg", "image/png": "png"}


@dataclass
class Upload:
    name: str
    data: bytes


def _office_type(data: bytes) -> str | None:
    """A Word or Excel (Office Open XML) file: a zip holding the part that makes it one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def document_type(data: bytes) -> str | None:
    """PDF, Word (.docx), Excel (.xlsx), JPEG or PNG, read from the bytes; None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    found = photo_type(data)
    return found if found in ("image/jpeg", "image/png") else None


def document_errors(upload: Upload | None, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> list[str]:
    """What is wrong with ``upload`` (missing, empty, too large, not an accepted type), one message per problem."""
    if upload is None or not upload.data:
        return [_("请选择要上传的文件")]
    if len(upload.data) > max_bytes:
        return [
            _("文件“%(n)s”超过 %(max)d MB（%(s).1f MB）")
            % {"n": upload.name, "max": max_bytes // 1048576, "s": len(upload.data) / 1048576}
        ]
    if document_type(upload.data) is None:
        return [_("文件“%(n)s”不是 PDF、Word（docx）、Excel（xlsx）、JPG 或 PNG 文件") % {"n": upload.name}]
    return []


def read_upload(file, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Upload | None:
    """An uploaded file (Django's ``UploadedFile``) read into memory, at most one byte past the limit so a huge
    file is refused without reading it all."""
    if file is None:
        return None
    data = file.read(max_bytes + 1)
    return Upload(name=(getattr(file, "name", "") or "")[-200:], data=data)
