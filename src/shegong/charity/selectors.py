"""Reads on charity resources: scoped lists, a fund's monthly flows, the public totals and the five-linkage view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import tallies
from shegong.core.charts import month_labels
from shegong.core.money import format_yuan
from shegong.core.params import as_int
from shegong.core.scoping import across_regions
from shegong.core.tallies import month_of
from shegong.recipients.selectors import Event
from shegong.regions.models import Region
from shegong.regions.selectors import region_subtree_q

from . import ledger
from .models import COMMITTED, Disbursement, DisbursementStatus, Donation, DonorKind, Fund, FundMonth, Purpose

FUND_FILTERS = ("kind", "under", "q")
DISBURSEMENT_FILTERS = ("status", "under", "fund")


def funds(*, kind: str = "", under: str = "", q: str = "") -> QuerySet[Fund]:
    queryset = Fund.objects.select_related("region", "manager")
    if kind:
        queryset = queryset.filter(kind=kind)
    if under and under.isdigit() and len(under) == 12:
        queryset = queryset.filter(region_subtree_q(under))
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(Q(name__contains=q) | Q(region__name__contains=q))
    return queryset.order_by("region_code", "kind", "name", "pk")


def donations(fund: Fund | None = None) -> QuerySet[Donation]:
    queryset = Donation.objects.select_related("fund")
    if fund is not None:
        queryset = queryset.filter(fund=fund)
    return queryset.order_by("-received_on", "-receipt_seq")


def disbursements(*, status: str = "", under: str = "", fund: str | int = "") -> QuerySet[Disbursement]:
    queryset = Disbursement.objects.select_related(
        "fund", "recipient", "activity", "requested_by", "decided_by", "reversal"
    )
    if status:
        queryset = queryset.filter(status=status)
    if under and under.isdigit() and len(under) == 12:
        queryset = queryset.filter(region_subtree_q(under))
    if (fund_id := as_int(fund)) is not None:
        queryset = queryset.filter(fund_id=fund_id)
    return queryset.order_by("-requested_at", "-pk")


def waiting_count() -> int:
    return Disbursement.objects.filter(status=DisbursementStatus.REQUESTED).count()


def restricted_donations(fund: Fund) -> QuerySet[Donation]:
    """The fund's restricted donations that still hold money (a disbursement may draw on one of them)."""
    return Donation.objects.filter(fund=fund, remaining__gt=0).exclude(restriction="").order_by("received_on")


def donor_label(donation: Donation, *, reveal: bool = False) -> str:
    """How a list shows the donor: a company or organisation by name, a person masked unless revealed."""
    from shegong.core.masking import mask_name

    if donation.donor_kind == DonorKind.PERSON and not reveal:
        return mask_name(donation.donor_name)
    return donation.donor_name


# Monthly flows ---------------------------------------------------------------------------------------------------


@dataclass
class MonthRow:
    month: datetime.date
    raised: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)
    donations: int = 0
    disbursements: int = 0
    beneficiaries: int = 0
    activities: int = 0


def _months_back(until: datetime.date, n: int) -> list[datetime.date]:
    months = [month_of(until)]
    while len(months) < n:
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return list(reversed(months))


def fund_months(
    fund: Fund, *, until: datetime.date | None = None, n: int = 12, stored: list[FundMonth] | None = None
) -> list[MonthRow]:
    """The fund's last ``n`` months (every month present), each with its closing balance (one query, none when
    the fund's stored months are given)."""
    months = _months_back(until or timezone.localdate(), n)
    if stored is None:
        stored = list(FundMonth.objects.filter(fund=fund, month__lte=months[-1]).order_by("month"))
    stored = [m for m in stored if m.month <= months[-1]]
    running = Decimal(0)
    rows = {m: MonthRow(m) for m in months}
    for m in stored:
        running += m.raised - m.spent
        if m.month < months[0]:
            continue
        row = rows[m.month]
        row.raised, row.spent = m.raised, m.spent
        row.donations, row.disbursements = m.donations, m.disbursements
        row.beneficiaries, row.activities = m.beneficiaries, m.activities
    # Closing balances, walking back from the balance after the last stored month.
    balance = running
    for month in reversed(months):
        rows[month].balance = balance
        balance -= rows[month].raised - rows[month].spent
    return [rows[m] for m in months]


