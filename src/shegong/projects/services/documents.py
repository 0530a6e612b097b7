"""Project documents: uploads with versions (a new upload of a type is a new version), the documents each lifecycle
step needs, and the audited download."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core.uploads import Upload, document_errors, document_type

from ..models import DocumentType, Project, ProjectDocument, ProjectState

S = ProjectState
D = DocumentType

# The document a lifecycle step needs before it is taken (SPEC §6, seed 003): approval the plan (计划书: background,
# goals, budget, content and schedule, staff and service standards, evaluation — seed 000), the staff filing the
# agreement, the mid-term review the mid-term report, the final review and closing the final report.
REQUIRED_DOCUMENT = {
    S.APPROVED: D.PLAN,
    S.STAFFING: D.AGREEMENT,
    S.MID_REVIEW: D.MID_REPORT,
    S.FINAL_REVIEW: D.FINAL_REPORT,
    S.CLOSED: D.FINAL_REPORT,
}
# The types one may upload. The page's documents form leaves out vouchers (they come with their expenditure);
# the API uploads a voucher first and names it in the expenditure.
UPLOADABLE = [D.PLAN, D.AGREEMENT, D.MID_REPORT, D.FINAL_REPORT, D.OTHER, D.VOUCHER]


def missing_document(project: Project, to_state: str) -> str | None:
    """The name of the document ``to_state`` needs and the project lacks, else None."""
    needed = REQUIRED_DOCUMENT.get(to_state)
    if needed is None or project.documents.filter(doc_type=needed).exists():
        return None
    return str(D(needed).label)


def _store(*, actor, project: Project, doc_type: str, upload: Upload, note: str = "") -> ProjectDocument:
    """Save ``upload`` as the next version of ``doc_type`` (the caller checked it and holds a transaction)."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    latest = project.documents.filter(doc_type=doc_type).aggregate(v=Max("version"))["v"] or 0
    document = ProjectDocument(
        project=project,
        doc_type=doc_type,
        version=latest + 1,
        name=upload.name or f"{doc_type}-{latest + 1}",
        content_type=document_type(upload.data),
        size=len(upload.data),
        data=upload.data,
        note=(note or "").strip(),
        uploaded_by=getattr(actor, "user", None),
        region_code=project.region_code,
    )
    document.full_clean(exclude=["data"])
    document.save()
    record(
        "projects.document.upload",
        actor=actor,
        obj=project,
        changes={
            "document": document.pk,
            "type": doc_type,
            "version": document.version,
            "name": document.name,
            "size": document.size,
        },
    )
    return document


def document_upload(
    *, actor, project: Project, doc_type: str, upload: Upload | None, note: str = ""
) -> ProjectDocument:
    """Upload a project document: the buyer or the operator. Refused, naming the field, for an unknown type or a
    file that is missing, too large or not a PDF, Word, Excel, JPG or PNG file."""
    actor.require("projects.spend" if doc_type == D.VOUCHER else "projects.documents", project.region_code)
    errors: dict[str, list[str]] = {}
    if doc_type not in UPLOADABLE:
        errors["doc_type"] = [_("请选择文件类型")]
    problems = document_errors(upload)
    if problems:
        errors["file"] = problems
    if len((note or "").strip()) > 300:
        errors["note"] = [_("说明不能超过 300 字")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _store(actor=actor, project=project, doc_type=doc_type, upload=upload, note=note)


def voucher_store(*, actor, project: Project, upload: Upload | None) -> ProjectDocument:
    """Store an expenditure's voucher (the caller checked the permission and holds a transaction)."""
    problems = document_errors(upload)
    if problems:
        raise ValidationError({"voucher": problems})
    return _store(actor=actor, project=project, doc_type=D.VOUCHER, upload=upload)


def document_download(*, actor, document: ProjectDocument, request=None) -> ProjectDocument:
    """Audit a download of ``document`` (fetched by the caller within the actor's scope) and return it."""
    actor.require("projects.view", document.region_code)
    record(
        "projects.document.download",
        actor=actor,
        obj=document.project,
        request=request,
        changes={"document": document.pk, "type": document.doc_type, "version": document.version},
    )
    return document
