"""The monthly three-affairs release (三务公开, SPEC §6): what it holds, when it is due, and the schedule.

On the 15th of every month each running project publishes a frozen release about the month before: execution
(targets against actuals to date, activities held in the month), finances (budget against spent per line, payments
received, claw-backs) and affairs (stage, staff in post, joined, left, filed). It holds **no personal data**: staff
appear as counts, and a claw-back's reason is published with the names of the project's workers blanked.

The JSON form follows the Open Contracting Data Standard's ``implementation`` section (milestones, transactions)
plus a ``metrics`` list modelled on its metrics extension (observations of each target).
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from shegong.accounts.roles import Role
from shegong.accounts.selectors import role_holders
from shegong.core import schedules
from shegong.core.tasks import scoped_task
from shegong.notifications.models import Kind
from shegong.notifications.services import Notice, notify
from shegong.regions.selectors import policy_for

from . import selectors
from .models import ACTIVE_STATES, BudgetCategory, ExpenditureStatus, Indicator, Project, Release, StaffRole
from .services.staff import breach_labels

logger = logging.getLogger(__name__)

PUBLISH_DAY = 15
SCHEDULE_NAME = "projects.disclosure"
PERSON_PLACEHOLDER = "某社工"


def reported_month(today: datetime.date) -> datetime.date | None:
    """The month a release published on ``today`` reports: the month before, once the 15th has come."""
    if today.day < PUBLISH_DAY:
        return None
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def next_due(today: datetime.date) -> datetime.date:
    if today.day < PUBLISH_DAY:
        return today.replace(day=PUBLISH_DAY)
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=PUBLISH_DAY)


def month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def release_content(project: Project, month: datetime.date, *, today: datetime.date) -> dict:
    """The release's frozen content (JSON-safe, no personal data)."""
    last = month_end(month)
    as_of = min(last, today)
    policy = policy_for(project.region_code)
    names = sorted({s.worker.name for s in project.staff.select_related("worker")}, key=len, reverse=True)

    def blank(text: str) -> str:
        for name in names:
            if name:
                text = text.replace(name, PERSON_PLACEHOLDER)
        return text

    targets = []
    for item in selectors.progress(project, today=as_of):
        t = item.target
        targets.append(
            {
                "indicator": t.indicator,
                "label": str(Indicator(t.indicator).label),
                "target": str(t.quantity),
                "period": [t.period_start.isoformat(), t.period_end.isoformat()],
                "counted": item.counted,
                "actual": str(item.actual),
                "expected": str(item.expected),
                "behind": item.behind,
            }
        )
    codes = selectors.service_codes(project)
    # The month's activities held under the project (its linked records), like every actual above.
    activities = selectors.actual_of(project, Indicator.ACTIVITIES, month, as_of)
    # Spent: approved by the operator's finance and reviewed by the buyer by the release date; pending: recorded
    # by then and still waiting (or reviewed only after it).
    recorded = project.expenditures.filter(spent_on__lte=as_of).exclude(status=ExpenditureStatus.REJECTED)
    counted = Q(status=ExpenditureStatus.REVIEWED, reviewed_on__lte=as_of)
    spent_by_line = dict(
        recorded.filter(counted)
        .values("line_id")
        .annotate(s=Sum("amount"))
        .values_list("line_id", "s")
        .order_by()
    )
    pending_by_line = dict(
        recorded.exclude(counted)
        .values("line_id")
        .annotate(s=Sum("amount"))
        .values_list("line_id", "s")
        .order_by()
    )
    over_lines = set(recorded.filter(over_budget=True).values_list("line_id", flat=True))
    lines = [
        {
            "category": line.category,
            "label": str(BudgetCategory(line.category).label),
            "budget": _money(line.amount),
            "spent": _money(spent_by_line.get(line.pk)),
            "pending": _money(pending_by_line.get(line.pk)),
            "over_budget": line.pk in over_lines,
            "refused_overspend": line.refused_attempts,
        }
        for line in project.budget_lines.all()
    ]
    payments = [
        {"milestone": p.milestone, "amount": _money(p.amount), "date": p.paid_on.isoformat()}
        for p in project.payments.filter(paid_on__lte=as_of)
    ]
    clawbacks = [
        {
            "amount": _money(c.amount),
            "reason": blank(c.reason),
            "date": c.decided_on.isoformat(),
            # The leaving rules the post it concerns broke (codes), never who held it.
            "breaches": list(c.staff.breaches) if c.staff_id else [],
        }
        for c in project.clawbacks.filter(decided_on__lte=as_of).select_related("staff")
    ]
    staff = project.staff.all()
    in_post = staff.filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of), start_date__lte=as_of)
    in_month = {"gte": month, "lte": last}
    transitions = list(project.transitions.filter(on__lte=as_of).exclude(from_state=F("to_state")))
    return {
        "project": {
            "code": project.code,
            "name": project.name,
            "buyer": project.buyer_name,
            "operator": project.operator.name,
            "kind": project.kind,
            "field": project.field,
            "period": [project.starts_on.isoformat(), project.ends_on.isoformat()],
            "contract_amount": _money(project.contract_amount),
            "government_funds": _money(project.government_funds),
            "charity_funds": _money(project.charity_funds),
            "regions": codes,
        },
        "month": f"{month:%Y-%m}",
        "as_of": as_of.isoformat(),
        "execution": {"targets": targets, "activities_held": str(activities)},
        "finances": {
            "lines": lines,
            "budget": _money(sum(Decimal(line["budget"]) for line in lines)),
            "spent": _money(sum(Decimal(line["spent"]) for line in lines)),
            "payments": payments,
            "paid": _money(sum(Decimal(p["amount"]) for p in payments)),
            "clawbacks": clawbacks,
            "clawed_back": _money(sum(Decimal(c["amount"]) for c in clawbacks)),
        },
        "affairs": {
            "state": project.state,
            "stages": [{"state": t.to_state, "date": t.on.isoformat()} for t in transitions],
            "staff_in_post": in_post.count(),
            "staff_filed": in_post.exclude(filing_status="unfiled").count(),
            "joined_in_month": staff.filter(start_date__gte=month, start_date__lte=last).count(),
            "left_in_month": staff.filter(end_date__gte=month, end_date__lte=last).count(),
            # Staff changes, filings, notices and breaches of the month: roles, dates and counts only.
            "changes": _staff_changes(staff, month, last),
            "filings": {
                "submitted_in_month": staff.filter(
                    **{f"filing_submitted_on__{k}": v for k, v in in_month.items()}
                ).count(),
                "confirmed_in_month": staff.filter(
                    **{f"filing_confirmed_on__{k}": v for k, v in in_month.items()}
                ).count(),
                "unfiled_in_post": in_post.filter(filing_status="unfiled").count(),
            },
            "notices_in_month": staff.filter(**{f"notice_date__{k}": v for k, v in in_month.items()}).count(),
            "breaches": [
                {
                    "role": post.role,
                    "role_label": str(StaffRole(post.role).label),
                    "date": post.end_date.isoformat(),
                    "rules": list(post.breaches),
                    "rule_labels": breach_labels(post.breaches, policy),
                }
                for post in staff.filter(end_date__gte=month, end_date__lte=last).order_by("end_date", "pk")
                if post.breaches
            ],
        },
    }