def chart_of(rows: list[MonthRow]) -> dict:
    return {
        "labels": month_labels([r.month for r in rows]),
        "series": [
            {"name": _("筹集"), "data": [float(r.raised) for r in rows]},
            {"name": _("支出"), "data": [float(r.spent) for r in rows]},
            {"name": _("余额"), "data": [float(r.balance) for r in rows]},
        ],
    }


def ledger_rows(fund: Fund) -> list[dict]:
    """The fund's ledger, oldest first: every donation and every booked disbursement or reversal, with the balance
    after it. A person who gave is masked; a recipient is never named (the ledger goes to Excel)."""
    entries = []
    for d in Donation.objects.filter(fund=fund).order_by("received_on", "receipt_seq"):
        entries.append(
            {
                "day": d.received_on,
                "order": (0, d.receipt_seq),
                "kind": _("捐赠"),
                "reference": d.receipt_no,
                "party": donor_label(d),
                "purpose": Purpose(d.restriction).label if d.restriction else _("非定向"),
                "income": d.amount,
                "expense": None,
                "revealable": d,
            }
        )
    booked = Disbursement.objects.filter(
        Q(status__in=COMMITTED) | Q(status=DisbursementStatus.REVERSAL), fund=fund
    ).select_related("activity")
    for e in booked.order_by("booked_on", "pk"):
        entries.append(
            {
                "day": e.booked_on,
                "order": (1, e.pk),
                "kind": _("冲正") if e.amount < 0 else _("拨付"),
                "reference": f"BF{e.pk:06d}",
                "party": e.activity.title if e.activity_id else _("受助对象 #%(n)s") % {"n": e.recipient_id},
                "purpose": Purpose(e.purpose).label,
                "income": None,
                "expense": e.amount,
                "revealable": None,
            }
        )
    entries.sort(key=lambda row: (row["day"], row["order"]))
    balance = Decimal(0)
    for row in entries:
        balance += (row["income"] or 0) - (row["expense"] or 0)
        row["balance"] = balance
    return entries


# Timeline --------------------------------------------------------------------------------------------------------


def timeline_events(recipient, limit: int):
    """Money a fund gave the recipient, on its timeline (``recipients.selectors.TIMELINE_SOURCES``)."""
    rows = (
        Disbursement.objects.filter(recipient=recipient, status__in=(*COMMITTED, DisbursementStatus.REVERSAL))
        .select_related("fund", "decided_by", "requested_by")
        .order_by("-pk")[:limit]
    )
    events = []
    for e in rows:
        if e.amount < 0:
            summary = _("%(fund)s冲正拨付 %(amount)s") % {
                "fund": e.fund.name,
                "amount": format_yuan(-e.amount),
            }
            at, who = e.requested_at, e.requested_by
        else:
            summary = _("%(fund)s拨付 %(amount)s（%(purpose)s）") % {
                "fund": e.fund.name,
                "amount": format_yuan(e.amount),
                "purpose": Purpose(e.purpose).label,
            }
            at, who = e.decided_at or e.requested_at, e.decided_by
        name = (getattr(who, "display_name", "") or getattr(who, "username", "")) if who else ""
        events.append(Event(at, "charity", summary, name))
    return events


# Public side -----------------------------------------------------------------------------------------------------


@dataclass
class PublicFund:
    pk: int
    name: str
    kind: str
    region: str
    manager: str
    purpose: str
    opened_on: datetime.date
    balance: Decimal
    month: MonthRow
    months: list[MonthRow] = field(default_factory=list)
    named_donors: list[tuple[str, Decimal]] = field(default_factory=list)


def _public(
    fund: Fund, month: datetime.date, n: int = 1, stored: list[FundMonth] | None = None
) -> PublicFund:
    rows = fund_months(fund, until=month, n=n, stored=stored)
    return PublicFund(
        pk=fund.pk,
        name=fund.name,
        kind=fund.get_kind_display(),
        region=fund.region.name,
        manager=fund.manager.name,
        purpose=Purpose(fund.purpose).label if fund.purpose else "",
        opened_on=fund.opened_on,
        balance=rows[-1].balance,
        month=rows[-1],
        months=rows,
    )


