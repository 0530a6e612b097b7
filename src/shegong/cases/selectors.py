"""Reads on casework: the case list and its filters, due steps for the worklists, the approval queue, the transfer
inbox, the recipient's timeline, and the recounts of the counted figures."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import standing
from shegong.core.params import as_int
from shegong.recipients.selectors import Event
from shegong.regions.selectors import policies_for, region_subtree_q

from . import access
from .models import (
    OPEN_STAGES,
    Approval,
    Assessment,
    Case,
    GoalEvaluation,
    IntakeSource,
    InterventionMethod,
    InterventionNote,
    Referral,
    Stage,
    Transfer,
)
from .rules import DueStep, overdue_q, overdue_steps

FILTERS = ("q", "stage", "worker", "overdue", "under", "opened", "closed")


def _month_range(raw: str) -> tuple[datetime.date, datetime.date] | None:
    """``YYYY-MM`` → (first day, first day of the next month); None for anything else."""
    try:
        first = datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return None
    return first, (first + datetime.timedelta(days=32)).replace(day=1)


def cases(
    *,
    q: str = "",
    stage: str = "",
    worker: str = "",
    overdue: str = "",
    under: str = "",
    opened: str = "",
    closed: str = "",
    today=None,
) -> QuerySet[Case]:
    today = today or timezone.localdate()
    queryset = Case.objects.select_related("recipient", "worker", "station")
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(
            Q(number__contains=q) | Q(recipient__name__contains=q) | Q(resident_name__contains=q)
        )
    if stage == "open":
        queryset = queryset.filter(stage__in=OPEN_STAGES)
    elif stage in Stage.values:
        queryset = queryset.filter(stage=stage)
    if (worker_id := as_int(worker)) is not None:
        queryset = queryset.filter(worker_id=worker_id)
    opened_in = _month_range(opened or "")
    if under and under.isdigit() and len(under) == 12:
        # Cases opened in a month count where they were opened (the "cases.opened" tally), wherever they have
        # been transferred since; every other view of the list is by where a case is now.
        field = "opened_region_code" if opened_in else "region_code"
        queryset = queryset.filter(region_subtree_q(under, field))
    if opened_in:
        queryset = queryset.filter(opened_on__gte=opened_in[0], opened_on__lt=opened_in[1])
    closed_in = _month_range(closed or "")
    if closed_in:
        queryset = queryset.filter(stage=Stage.CLOSED, ended_on__gte=closed_in[0], ended_on__lt=closed_in[1])
    if overdue:
        queryset = queryset.filter(overdue_q(today))
    return queryset.order_by("-opened_on", "-pk")


@dataclass
class Caseload:
    """Open cases under a region: per lead worker (open, overdue, awaiting approval) and per stage, in stage order."""

    workers: list[dict]
    stages: list[dict]

    @property
    def open_total(self) -> int:
        return sum(s["n"] for s in self.stages)


def caseload(under: str, *, today: datetime.date | None = None) -> Caseload:
    """The station page's caseload: one grouped query (worker × stage) over the open cases the actor sees."""
    today = today or timezone.localdate()
    rows = (
        Case.objects.filter(region_subtree_q(under), stage__in=OPEN_STAGES)
        .values("worker_id", "worker__name", "stage")
        .annotate(
            n=Count("pk", distinct=True),
            overdue=Count("pk", filter=overdue_q(today), distinct=True),
            awaiting=Count("pk", filter=Q(approvals__decision=Approval.Decision.PENDING), distinct=True),
        )
        .order_by()
    )
    workers: dict[int, dict] = {}
    by_stage: dict[str, int] = defaultdict(int)
    for row in rows:
        entry = workers.setdefault(
            row["worker_id"],
            {
                "worker_id": row["worker_id"],
                "worker__name": row["worker__name"],
                "open": 0,
                "overdue": 0,
                "awaiting": 0,
            },
        )
        entry["open"] += row["n"]
        entry["overdue"] += row["overdue"]
        entry["awaiting"] += row["awaiting"]
        by_stage[row["stage"]] += row["n"]
    stages = [{"stage": s.value, "label": s.label, "n": by_stage.get(s.value, 0)} for s in OPEN_STAGES]
    ordered = sorted(workers.values(), key=lambda w: (-w["open"], w["worker__name"]))
    return Caseload(workers=ordered, stages=stages)


