"""Photo checks shared by every app that takes photos from the field (visits, activities): the type is read from
the bytes themselves, never from what the browser claims, and the size and number are bounded."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 6
PHOTO_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


@dataclass
class Photo:
    name: str
    data: bytes


def photo_type(data: bytes) -> str | None:
    """The image type read from the bytes themselves (what the browser claims is not trusted)."""
    for signature, content_type in PHOTO_SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def acceptable(photo: Photo) -> bool:
    return len(photo.data) <= MAX_PHOTO_BYTES and photo_type(photo.data) is not None


def photo_errors(photos: list[Photo], *, max_photos: int = MAX_PHOTOS) -> list[str]:
    """What is wrong with ``photos`` (too many, too large, not an image), one message per problem."""
    errors: list[str] = []
    if len(photos) > max_photos:
        errors.append(_("最多上传 %(n)d 张照片") % {"n": max_photos})
    for photo in photos:
        if len(photo.data) > MAX_PHOTO_BYTES:
            errors.append(
                _("照片“%(n)s”超过 5 MB（%(s).1f MB）") % {"n": photo.name, "s": len(photo.data) / 1048576}
            )
        elif photo_type(photo.data) is None:
            errors.append(_("“%(n)s”不是 JPEG、PNG 或 WebP 图片") % {"n": photo.name})
    return errors