def public_funds(month: datetime.date) -> list[PublicFund]:
    """Every fund's totals for ``month``: computed from the fund's months, nothing about any person."""
    with across_regions("the public funds page discloses every fund's monthly totals"):
        rows = list(Fund.objects.select_related("region", "manager").order_by("region_code", "kind", "name"))
        stored: dict[int, list[FundMonth]] = {f.pk: [] for f in rows}
        for m in FundMonth.objects.filter(month__lte=month_of(month)).order_by("fund_id", "month"):
            stored.setdefault(m.fund_id, []).append(m)
        return [_public(f, month, stored=stored[f.pk]) for f in rows]


def public_fund(pk: int, month: datetime.date) -> PublicFund | None:
    """One fund's last twelve months and the donors who agreed to be named (their total gifts); no recipient."""
    with across_regions("the public funds page discloses a fund's monthly totals and consenting donors"):
        fund = Fund.objects.select_related("region", "manager").filter(pk=pk).first()
        if fund is None:
            return None
        public = _public(fund, month, n=12)
        named: dict[str, Decimal] = {}
        for d in Donation.objects.filter(fund=fund, named_publicly=True).order_by("received_on"):
            named[d.donor_name] = named.get(d.donor_name, Decimal(0)) + d.amount
        public.named_donors = sorted(named.items(), key=lambda item: (-item[1], item[0]))
        return public


# Five-linkage (五社联动) ------------------------------------------------------------------------------------------


@dataclass
class Linkage:
    region: Region
    villages: int
    rooms: int
    stations: int
    workers: int
    certified: int
    orgs_by_category: list[tuple[str, str, int]]
    orgs_total: int
    volunteers: int
    volunteer_hours: Decimal
    funds: int
    raised: Decimal
    spent: Decimal
    balance: Decimal
    trend: dict

    @property
    def certified_share(self) -> str | None:
        return f"{100.0 * self.certified / self.workers:.1f}%" if self.workers else None


def linkage(region: Region, *, today: datetime.date | None = None) -> Linkage:
    """The five together for ``region``, each read through its owner's selectors or the tallies."""
    from shegong.network.selectors import coverage
    from shegong.orgs.models import OrgCategory
    from shegong.orgs.selectors import organisations
    from shegong.people.models import WorkerStatus
    from shegong.people.selectors import hours_by_region, volunteers, workers

    today = today or timezone.localdate()
    cov = coverage(region).total
    staff = (
        workers(status=WorkerStatus.ACTIVE, under=region.code)
        .order_by()
        .aggregate(
            n=Count("id", distinct=True), certified=Count("id", distinct=True, filter=~Q(certificate="none"))
        )
    )
    by_category = dict(
        organisations(under=region.code).order_by().values_list("category").annotate(n=Count("id"))
    )
    categories = [(value, str(label), by_category.get(value, 0)) for value, label in OrgCategory.choices]
    if by_category.get(""):
        categories.append(("", _("未分类"), by_category[""]))
    hours_total, _children = hours_by_region(region)
    money = tallies.totals([region.code], [ledger.RAISED, ledger.SPENT])
    since = _months_back(today, 12)[0]
    trend = tallies.by_month([region.code], [ledger.RAISED, ledger.SPENT], since=since, until=today)
    fund_rows = funds(under=region.code).order_by().aggregate(n=Count("id"))
    return Linkage(
        region=region,
        villages=cov.villages,
        rooms=cov.rooms,
        stations=cov.stations,
        workers=staff["n"],
        certified=staff["certified"],
        orgs_by_category=categories,
        orgs_total=sum(by_category.values()),
        volunteers=volunteers(status="active", under=region.code).count(),
        volunteer_hours=hours_total.confirmed,
        funds=fund_rows["n"],
        raised=money[ledger.RAISED],
        spent=money[ledger.SPENT],
        balance=money[ledger.RAISED] - money[ledger.SPENT],
        trend={
            "labels": month_labels(trend),
            "series": [
                {"name": _("慈善募集"), "data": [float(v[ledger.RAISED]) for v in trend.values()]},
                {"name": _("慈善支出"), "data": [float(v[ledger.SPENT]) for v in trend.values()]},
            ],
        },
    )
