"""Request and response bodies of the projects API. Money travels as text with two decimals ("1200.00"), dates as
ISO strings; the names are distinct across the whole API (one OpenAPI document)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from shegong.core.api import JsonDecimal, StrictSchema

from ..models import ExpenditureStatus, ProjectField, ProjectKind, ProjectState, StaffRole
from ..services import STEPS

Day = Annotated[datetime.date, Strict(False)]
Yuan = Annotated[str, Field(max_length=20, description="yuan, at most 2 decimal places, as a string")]
RegionCode = Annotated[str, Field(pattern=r"^\d{12}$")]

# The steps a project can take: each lifecycle step, and termination (which needs its reason in ``note``).
StepLiteral = Literal[(*STEPS, ProjectState.TERMINATED)]  # type: ignore[valid-type]


# Projects ---------------------------------------------------------------------------------------------------------


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
    hidden: int = Field(0, description="linked records counted in the actual that this reader may not open")


class ProjectPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ProjectOut]


class ProjectFilter(Schema):
    state: str = ""
    field: str = ""
    page: int = Field(1, ge=1, le=100000)


class ProjectIn(StrictSchema):
    """A project the buyer publishes (需求发布), as on the new-project page."""

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    buyer: RegionCode = Field(description="code of the buyer's region: a district (the bureau) or a township")
    buyer_name: str = Field("", max_length=100, description="the buyer's name; the region's name when blank")
    operator: int = Field(description="id of the organisation that runs the project")
    kind: Literal[tuple(ProjectKind.values)]  # type: ignore[valid-type]
    field: Literal[tuple(ProjectField.values)]  # type: ignore[valid-type]
    starts_on: Day
    ends_on: Day
    contract_amount: Yuan
    government_funds: Yuan = "0"
    charity_funds: Yuan = "0"
    behind_margin: int = Field(10, ge=0, le=100)
    service_regions: list[RegionCode] = Field(
        max_length=100, description="codes of the townships or communities served, inside the buyer's area"
    )
    demand_codes: list[Annotated[str, Field(max_length=40)]] = Field(
        [], max_length=100, description="catalogue codes of the demand-list items the project answers"
    )


# Lifecycle --------------------------------------------------------------------------------------------------------


class ProjectStepIn(StrictSchema):
    to_state: StepLiteral  # type: ignore[valid-type]
    note: str = Field("", max_length=300, description="the reason, required to terminate")


class ProjectStepOut(Schema):
    id: int
    from_state: str
    to_state: str
    on: datetime.date
    note: str


class ProjectNextStepOut(Schema):
    to_state: str
    label: str


class ProjectStepsOut(Schema):
    state: str
    next: list[ProjectNextStepOut]  # the steps the caller may take now (termination not listed)
    history: list[ProjectStepOut]


class ReleaseOut(Schema):
    id: int
    month: str  # YYYY-MM
    version: int
    published_at: datetime.datetime
    corrects: int | None
    correction_note: str


class ReleaseCorrectionIn(StrictSchema):
    correction_note: str = Field(min_length=1, max_length=300, description="what the new version corrects")


# Targets and budget -----------------------------------------------------------------------------------------------


class ProjectTargetIn(StrictSchema):
    quantity: JsonDecimal = Field(ge=0.1, max_digits=12, decimal_places=1)


class ProjectBudgetIn(StrictSchema):
    amount: Yuan


# Staff ------------------------------------------------------------------------------------------------------------


class StaffIn(StrictSchema):
    worker: int
    role: Literal[tuple(StaffRole.values)] = "worker"  # type: ignore[valid-type]
    start_date: Day | None = None


class StaffOut(Schema):
    id: int
    worker: int
    worker_name: str
    role: str
    start_date: datetime.date
    end_date: datetime.date | None
    filing_status: str
    filing_submitted_on: datetime.date | None
    filing_confirmed_on: datetime.date | None
    notice_date: datetime.date | None
    replacement: int | None
    breaches: list[str]


class StaffNoticeIn(StrictSchema):
    notice_date: Day


class StaffEndIn(StrictSchema):
    end_date: Day | None = Field(None, description="the leaving day; today when omitted")
    replacement: int | None = Field(
        None, description="id of the project post (staff) that replaces this one; found when omitted"
    )


# Spending, payments, claw-backs -----------------------------------------------------------------------------------


class ExpenditureIn(StrictSchema):
    line: int
    amount: Yuan
    spent_on: Day
    description: str = Field(min_length=1, max_length=200)
    voucher_number: str = Field("", max_length=40)
    voucher: int = Field(description="id of a voucher document uploaded to the project beforehand")


class ExpenditureOut(Schema):
    id: int
    line: int
    category: str
    amount: str
    spent_on: datetime.date
    description: str
    voucher: int | None
    voucher_number: str
    status: str
    over_budget: bool
    rejection_note: str
    line_spent: str
    line_remaining: str


class ExpenditurePage(Schema):
    count: int
    page: int
    pages: int
    results: list[ExpenditureOut]


class ExpenditureFilter(Schema):
    status: Literal[("", *ExpenditureStatus.values)] = ""  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100000)


class ExpenditureRejectIn(StrictSchema):
    rejection_note: str = Field(min_length=1, max_length=200, description="why it is sent back")


class ProjectPaymentIn(StrictSchema):
    milestone: str = Field(min_length=1, max_length=60)
    amount: Yuan
    paid_on: Day


class ProjectPaymentOut(Schema):
    id: int
    milestone: str
    amount: str
    paid_on: datetime.date


class ProjectClawbackIn(StrictSchema):
    amount: Yuan
    reason: str = Field(min_length=1, max_length=300)
    staff: int | None = Field(None, description="id of the project post (staff) concerned")
    list_worker: bool = Field(False, description="also put the worker on the dishonesty list")


class ProjectClawbackOut(Schema):
    id: int
    amount: str
    reason: str
    decided_on: datetime.date
    staff: int | None


# Documents --------------------------------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    doc_type: str
    version: int
    name: str
    content_type: str
    size: int
    note: str
    uploaded_at: datetime.datetime