def _staff_changes(staff, month: datetime.date, last: datetime.date) -> list[dict]:
    """Who joined and who left in the month, as role and date only (no person is named)."""
    rows = []
    for post in staff.filter(start_date__gte=month, start_date__lte=last):
        rows.append({"change": "joined", "role": post.role, "date": post.start_date.isoformat()})
    for post in staff.filter(end_date__gte=month, end_date__lte=last):
        rows.append({"change": "left", "role": post.role, "date": post.end_date.isoformat()})
    for row in rows:
        row["role_label"] = str(StaffRole(row["role"]).label)
    return sorted(rows, key=lambda r: (r["date"], r["change"], r["role"]))


def ocds(release: Release) -> dict:
    """The release as an OCDS-style record: ``contracts[0].implementation`` with milestones, transactions, metrics."""
    c = release.content
    project = c["project"]
    ocid = f"ocds-shegong-{project['code']}"
    milestones = [
        {
            "id": f"{ocid}-m{i}",
            "title": step["state"],
            "type": "delivery",
            "status": "met",
            "dateMet": step["date"],
        }
        for i, step in enumerate(c["affairs"]["stages"], start=1)
    ]
    transactions = [
        {
            "id": f"{ocid}-t{i}",
            "source": project["buyer"],
            "date": p["date"],
            "value": {"amount": p["amount"], "currency": "CNY"},
            "payer": {"name": project["buyer"]},
            "payee": {"name": project["operator"]},
            "title": p["milestone"],
        }
        for i, p in enumerate(c["finances"]["payments"], start=1)
    ] + [
        {
            "id": f"{ocid}-r{i}",
            "source": project["buyer"],
            "date": cb["date"],
            "value": {"amount": f"-{cb['amount']}", "currency": "CNY"},
            "payer": {"name": project["operator"]},
            "payee": {"name": project["buyer"]},
            "title": "clawback: " + cb["reason"],
        }
        for i, cb in enumerate(c["finances"]["clawbacks"], start=1)
    ]
    metrics = [
        {
            "id": t["indicator"],
            "title": t["label"],
            "observations": [
                {
                    "id": f"{t['indicator']}-target",
                    "measure": "target",
                    "value": {"amount": t["target"]},
                    "period": {"startDate": t["period"][0], "endDate": t["period"][1]},
                },
                {
                    "id": f"{t['indicator']}-actual",
                    "measure": "actual",
                    "value": {"amount": t["actual"]},
                    "period": {"startDate": t["period"][0], "endDate": c["as_of"]},
                },
            ],
        }
        for t in c["execution"]["targets"]
    ]
    budget = [
        {
            "id": line["category"],
            "description": line["label"],
            "amount": {"amount": line["budget"], "currency": "CNY"},
            "spent": {"amount": line["spent"], "currency": "CNY"},
            "pending": {"amount": line.get("pending", "0.00"), "currency": "CNY"},
            "overBudget": line.get("over_budget", False),
        }
        for line in c["finances"]["lines"]
    ]
    return {
        "ocid": ocid,
        "id": f"{ocid}-{c['month']}-v{release.version}",
        "date": release.published_at.isoformat(),
        "tag": ["implementation"] if release.version == 1 else ["implementationUpdate"],
        "language": "zh",
        "corrects": release.corrects_id and f"{ocid}-{c['month']}-v{release.version - 1}",
        "correctionNote": release.correction_note,
        "affairs": {
            "staffInPost": c["affairs"]["staff_in_post"],
            "staffFiled": c["affairs"]["staff_filed"],
            "staffChanges": c["affairs"].get("changes", []),
            "filings": c["affairs"].get("filings", {}),
            "noticesInMonth": c["affairs"].get("notices_in_month", 0),
            "breaches": c["affairs"].get("breaches", []),
        },
        "contracts": [
            {
                "id": project["code"],
                "title": project["name"],
                "period": {"startDate": project["period"][0], "endDate": project["period"][1]},
                "value": {"amount": project["contract_amount"], "currency": "CNY"},
                "implementation": {
                    "milestones": milestones,
                    "transactions": transactions,
                    "metrics": metrics,
                },
                "budgetBreakdown": budget,
            }
        ],
    }


