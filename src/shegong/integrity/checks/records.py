"""Checks on the people served: services dated after the person died or the file was closed, a high-risk person
left unvisited past the visit rule, and a request still open after it was escalated."""

from __future__ import annotations

import datetime

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.cases.models import InterventionNote
from shegong.charity.models import Disbursement, DisbursementStatus
from shegong.demands.models import OPEN as OPEN_REQUESTS
from shegong.demands.models import DemandRequest
from shegong.recipients.models import Recipient, RecipientStatus, RiskTier, TimelineEntry
from shegong.visits.models import Visit

from .base import Check, Evidence, Hit, ev, local_date, under_q

ENDED = (RecipientStatus.DECEASED, RecipientStatus.CLOSED)


def ended_at(under: str) -> dict[int, tuple[datetime.datetime, str, int | None, str]]:
    """Recipient id → (when the file was marked deceased or closed, the status, its station, its region): the time
    of the latest status change on the person's timeline."""
    people = {
        r["pk"]: r
        for r in Recipient.objects.filter(under_q(under), status__in=ENDED).values(
            "pk", "status", "station_id", "region_code"
        )
    }
    if not people:
        return {}
    changes = (
        TimelineEntry.objects.filter(recipient_id__in=list(people), kind="status")
        .values("recipient_id")
        .annotate(at=Max("at"))
    )
    return {
        c["recipient_id"]: (
            c["at"],
            people[c["recipient_id"]]["status"],
            people[c["recipient_id"]]["station_id"],
            people[c["recipient_id"]]["region_code"],
        )
        for c in changes
    }


class AfterEnd(Check):
    code = "records.after_end"
    title = _("服务对象死亡或结案后仍有服务记录")
    description = _("探访、个案介入记录或慈善拨付的日期晚于服务对象登记死亡或结案的时间（可设宽限天数）。")
    defaults = {"grace_days": 0}

    def run(self, under="", since=None, *, params):
        ends = ended_at(under)
        if not ends:
            return
        ids = list(ends)
        visits = Visit.objects.filter(recipient_id__in=ids)
        notes = InterventionNote.objects.filter(recipient_id__in=ids)
        payments = Disbursement.objects.filter(
            recipient_id__in=ids, status__in=[DisbursementStatus.APPROVED, DisbursementStatus.PAID]
        )
        if since is not None:
            visits = visits.filter(created_at__gte=since)
            notes = notes.filter(created_at__gte=since)
            payments = payments.filter(Q(requested_at__gte=since) | Q(decided_at__gte=since))
        records = []
        for visit in visits.only("pk", "recipient_id", "visited_at"):
            records.append((visit, local_date(visit.visited_at), _("探访")))
        for note in notes.only("pk", "recipient_id", "noted_on"):
            records.append((note, note.noted_on, _("个案介入记录")))
        for payment in payments.only("pk", "recipient_id", "paid_on", "requested_at"):
            records.append((payment, payment.paid_on or local_date(payment.requested_at), _("慈善拨付")))
        for obj, day, kind in records:
            at, status, station_id, region_code = ends[obj.recipient_id]
            end_day = local_date(at) + datetime.timedelta(days=params(region_code)["grace_days"])
            if day <= end_day:
                continue
            label = RecipientStatus(status).label
            yield Hit(
                subject=f"{obj._meta.label_lower}:{obj.pk}",
                region_code=region_code,
                summary=str(_("%(kind)s日期 %(d)s 晚于服务对象%(status)s登记日期 %(e)s"))
                % {"kind": kind, "d": day, "status": label, "e": local_date(at)},
                evidence=[ev(obj, f"{kind} {day}"), ev_recipient(obj.recipient_id, label, local_date(at))],
                occurred_on=day,
                node_id=station_id,
            )


def ev_recipient(recipient_id: int, label, day):
    return Evidence("recipients.recipient", recipient_id, f"{label} {day}")


class HighRiskUnvisited(Check):
    code = "records.high_risk_unvisited"
    title = _("高风险对象超期未访")
    description = _("在册的高风险服务对象已过应访日期仍未探访，超过宽限天数。")
    defaults = {"grace_days": 3}
    incremental = False

    def run(self, under="", since=None, *, params):
        today = timezone.localdate()
        people = Recipient.objects.filter(
            under_q(under),
            status=RecipientStatus.ACTIVE,
            risk_tier=RiskTier.HIGH,
            next_due_on__lt=today,
        ).values("pk", "next_due_on", "region_code", "station_id", "last_visit_at")
        for person in people.iterator(chunk_size=5000):
            late = (today - person["next_due_on"]).days
            if late <= params(person["region_code"])["grace_days"]:
                continue
            yield Hit(
                subject=f"recipient:{person['pk']}",
                region_code=person["region_code"],
                summary=str(_("高风险对象应于 %(d)s 前探访，已超期 %(n)d 天"))
                % {"d": person["next_due_on"], "n": late},
                evidence=[ev_recipient(person["pk"], RiskTier.HIGH.label, person["next_due_on"])],
                occurred_on=person["next_due_on"],
                node_id=person["station_id"],
            )


class RequestOverdueEscalated(Check):
    code = "records.request_escalated"
    title = _("督办后诉求仍逾期未办结")
    description = _("诉求已超过办结时限并已上报督办（达到设定的督办级别），仍未办结。")
    defaults = {"min_escalation": 2, "grace_hours": 0}
    incremental = False

    def run(self, under="", since=None, *, params):
        now = timezone.now()
        rows = DemandRequest.objects.filter(
            under_q(under), status__in=OPEN_REQUESTS, escalation__gte=1, resolve_due_at__lt=now
        ).values("pk", "tracking_code", "resolve_due_at", "escalation", "region_code", "station_id")
        for row in rows.iterator(chunk_size=5000):
            settings = params(row["region_code"])
            if row["escalation"] < settings["min_escalation"]:
                continue
            if row["resolve_due_at"] + datetime.timedelta(hours=settings["grace_hours"]) >= now:
                continue
            due = local_date(row["resolve_due_at"])
            yield Hit(
                subject=f"request:{row['pk']}",
                region_code=row["region_code"],
                summary=str(_("诉求 %(code)s 应于 %(d)s 办结，已督办仍未办结"))
                % {"code": row["tracking_code"], "d": due},
                evidence=[_request_ev(row, due)],
                occurred_on=due,
                node_id=row["station_id"],
            )


def _request_ev(row, due):
    return Evidence("demands.demandrequest", row["pk"], f"{row['tracking_code']} {due}")


CHECKS = [AfterEnd(), HighRiskUnvisited(), RequestOverdueEscalated()]
