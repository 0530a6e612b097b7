"""The projects themselves: the list, one project with its targets and budget, an actual's records, publishing."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.forms import ChoiceField, ModelChoiceField
from django.utils import timezone
from ninja import Query
from ninja.responses import Status

from shegong.core.api import STANDARD_ERRORS, paginated
from shegong.core.scoping import get_scoped_or_404
from shegong.orgs.models import Organisation
from shegong.regions.models import Region

from .. import selectors, services
from ..models import Indicator, Project
from ._common import fetch, money, op, router
from .schemas import DrilldownOut, ProjectDetailOut, ProjectFilter, ProjectIn, ProjectPage

# The levels the new-project page offers: the buyer is the bureau (district) or a township; a project serves
# townships or communities.
BUYER_LEVELS = (3, 4)
SERVICE_LEVELS = (4, 5)


def project_out(p: Project) -> dict:
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
        "contract_amount": money(p.contract_amount),
        "regions": selectors.service_codes(p),
    }


def target_out(project: Project, item: selectors.Progress) -> dict:
    return {
        "indicator": item.target.indicator,
        "target": str(item.target.quantity),
        "actual": str(item.actual),
        "expected": str(item.expected),
        "behind": item.behind,
        "drilldown": f"/api/v1/projects/{project.pk}/actuals/{item.target.indicator}",
    }


def target_rows(project: Project) -> list[dict]:
    return [target_out(project, i) for i in selectors.progress(project)]


def line_out(line) -> dict:
    return {
        "id": line.pk,
        "category": line.category,
        "amount": money(line.amount),
        "spent": money(line.spent),
        "refused_attempts": line.refused_attempts,
    }


def detail_out(project: Project) -> dict:
    return {
        **project_out(project),
        "targets": target_rows(project),
        "budget": [line_out(b) for b in project.budget_lines.all()],
    }


@router.get("", response={200: ProjectPage, **STANDARD_ERRORS}, operation_id=op("list_projects"))
def list_projects(request, filters: Query[ProjectFilter]):
    request.auth.require("projects.view")
    queryset = selectors.project_list(state=filters.state, field=filters.field).prefetch_related(
        "service_regions"
    )
    return paginated(queryset, filters.page, project_out)


def _region(code: str, field: str, levels: tuple[int, ...]) -> Region:
    """A region the caller may see (404 otherwise), of one of the levels the page offers for ``field`` (422)."""
    region = get_scoped_or_404(Region, code=code)
    if region.level not in levels:
        raise ValidationError({field: [ModelChoiceField.default_error_messages["invalid_choice"]]})
    return region


def _demand_codes(request, codes: list[str]) -> list[str]:
    """The demand-list items the page offers the caller (its area's last 12 months); another code is a 422."""
    if not codes:
        return []
    today = timezone.localdate()
    offered = {
        line.code
        for line in selectors.demand_list(
            sorted(request.auth.scope.region_codes), since=today - datetime.timedelta(days=365), until=today
        )
    }
    for code in codes:
        if code not in offered:
            message = ChoiceField.default_error_messages["invalid_choice"] % {"value": code}
            raise ValidationError({"demand_codes": [message]})
    return list(dict.fromkeys(codes))


@router.post("", response={201: ProjectDetailOut, **STANDARD_ERRORS}, operation_id=op("create_project"))
def create_project(request, payload: ProjectIn):
    """The buyer publishes a project (需求发布), as the new-project page does: the buyer's region, the operator and
    the service regions must be ones the caller may see (404 otherwise); the regions served lie in the buyer's
    area (422 naming ``service_regions``)."""
    request.auth.require("projects.change")
    buyer = _region(payload.buyer, "buyer", BUYER_LEVELS)
    operator = get_scoped_or_404(Organisation, pk=payload.operator)
    regions = [
        _region(code, "service_regions", SERVICE_LEVELS) for code in dict.fromkeys(payload.service_regions)
    ]
    data = payload.model_dump(include=set(services.PROJECT_FIELDS))
    data["demand_codes"] = _demand_codes(request, payload.demand_codes)
    project = services.project_create(
        actor=request.auth, data=data, buyer=buyer, operator=operator, service_regions=regions
    )
    return Status(201, detail_out(fetch(request, project.pk)))


@router.get(
    "/{int:project_id}", response={200: ProjectDetailOut, **STANDARD_ERRORS}, operation_id=op("get_project")
)
def get_project(request, project_id: int):
    """The project with its targets (against their actuals) and its budget lines."""
    return detail_out(fetch(request, project_id))


@router.get(
    "/{int:project_id}/actuals/{indicator}",
    response={200: DrilldownOut, **STANDARD_ERRORS},
    operation_id=op("get_actual"),
)
def get_actual(request, project_id: int, indicator: Indicator):
    """The linked service records behind one indicator's actual (its first target's period, up to today)."""
    project = fetch(request, project_id)
    since, until = selectors.drill_period(project, indicator)
    records = [
        {"day": r.day, "title": r.title, "detail": r.detail, "url": r.url, "value": r.value}
        for r in selectors.drilldown(project, indicator)
    ]
    return {
        "indicator": indicator,
        "since": since,
        "until": until,
        "actual": str(selectors.actual_of(project, indicator, since, until)),
        "records": records,
        "hidden": selectors.linked_count(project, indicator) - len(records),
    }
