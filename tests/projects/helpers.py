"""Builders for project tests, and stand-ins for the tally metrics the service-work apps register."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from shegong.accounts.actor import Actor
from shegong.core import tallies
from shegong.core.uploads import Upload
from shegong.people.models import Certificate, SocialWorker
from shegong.projects import services
from shegong.projects.models import ProjectState

from ..factories import TOWN_A, make_user

_serial = itertools.count(1)

# The names the cases, groups, activities and volunteers apps register (being built in parallel). Until they are
# installed these stand-ins let the tests count; a real registration of the same name takes precedence.
STAND_IN_METRICS = ["cases.opened", "cases.closed", "groups.sessions", "activities.held", "volunteers.hours"]


def register_stand_in_metrics() -> None:
    for name in STAND_IN_METRICS:
        if name not in tallies.metrics():
            tallies.register(tallies.Metric(name, name, recount=dict))


def official(world) -> Actor:
    return Actor.for_user(world.official_a)


def township(world) -> Actor:
    return Actor.for_user(make_user(("township", TOWN_A)))


def operator(world, org=None) -> Actor:
    return Actor.for_user(make_user(("operator", TOWN_A), organisation=org or world.org_a))


def make_worker(world, name: str = "", org=None, certificate=Certificate.SOCIAL_WORKER) -> SocialWorker:
    return SocialWorker.objects.create(
        region=world.regions["town_a"],
        region_code=world.regions["town_a"].code,
        name=name or f"项目社工{next(_serial)}",
        employer=org or world.org_a,
        certificate=certificate,
    )


def make_project(
    world,
    *,
    code: str = "",
    state: str = ProjectState.EXECUTING,
    regions=("village_a1", "village_a2"),
    starts_on=datetime.date(2026, 1, 1),
    ends_on=datetime.date(2026, 12, 31),
    amount="300000.00",
    org=None,
):
    actor = official(world)
    project = services.project_create(
        actor=actor,
        data={
            "code": code or f"YZ-2026-{next(_serial):03d}",
            "name": f"七星岗为老服务项目{next(_serial)}",
            "kind": "basic_elderly",
            "field": "elderly",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "contract_amount": amount,
            "government_funds": amount,
            "charity_funds": "0",
        },
        buyer=world.regions["town_a"],
        operator=org or world.org_a,
        service_regions=[world.regions[r] for r in regions],
    )
    if state != ProjectState.DEMAND:
        type(project)._base.filter(pk=project.pk).update(state=state, approved_on=starts_on)
        project.refresh_from_db()
    return project


def money(value: str) -> Decimal:
    return Decimal(value)


def pdf(name: str = "文件.pdf", extra: bytes = b"") -> Upload:
    return Upload(name=name, data=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + extra + b"%%EOF\n")


def upload_document(world, project, doc_type: str, name: str = ""):
    return services.document_upload(
        actor=operator(world, org=project.operator),
        project=project,
        doc_type=doc_type,
        upload=pdf(name or f"{doc_type}.pdf"),
    )


def spend(world, project, line, amount, *, spent_on=None, description="支出", review=True):
    """Record an expenditure with a voucher; with ``review`` the operator's finance approves it and the buyer
    reviews it, so it counts as spent."""
    expenditure = services.expenditure_record(
        actor=operator(world, org=project.operator),
        project=project,
        line=line,
        amount=amount,
        spent_on=spent_on or project.starts_on,
        description=description,
        voucher=pdf("凭证.pdf"),
    )
    if review:
        day = spent_on or project.starts_on
        services.expenditure_approve(
            actor=operator(world, org=project.operator), expenditure=expenditure, today=day
        )
        expenditure = services.expenditure_review(actor=official(world), expenditure=expenditure, today=day)
    return expenditure