@dataclass
class CaseDue:
    """An open case with steps past due, as the worklists show it."""

    case: Case
    steps: list[DueStep]
    today: datetime.date

    @property
    def days_late(self) -> int:
        return max(s.days_late(self.today) for s in self.steps)

    @property
    def labels(self) -> str:
        return "、".join(s.label for s in self.steps)


def with_due_steps(rows, today: datetime.date) -> list[CaseDue]:
    """The overdue steps of each case, each region by its own local policy (one policy read per page)."""
    rows = list(rows)
    policies = policies_for(sorted({c.region_code for c in rows}))
    return [CaseDue(c, overdue_steps(c, policies[c.region_code], today), today) for c in rows]


def overdue_cases(
    *, worker_id=None, station_id=None, under: str = "", today=None, limit: int = 200
) -> list[CaseDue]:
    today = today or timezone.localdate()
    queryset = Case.objects.filter(overdue_q(today)).select_related("recipient", "worker")
    if worker_id is not None:
        queryset = queryset.filter(worker_id=worker_id)
    if station_id is not None:
        queryset = queryset.filter(station_id=station_id)
    if under and under.isdigit() and len(under) == 12:
        queryset = queryset.filter(region_subtree_q(under))
    due = [d for d in with_due_steps(queryset.order_by("opened_on", "pk")[:limit], today) if d.steps]
    due.sort(key=lambda d: (-d.days_late, d.case.pk))
    return due


def worklist_items(*, worker_id=None, station_id=None, under: str = "", today=None) -> list:
    """The visits worklist hook (``visits.selectors.WORKLIST_EXTRAS``): overdue case steps beside due visits."""
    from shegong.visits.selectors import ExtraItem

    if worker_id is None and station_id is None and not under:
        under = ""
    return [
        ExtraItem(
            kind="case",
            title=f"{d.case.number} {d.case.person_name}",
            detail=d.labels,
            url=reverse("cases:detail", args=[d.case.pk]),
            days_late=d.days_late,
            worker_name=d.case.worker.name if d.case.worker_id else "",
        )
        for d in overdue_cases(worker_id=worker_id, station_id=station_id, under=under, today=today)
    ]


def approval_queue(actor) -> list[Approval]:
    """Pending approvals the actor decides (a supervisor of the case's worker or station, or its head where it has
    none)."""
    pending = Approval.objects.filter(decision=Approval.Decision.PENDING).select_related(
        "case", "case__recipient", "case__worker", "case__station"
    )
    return [a for a in pending.order_by("created_at", "pk") if access.is_approver(actor, a.case)]


def transfer_inbox(actor) -> list[Transfer]:
    uid = access.user_id_of(actor)
    if uid is None:
        return []
    return list(
        Transfer.objects.filter(to_worker__user_id=uid, status=Transfer.Status.PENDING)
        .select_related("from_worker", "from_station", "to_station")
        .order_by("created_at")
    )


def transfers_sent(actor) -> list[Transfer]:
    worker = access.worker_of(actor)
    if worker is None:
        return []
    return list(
        Transfer.objects.filter(from_worker=worker)
        .select_related("to_worker", "to_station")
        .order_by("-created_at")[:50]
    )


# The recipient's timeline -------------------------------------------------------------------------------------------


def _at(day: datetime.date, created: datetime.datetime | None) -> datetime.datetime:
    """A dated step placed on its day, at the time of day it was written (keeps a day's steps in order)."""
    local = timezone.localtime(created) if created else None
    moment = (
        local.timetz()
        if local and local.date() == day
        else datetime.time(12, 0, tzinfo=local.tzinfo if local else None)
    )
    if moment.tzinfo is None:
        return timezone.make_aware(datetime.datetime.combine(day, moment))
    return datetime.datetime.combine(day, moment)


