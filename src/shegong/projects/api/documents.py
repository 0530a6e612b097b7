"""The project's documents: every version listed, uploads (multipart), downloads (audited)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from ninja import File, Form, UploadedFile
from ninja.responses import Status

from shegong.core.api import STANDARD_ERRORS
from shegong.core.scoping import get_scoped_or_404
from shegong.core.uploads import PDF, SUFFIXES, read_upload

from .. import services
from ..models import DocumentType, ProjectDocument
from ._common import fetch, op, router
from .schemas import DocumentOut


def _document_out(d: ProjectDocument) -> dict:
    return {
        "id": d.pk,
        "doc_type": d.doc_type,
        "version": d.version,
        "name": d.name,
        "content_type": d.content_type,
        "size": d.size,
        "note": d.note,
        "uploaded_at": d.uploaded_at,
    }


@router.get(
    "/{int:project_id}/documents",
    response={200: list[DocumentOut], **STANDARD_ERRORS},
    operation_id=op("list_documents"),
)
def list_documents(request, project_id: int):
    """Every version of every document of the project, newest version first within each type."""
    project = fetch(request, project_id)
    return [
        _document_out(d)
        for d in ProjectDocument.objects.filter(project=project)
        .defer("data")
        .order_by("doc_type", "-version")
    ]


@router.post(
    "/{int:project_id}/documents",
    response={201: DocumentOut, **STANDARD_ERRORS},
    operation_id=op("upload_document"),
)
def upload_document(
    request,
    project_id: int,
    doc_type: Form[Literal[tuple(DocumentType.values)]],  # type: ignore[valid-type]
    file: File[UploadedFile],
    note: Form[str] = "",
):
    """Upload a document (multipart): a new upload of a type is its next version. PDF, docx, xlsx, JPG or PNG,
    at most 10 MB; 422 naming ``file`` otherwise."""
    project = fetch(request, project_id)
    document = services.document_upload(
        actor=request.auth, project=project, doc_type=doc_type, upload=read_upload(file), note=note
    )
    return Status(201, _document_out(document))


_FILE_CONTENT = {t: {"schema": {"type": "string", "format": "binary"}} for t in SUFFIXES}


@router.get(
    "/{int:project_id}/documents/{int:document_id}",
    response={**STANDARD_ERRORS},
    openapi_extra={"responses": {"200": {"description": "The file", "content": _FILE_CONTENT}}},
    operation_id=op("download_document"),
)
def download_document(request, project_id: int, document_id: int):
    """The file itself; 404 for anyone who may not see the project. Each download is audited."""
    project = fetch(request, project_id)
    document = get_scoped_or_404(ProjectDocument.objects.filter(project=project), pk=document_id)
    services.document_download(actor=request.auth, document=document, request=request)
    response = HttpResponse(bytes(document.data), content_type=document.content_type or PDF)
    response["Content-Disposition"] = (
        f'attachment; filename="{project.code}-{document.doc_type}-v{document.version}.'
        f'{SUFFIXES.get(document.content_type, "bin")}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