# The schedule ---------------------------------------------------------------------------------------------------


def projects_due(today: datetime.date):
    """Running projects whose release for the reported month is not out yet (none before the 15th)."""
    month = reported_month(today)
    if month is None:
        return Project.objects.none()
    return (
        Project.objects.filter(state__in=ACTIVE_STATES, starts_on__lte=month_end(month))
        .exclude(releases__month=month)
        .order_by("pk")
    )


def publish_due(today: datetime.date | None = None, now=None) -> list[Release]:
    from .services import release_publish

    today = today or timezone.localdate()
    month = reported_month(today)
    published = []
    for project in projects_due(today):
        release = release_publish(project=project, month=month, now=now)
        if release is not None:
            published.append(release)
    return published


def warn_due(today: datetime.date) -> int:
    """Three days before the 15th, tell each running project's operator and buyer that its release is due."""
    due = next_due(today)
    if (due - today).days != 3:
        return 0
    sent = 0
    for project in Project.objects.filter(state__in=ACTIVE_STATES).select_related("operator"):
        users = role_holders(
            [Role.OPERATOR], project.region_code, organisation_id=project.operator_id
        ) + role_holders([Role.OFFICIAL, Role.TOWNSHIP], project.region_code)
        sent += len(
            notify(
                users=users,
                notice=Notice(
                    kind=Kind.DISCLOSURE_DUE,
                    title=gettext_noop("三务公开即将发布"),
                    body=gettext_noop(
                        "项目 %(code)s 的月度三务公开将于 %(due)s 自动发布，请在此前核对支出与人员信息。"
                    ),
                    params={"code": project.code, "due": due.isoformat()},
                    link=f"/projects/{project.pk}/",
                ),
                region_code=project.region_code,
                dedupe_key=f"disclosure-due:{project.pk}:{due.isoformat()}",
            )
        )
    return sent


def remind_filings(today: datetime.date) -> int:
    """Tell the operator of each project worker still unfiled near (or past) the filing deadline."""
    sent = 0
    for project in Project.objects.filter(state__in=ACTIVE_STATES).select_related("operator"):
        for row in selectors.staff_rows(project, today=today):
            if row.staff.filing_status != "unfiled" or row.staff.end_date is not None:
                continue
            if (row.filing_due - today).days > 3:
                continue
            users = role_holders([Role.OPERATOR], project.region_code, organisation_id=project.operator_id)
            sent += len(
                notify(
                    users=users,
                    notice=Notice(
                        kind=Kind.PROJECT_FILING_DUE,
                        title=gettext_noop("项目人员备案即将逾期"),
                        body=gettext_noop("项目 %(code)s 有人员应于 %(due)s 前向民政部门备案。"),
                        params={"code": project.code, "due": row.filing_due.isoformat()},
                        link=f"/projects/{project.pk}/#staff",
                    ),
                    region_code=project.region_code,
                    dedupe_key=f"project-filing-due:{row.staff.pk}:{row.filing_due.isoformat()}",
                )
            )
    return sent


@scoped_task
def monthly_disclosure(*, actor_id: int | None) -> dict:
    today = timezone.localdate()
    published = publish_due(today)
    notices = warn_due(today) + remind_filings(today)
    schedules.mark_done(SCHEDULE_NAME)
    logger.info("three-affairs disclosure: %d release(s), %d notice(s)", len(published), notices)
    return {"releases": len(published), "notices": notices}


def _is_due() -> bool:
    today = timezone.localdate()
    return not schedules.ran_today(SCHEDULE_NAME) or projects_due(today).exists()


DISCLOSURE_SCHEDULE = schedules.Schedule(
    SCHEDULE_NAME,
    monthly_disclosure,
    _is_due,
    "publishes each running project's frozen three-affairs release on the 15th, and warns of releases and "
    "project-staff filings coming due",
)


def paid_total(project: Project) -> Decimal:
    return project.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
