import datetime
from typing import Annotated, Literal

from django.http import HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import Strict

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404
from shegong.core.uploads import PDF, SUFFIXES, read_upload
from shegong.people.models import SocialWorker

from . import selectors, services
from .models import BudgetLine, DocumentType, Expenditure, Indicator, Project, ProjectDocument, StaffRole

Day = Annotated[datetime.date, Strict(False)]
router = Router(tags=["projects"])


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    buyer: str
    operator: int
    kind: str
    field: str
    state: str
    starts_on: datetime.date
    ends_on: datetime.date
    contract_amount: str
    regions: list[str]


class TargetOut(Schema):
    indicator: str
    target: str
    actual: str
    expected: str
    behind: bool
    drilldown: str  # the API path listing the linked records behind ``actual``


class LineOut(Schema):
    id: int
    category: str
    amount: str
    spent: str
    refused_attempts: int


class ProjectDetailOut(ProjectOut):
    targets: list[TargetOut]
    budget: list[LineOut]


class RecordOut(Schema):
    day: datetime.date
    title: str
    detail: str
    url: str
    value: str


class DrilldownOut(Schema):
    indicator: str
    since: datetime.date
    until: datetime.date
    actual: str
    records: list[RecordOut]


class ProjectPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ProjectOut]


class ProjectFilter(Schema):
    state: str = ""
    field: str = ""
    page: int = Field(1, ge=1, le=100000)


def _out(p: Project) -> dict:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "buyer": p.buyer_name,
        "operator": p.operator_id,
        "kind": p.kind,
        "field": p.field,
        "state": p.state,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "contract_amount": f"{p.contract_amount:.2f}",
        "regions": selectors.service_codes(p),
    }


@router.get("", response={200: ProjectPage, **STANDARD_ERRORS})
def list_projects(request, filters: Query[ProjectFilter]):
    request.auth.require("projects.view")
    queryset = selectors.project_list(state=filters.state, field=filters.field).prefetch_related(
        "service_regions"
    )
    return paginated(queryset, filters.page, _out)


def _fetch(request, project_id: int) -> Project:
    request.auth.require("projects.view")
    return get_scoped_or_404(Project, pk=project_id)


@router.get("/{int:project_id}", response={200: ProjectDetailOut, **STANDARD_ERRORS})
def get_project(request, project_id: int):
    project = _fetch(request, project_id)
    return {
        **_out(project),
        "targets": [
            {
                "indicator": i.target.indicator,
                "target": str(i.target.quantity),
                "actual": str(i.actual),
                "expected": str(i.expected),
                "behind": i.behind,
                "drilldown": f"/api/v1/projects/{project.pk}/actuals/{i.target.indicator}",
            }
            for i in selectors.progress(project)
        ],
        "budget": [
            {
                "id": b.pk,
                "category": b.category,
                "amount": f"{b.amount:.2f}",
                "spent": f"{b.spent:.2f}",
                "refused_attempts": b.refused_attempts,
            }
            for b in project.budget_lines.all()
        ],
    }


@router.get("/{int:project_id}/actuals/{indicator}", response={200: DrilldownOut, **STANDARD_ERRORS})
def get_actual(request, project_id: int, indicator: Indicator):
    """The linked service records behind one indicator's actual (its first target's period, up to today)."""
    project = _fetch(request, project_id)
    since, until = selectors.drill_period(project, indicator)
    return {
        "indicator": indicator,
        "since": since,
        "until": until,
        "actual": str(selectors.actual_of(project, indicator, since, until)),
        "records": [
            {"day": r.day, "title": r.title, "detail": r.detail, "url": r.url, "value": r.value}
            for r in selectors.drilldown(project, indicator)
        ],
    }


class StaffIn(StrictSchema):
    worker: int
    role: Literal[tuple(StaffRole.values)] = "worker"  # type: ignore[valid-type]
    start_date: Day | None = None


class StaffOut(Schema):
    id: int
    worker: int
    role: str
    start_date: datetime.date
    filing_status: str


@router.post("/{int:project_id}/staff", response={201: StaffOut, **STANDARD_ERRORS})
def add_staff(request, project_id: int, payload: StaffIn):
    """Put a worker on the project; 422 naming the other project when the worker serves on one already."""
    project = _fetch(request, project_id)
    worker = get_scoped_or_404(SocialWorker, pk=payload.worker)
    staff = services.staff_add(
        actor=request.auth, project=project, worker=worker, role=payload.role, start_date=payload.start_date
    )
    return Status(
        201,
        {
            "id": staff.pk,
            "worker": staff.worker_id,
            "role": staff.role,
            "start_date": staff.start_date,
            "filing_status": staff.filing_status,
        },
    )


class ExpenditureIn(StrictSchema):
    line: int
    amount: str = Field(max_length=20, description="yuan, at most 2 decimal places, as a string")
    spent_on: Day
    description: str = Field(min_length=1, max_length=200)
    voucher_number: str = Field("", max_length=40)
    voucher: int = Field(description="id of a voucher document uploaded to the project beforehand")


