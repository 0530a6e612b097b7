"""The demo city's integrity problems, as the seeds' supervisors meet them: a worker on two projects, two home visits
ten minutes apart, a visit recorded for a man who then turned out to have died days before, one photo used for two
visits, and the overspent budget line the projects demo already holds. ``finish`` runs every check once the whole
city is loaded and counted, so the integrity page opens with findings."""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from shegong.accounts.actor import Actor
from shegong.core.photos import Photo
from shegong.projects.models import ACTIVE_STATES, ProjectStaff
from shegong.recipients import services as recipient_services
from shegong.recipients.models import RecipientStatus, TimelineEntry
from shegong.visits import services as visit_services

# A tiny JPEG (the signature and an end marker): the bytes a phone would send twice.
REUSED_PHOTO = b"\xff\xd8\xff\xe0" + b"shegong-demo-reused-photo" + b"\xff\xd9"


def _visit(actor, recipient, when, photos=()):
    visit, _created = visit_services.visit_record(
        actor=actor,
        recipient=recipient,
        data={"visited_at": when, "method": "home", "findings": {}, "notes": "例行探访"},
        idempotency_key=uuid.uuid4(),
        photos=[Photo(name="photo.jpg", data=p) for p in photos],
    )
    return visit


def load(ctx) -> None:
    worker = getattr(ctx, "demo_worker", None)
    recipients = [
        r
        for r in getattr(ctx, "demo_recipients", [])
        if worker is not None and r.worker_id == worker.pk and r.status == RecipientStatus.ACTIVE
    ]
    planted = {}
    projects = [p for p in ctx.extra.get("projects", []) if p.state in ACTIVE_STATES]
    busy = {s.worker_id for s in ProjectStaff.objects.filter(end_date__isnull=True)}
    spare = [w for ws in ctx.extra.get("workers_by_station", {}).values() for w in ws if w.pk not in busy]
    if len(projects) >= 2 and spare:
        twice = spare[0]
        start = ctx.today - datetime.timedelta(days=40)
        for project in projects[:2]:
            ProjectStaff.objects.create(
                project=project,
                worker=twice,
                start_date=start,
                filing_status="confirmed",
                filing_submitted_on=start,
                filing_confirmed_on=start,
            )
        planted["two_projects"] = f"worker:{twice.pk}"
    if worker is None or worker.user is None or len(recipients) < 5:
        ctx.extra["integrity_planted"] = planted
        return
    actor = Actor.for_user(worker.user)
    now = timezone.localtime()
    yesterday = now.replace(hour=7, minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)
    first = _visit(actor, recipients[0], yesterday)
    second = _visit(actor, recipients[1], yesterday + datetime.timedelta(minutes=10))
    planted["overlap"] = f"visit:{first.pk}|visit:{second.pk}"
    # The other plants sit in the evening, after the day's regular visits (visits.demo fills mornings and early
    # afternoons), so they plant nothing but their own problem.
    two_days = yesterday - datetime.timedelta(days=1, hours=-11)
    with_photo = [
        _visit(actor, recipients[2], two_days, photos=[REUSED_PHOTO]),
        _visit(actor, recipients[3], two_days - datetime.timedelta(days=2), photos=[REUSED_PHOTO]),
    ]
    planted["reused_photo"] = [v.pk for v in with_photo]
    # Recorded yesterday evening; the family later reports the death as of three days ago.
    late = _visit(actor, recipients[4], yesterday + datetime.timedelta(hours=12))
    recipient_services.recipient_set_status(
        actor=ctx.actor,
        recipient=recipients[4],
        status=RecipientStatus.DECEASED,
        note="家属告知已于三天前去世",
    )
    TimelineEntry.objects.filter(recipient=recipients[4], kind="status").update(
        at=now - datetime.timedelta(days=3)
    )
    planted["after_end"] = f"visits.visit:{late.pk}"
    ctx.extra["integrity_planted"] = planted


def finish(ctx) -> None:
    """Run every check over the loaded city, as the nightly run would."""
    from .services import run_start
    from .tasks import execute

    execute(run_start(actor=ctx.actor, region_code=""))