def timeline_events(recipient, limit: int) -> list[Event]:
    """Every step of the recipient's cases (registered on ``recipients.selectors.TIMELINE_SOURCES``). The lines say
    what happened, never what the case notes say."""
    found = list(Case.objects.filter(recipient=recipient).select_related("worker")[:50])
    if not found:
        return []
    by_id = {c.pk: c for c in found}
    events: list[Event] = []

    def add(at, kind, summary, actor_name, case):
        events.append(Event(at, kind, summary, actor_name, url=reverse("cases:detail", args=[case.pk])))

    for c in found:
        who = c.worker.name if c.worker_id else ""
        add(
            _at(c.opened_on, c.created_at),
            "case",
            _("个案 %(n)s 接案（%(s)s）") % {"n": c.number, "s": IntakeSource(c.source).label},
            who,
            c,
        )
        if c.stage == Stage.DECLINED:
            add(
                _at(c.ended_on, c.updated_at),
                "case",
                _("个案 %(n)s 不予接案，建议转往：%(p)s") % {"n": c.number, "p": c.pointed_to},
                who,
                c,
            )
        if c.stage == Stage.CLOSED:
            add(_at(c.ended_on, c.updated_at), "case", _("个案 %(n)s 结案") % {"n": c.number}, who, c)
    ids = list(by_id)
    for a in Assessment.objects.filter(case_id__in=ids).only("case_id", "assessed_on", "created_at"):
        c = by_id[a.case_id]
        add(_at(a.assessed_on, a.created_at), "case", _("个案 %(n)s 完成预估") % {"n": c.number}, "", c)
    for a in Approval.objects.filter(case_id__in=ids).select_related("decided_by", "created_by"):
        c, kind = by_id[a.case_id], Approval.Kind(a.kind).label
        requester = a.created_by.label if a.created_by else ""
        add(a.created_at, "case", _("个案 %(n)s 提交审批：%(k)s") % {"n": c.number, "k": kind}, requester, c)
        if a.decided_at:
            decider = a.decided_by.label if a.decided_by else ""
            if a.decision == Approval.Decision.APPROVED:
                line = _("个案 %(n)s 审批通过：%(k)s")
            else:
                line = _("个案 %(n)s 审批退回：%(k)s")
            add(a.decided_at, "case", line % {"n": c.number, "k": kind}, decider, c)
    notes = InterventionNote.objects.filter(case_id__in=ids).only(
        "case_id", "noted_on", "method", "created_at"
    )
    for n in notes.order_by("-noted_on")[:limit]:
        c = by_id[n.case_id]
        add(
            _at(n.noted_on, n.created_at),
            "case",
            _("个案 %(n)s 介入服务（%(m)s）") % {"n": c.number, "m": InterventionMethod(n.method).label},
            "",
            c,
        )
    evaluated = defaultdict(list)
    for e in GoalEvaluation.objects.filter(case_id__in=ids).only("case_id", "evaluated_on", "created_at"):
        evaluated[(e.case_id, e.evaluated_on)].append(e)
    for (case_id, day), rows in evaluated.items():
        c = by_id[case_id]
        add(
            _at(day, rows[0].created_at),
            "case",
            _("个案 %(n)s 评估了 %(k)d 个目标") % {"n": c.number, "k": len(rows)},
            "",
            c,
        )
    for t in Transfer.objects.filter(case_id__in=ids).select_related("from_worker", "to_worker"):
        c = by_id[t.case_id]
        add(
            t.created_at,
            "case",
            _("个案 %(n)s 转移给 %(w)s（待接收）") % {"n": c.number, "w": t.to_worker.name},
            t.from_worker.name,
            c,
        )
        if t.decided_at:
            line = (
                _("%(w)s 接收了个案 %(n)s")
                if t.status == Transfer.Status.ACCEPTED
                else _("%(w)s 拒绝接收个案 %(n)s")
            )
            add(t.decided_at, "case", line % {"n": c.number, "w": t.to_worker.name}, t.to_worker.name, c)
    for r in Referral.objects.filter(case_id__in=ids).select_related("organisation"):
        c = by_id[r.case_id]
        add(
            _at(r.referred_on, r.created_at),
            "case",
            _("个案 %(n)s 转介至 %(o)s：%(s)s") % {"n": c.number, "o": r.receiver_name, "s": r.service_asked},
            "",
            c,
        )
        if r.outcome:
            add(
                _at(r.outcome_on, r.created_at),
                "case",
                _("个案 %(n)s 转介结果：%(o)s") % {"n": c.number, "o": Referral.Outcome(r.outcome).label},
                "",
                c,
            )
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]