class ExpenditureOut(Schema):
    id: int
    line: int
    amount: str
    spent_on: datetime.date
    status: str
    over_budget: bool
    line_spent: str
    line_remaining: str


@router.post("/{int:project_id}/expenditures", response={201: ExpenditureOut, **STANDARD_ERRORS})
def record_expenditure(request, project_id: int, payload: ExpenditureIn):
    """Record spending on a budget line with a voucher uploaded beforehand (``POST …/documents`` with type
    ``voucher``); 422 (field ``amount``) when it would take the line over budget where the region refuses that.
    It waits for the operator's finance and the buyer before it counts as spent."""
    project = _fetch(request, project_id)
    line = get_scoped_or_404(BudgetLine.objects.filter(project=project), pk=payload.line)
    voucher = get_scoped_or_404(
        ProjectDocument.objects.filter(project=project).defer("data"), pk=payload.voucher
    )
    expenditure = services.expenditure_record(
        actor=request.auth,
        project=project,
        line=line,
        amount=payload.amount,
        spent_on=payload.spent_on,
        description=payload.description,
        voucher=voucher,
        voucher_number=payload.voucher_number,
    )
    return Status(201, _expenditure_out(expenditure))


def _expenditure_out(expenditure: Expenditure) -> dict:
    line = BudgetLine.objects.get(pk=expenditure.line_id)
    return {
        "id": expenditure.pk,
        "line": line.pk,
        "amount": f"{expenditure.amount:.2f}",
        "spent_on": expenditure.spent_on,
        "status": expenditure.status,
        "over_budget": expenditure.over_budget,
        "line_spent": f"{line.spent:.2f}",
        "line_remaining": f"{line.remaining:.2f}",
    }


def _expenditure(request, project_id: int, expenditure_id: int) -> Expenditure:
    project = _fetch(request, project_id)
    return get_scoped_or_404(Expenditure.objects.filter(project=project), pk=expenditure_id)


@router.post(
    "/{int:project_id}/expenditures/{int:expenditure_id}/approve",
    response={200: ExpenditureOut, **STANDARD_ERRORS},
)
def approve_expenditure(request, project_id: int, expenditure_id: int):
    """The operator's finance approves an expenditure (never one its own user recorded: 422)."""
    expenditure = services.expenditure_approve(
        actor=request.auth, expenditure=_expenditure(request, project_id, expenditure_id)
    )
    return _expenditure_out(expenditure)


@router.post(
    "/{int:project_id}/expenditures/{int:expenditure_id}/review",
    response={200: ExpenditureOut, **STANDARD_ERRORS},
)
def review_expenditure(request, project_id: int, expenditure_id: int):
    """The buyer reviews an approved expenditure: from then on it counts as spent."""
    expenditure = services.expenditure_review(
        actor=request.auth, expenditure=_expenditure(request, project_id, expenditure_id)
    )
    return _expenditure_out(expenditure)


# Documents ------------------------------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    doc_type: str
    version: int
    name: str
    content_type: str
    size: int
    note: str
    uploaded_at: datetime.datetime


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


@router.get("/{int:project_id}/documents", response={200: list[DocumentOut], **STANDARD_ERRORS})
def list_documents(request, project_id: int):
    """Every version of every document of the project, newest version first within each type."""
    project = _fetch(request, project_id)
    return [
        _document_out(d)
        for d in ProjectDocument.objects.filter(project=project)
        .defer("data")
        .order_by("doc_type", "-version")
    ]


@router.post("/{int:project_id}/documents", response={201: DocumentOut, **STANDARD_ERRORS})
def upload_document(
    request,
    project_id: int,
    doc_type: Form[Literal[tuple(DocumentType.values)]],  # type: ignore[valid-type]
    file: File[UploadedFile],
    note: Form[str] = "",
):
    """Upload a document (multipart): a new upload of a type is its next version. PDF, docx, xlsx, JPG or PNG,
    at most 10 MB; 422 naming ``file`` otherwise."""
    project = _fetch(request, project_id)
    document = services.document_upload(
        actor=request.auth, project=project, doc_type=doc_type, upload=read_upload(file), note=note
    )
    return Status(201, _document_out(document))


_FILE_CONTENT = {t: {"schema": {"type": "string", "format": "binary"}} for t in SUFFIXES}


@router.get(
    "/{int:project_id}/documents/{int:document_id}",
    response={**STANDARD_ERRORS},
    openapi_extra={"responses": {"200": {"description": "The file", "content": _FILE_CONTENT}}},
)
def download_document(request, project_id: int, document_id: int):
    """The file itself; 404 for anyone who may not see the project. Each download is audited."""
    project = _fetch(request, project_id)
    document = get_scoped_or_404(ProjectDocument.objects.filter(project=project), pk=document_id)
    services.document_download(actor=request.auth, document=document, request=request)
    response = HttpResponse(bytes(document.data), content_type=document.content_type or PDF)
    response["Content-Disposition"] = (
        f'attachment; filename="{project.code}-{document.doc_type}-v{document.version}.'
        f'{SUFFIXES.get(document.content_type, "bin")}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


ROUTERS = [("/projects", router)]
