"""Reads on the registry: filtered lists (pages, API and exports share them) and the person's timeline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.fields import blind_index_for
from shegong.core.hooks import Hook
from shegong.core.identity import normalise_id_number
from shegong.core.params import as_int
from shegong.core.text import join_list
from shegong.regions.selectors import region_subtree_q

from . import timeline as lines
from .models import Recipient, RecipientStatus

FILTERS = ("q", "status", "risk", "category", "under", "village", "due", "worker", "sort")

# ``sort`` values: name, risk, due (next due date); a leading "-" reverses. The default is risk, then due date.
SORTS = {
    "name": ("name", "pk"),
    "risk": ("risk_tier", "next_due_on", "pk"),
    "due": (F("next_due_on").asc(nulls_last=True), "risk_tier", "pk"),
    "-name": ("-name", "-pk"),
    "-risk": ("-risk_tier", "next_due_on", "pk"),
    "-due": (F("next_due_on").desc(nulls_last=True), "risk_tier", "pk"),
}


def recipients(
    *,
    q: str = "",
    status: str = "",
    risk: str = "",
    category: str = "",
    under: str = "",
    due: str = "",
    worker: str = "",
    village: str = "",
    sort: str = "",
) -> QuerySet[Recipient]:
    queryset = Recipient.objects.select_related("region", "worker", "station")
    q = (q or "").strip()
    if q:
        digits = normalise_id_number(q)
        if len(digits) in (15, 18) and digits[:17].isdigit():
            queryset = queryset.filter(id_number_index=blind_index_for(Recipient, "id_number_index", digits))
        else:
            queryset = queryset.filter(
                Q(name__contains=q) | Q(address__contains=q) | Q(region__name__contains=q)
            )
    if status:
        queryset = queryset.filter(status=status)
    if (tier := as_int(risk, max_value=100)) is not None:
        queryset = queryset.filter(risk_tier=tier)
    if category:
        today = timezone.localdate()
        queryset = queryset.filter(
            Q(memberships__end_on__isnull=True) | Q(memberships__end_on__gte=today),
            memberships__category__code=category,
            memberships__start_on__lte=today,
        ).distinct()
    if under and under.isdigit() and len(under) == 12:
        queryset = queryset.filter(region_subtree_q(under))
    if village and village.isdigit() and len(village) == 12:
        queryset = queryset.filter(region_code=village)
    if due == "overdue":
        queryset = queryset.filter(status=RecipientStatus.ACTIVE, next_due_on__lt=timezone.localdate())
    elif due == "week":
        today = timezone.localdate()
        queryset = queryset.filter(
            status=RecipientStatus.ACTIVE,
            next_due_on__lte=today + datetime.timedelta(days=6 - today.weekday()),
        )
    if (worker_id := as_int(worker)) is not None:
        queryset = queryset.filter(worker_id=worker_id)
    return queryset.order_by(*SORTS.get(sort, SORTS["risk"]))


@dataclass
class Event:
    at: datetime.datetime
    kind: str
    summary: str
    actor_name: str
    visit: object | None = None
    url: str = ""  # where a contributed event links to (a case's page)


def visit_summary(method: str, issues: list[str]) -> str:
    """One line for a visit on the timeline, built when shown so it follows the reader's language."""
    if issues:
        return _("%(method)s探访，发现问题：%(issues)s") % {"method": method, "issues": join_list(issues)}
    return _("%(method)s探访，情况正常") % {"method": method}


# Records other apps keep about a recipient (its visits, cases …) join the timeline through this hook: each
# contributor is called as ``contributor(recipient, limit)`` and returns a list of ``Event``.
TIMELINE_SOURCES = Hook("recipient timeline")
# Buttons a higher app puts at the head of a recipient's page (open a case): ``f(request, recipient)`` returns a list of
# ``(label, url)`` links; keep it free of queries (the page has a pinned budget). recipients never imports it.
RECIPIENT_ACTIONS = Hook("recipient page actions")


def timeline(recipient: Recipient, limit: int = 300) -> list[Event]:
    """Registry changes and what other apps recorded about the recipient (visits …), newest first."""
    events = [
        Event(e.at, e.kind, lines.render_or(e.message, e.params, e.summary), e.actor_name)
        for e in recipient.timeline.all()[:limit]
    ]
    for contributed in TIMELINE_SOURCES.results(recipient, limit):
        events.extend(contributed)
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]


def unvisited(*, under: str, month: datetime.date) -> QuerySet[Recipient]:
    """The recipients behind a month's unmet figure: due in ``month`` (a ``VisitObligation``) in the villages
    under ``under`` and not visited as required. Read-only: the care engine alone writes obligations."""
    from .care.models import VisitObligation

    owed = VisitObligation.objects.filter(month=month, visited=False).filter(region_subtree_q(under))
    return (
        Recipient.objects.filter(pk__in=owed.values("recipient_id"))
        .select_related("region", "worker")
        .order_by("region_code", "risk_tier", "name", "pk")
    )


def region_figures(parent_level: int, codes: list[str]) -> list:
    """The regions page's recipient column: recipients on the roll per region
    (``regions.selectors.FIGURES_BY_REGION``)."""
    from django.db.models import Count

    from shegong.regions.selectors import RegionFigure, counts_by_region

    counts = counts_by_region(
        Recipient.objects.filter(status=RecipientStatus.ACTIVE), parent_level, codes, n=Count("id")
    )
    return [
        RegionFigure(
            _("在册服务对象"),
            {c: counts[c].get("n", 0) for c in codes},
            url_name="recipients:list",
            query="status=active",
            permission="recipients.view",
            order=50,
        )
    ]