# Counted figures (core.tallies) -------------------------------------------------------------------------------------


def _per_month(queryset, region_field: str, date_field: str) -> dict:
    rows = (
        queryset.annotate(m=TruncMonth(date_field))
        .values(region_field, "m")
        .order_by()
        .annotate(n=Count("pk"))
    )
    out = {}
    for row in rows:
        month = row["m"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        out[(row[region_field], month.replace(day=1))] = row["n"]
    return out


def stage_metric(stage: str) -> str:
    """The standing count (``core.standing``) of the open cases now in ``stage``."""
    return f"cases.stage.{stage}"


def _stage_positions(values: dict) -> dict:
    if values["stage"] not in OPEN_STAGES:
        return {}
    return {stage_metric(values["stage"]): (values["region_code"], None)}


# Where a case is counted: in its stage's standing count while open, in the region it belongs to now.
STAGE_COUNTED = standing.Counted(("stage", "region_code"), _stage_positions)


def recount_stage(stage: str):
    def recount() -> dict:
        rows = Case.objects.filter(stage=stage).values("region_code").annotate(n=Count("pk")).order_by()
        return {(row["region_code"], None): row["n"] for row in rows}

    return recount


def open_by_stage(code: str) -> dict[str, int]:
    """Open cases under region ``code`` per stage, read from the standing counts (never the cases)."""
    counts = standing.counts([code], [stage_metric(s) for s in OPEN_STAGES], now=timezone.now())
    return {s.value: counts[stage_metric(s)].counted for s in OPEN_STAGES}


def recount_opened() -> dict:
    return _per_month(Case.objects.all(), "opened_region_code", "opened_on")


def decided_approvals(*, since: datetime.date | None = None) -> QuerySet[Approval]:
    """Plan and closing approvals that were decided (approved or returned), the rows the actor sees: what the
    supervision pages count as a supervisor's case reviews (``decided_by``, ``decided_at``)."""
    queryset = Approval.objects.exclude(decision=Approval.Decision.PENDING).filter(decided_at__isnull=False)
    if since is not None:
        queryset = queryset.filter(decided_at__date__gte=since)
    return queryset


def recount_decisions() -> dict:
    return _per_month(decided_approvals(), "region_code", "decided_at")


def recount_closed() -> dict:
    return _per_month(Case.objects.filter(stage=Stage.CLOSED), "region_code", "ended_on")


def served_members():
    """(region, day, member) of every intervention note for a registered person (``served.people``)."""
    rows = InterventionNote.objects.filter(recipient__isnull=False).values_list(
        "served_region_code", "noted_on", "recipient_id"
    )
    for code, day, recipient_id in rows.iterator(chunk_size=5000):
        yield code, day, f"recipient:{recipient_id}"


def recipient_actions(request, recipient) -> list[tuple[str, str]]:
    """The recipient page's "开个案" button (``recipients.selectors.RECIPIENT_ACTIONS``); no query."""
    if not recipient.is_open or not request.actor.can("cases.change", recipient.region_code):
        return []
    return [(_("开个案"), f"{reverse('cases:new')}?recipient={recipient.pk}")]
