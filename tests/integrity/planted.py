"""A small town's records for the integrity checks: a clean base every check passes, and on request one planted
violation per check. ``build`` returns, per check code, the subjects the checks must find — exactly those."""

from __future__ import annotations

import datetime
import itertools
import uuid
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from shegong.cases.models import Case, InterventionNote
from shegong.charity.models import Disbursement, Fund
from shegong.demands.models import DemandRequest
from shegong.people.models import AssignmentFilingStatus, Departure, SocialWorker, WorkerAssignment
from shegong.projects.models import BudgetLine, ProjectStaff, Target
from shegong.recipients.models import Recipient, RecipientStatus, RiskTier, TimelineEntry
from shegong.visits.models import Visit, VisitPhoto, photo_content_hash

from ..factories import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from ..projects.helpers import make_project
from ..recipients.helpers import make_recipient

_serial = itertools.count(1)
TODAY = timezone.localdate()
CHONGQING = "29.5575,106.5774"
NEAR_CHONGQING = "29.5600,106.5800"
SHANGHAI = "31.2304,121.4737"


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def at(offset: int, hour: int, minute: int = 0) -> datetime.datetime:
    local = datetime.datetime.combine(day(offset), datetime.time(hour, minute))
    return timezone.make_aware(local)


def worker(world, name: str) -> SocialWorker:
    town = world.regions["town_a"]
    return SocialWorker.objects.create(region=town, name=f"{name}{next(_serial)}", employer=world.org_a)


def posted(world, w: SocialWorker, *, start: int = -200, filed: int | None = 0) -> WorkerAssignment:
    """A posting at station A, ``filed`` days after its start (None: never filed)."""
    return WorkerAssignment.objects.create(
        worker=w,
        node=world.station_a,
        start_date=day(start),
        filing_status=AssignmentFilingStatus.CONFIRMED
        if filed is not None
        else AssignmentFilingStatus.UNFILED,
        filing_submitted_on=day(start + filed) if filed is not None else None,
    )


def on_project(project, w: SocialWorker, *, start: int = -150, filed: int | None = 0, end: int | None = None):
    return ProjectStaff.objects.create(
        project=project,
        worker=w,
        start_date=day(start),
        end_date=day(end) if end is not None else None,
        filing_status=AssignmentFilingStatus.CONFIRMED
        if filed is not None
        else AssignmentFilingStatus.UNFILED,
        filing_submitted_on=day(start + filed) if filed is not None else None,
    )


def visit(w, recipient, when, *, location: str = "", method: str = "home") -> Visit:
    return Visit.objects.create(
        recipient=recipient,
        worker=w,
        visited_at=when,
        method=method,
        location_consent=bool(location),
        location=location,
        idempotency_key=uuid.uuid4(),
        region_code=recipient.region_code,
    )


def photo(v: Visit, data: bytes) -> VisitPhoto:
    return VisitPhoto.objects.create(
        visit=v, content_type="image/jpeg", data=data, size=len(data), content_hash=photo_content_hash(data)
    )


def note(case, recipient, offset: int) -> InterventionNote:
    return InterventionNote.objects.create(
        case=case,
        recipient=recipient,
        noted_on=day(offset),
        method="home",
        content="面谈",
        idempotency_key=uuid.uuid4(),
    )


def set_due(recipient, offset: int) -> None:
    Recipient._base.filter(pk=recipient.pk).update(next_due_on=day(offset))


def end_file(recipient, status: str, offset: int) -> None:
    Recipient._base.filter(pk=recipient.pk).update(status=status)
    TimelineEntry.objects.create(recipient=recipient, at=at(offset, 9), kind="status", summary="状态变更")


def request(world, *, escalation: int, due_offset_hours: int) -> DemandRequest:
    now = timezone.now()
    return DemandRequest.objects.create(
        tracking_code=f"T{next(_serial):07d}",
        region=world.regions["village_a1"],
        channel="phone",
        description="需要帮助",
        status="in_progress",
        station=world.station_a,
        received_at=now - datetime.timedelta(days=5),
        resolve_due_at=now + datetime.timedelta(hours=due_offset_hours),
        escalation=escalation,
    )


def build(world, *, plant: bool) -> dict[str, set[str]]:
    expected: dict[str, set[str]] = defaultdict(set)
    w1, w2, spare = worker(world, "甲"), worker(world, "乙"), worker(world, "丙")
    for w in (w1, w2, spare):
        posted(world, w)
    r1 = make_recipient(VILLAGE_A1, name="张秀英")
    r2 = make_recipient(VILLAGE_A2, name="李桂兰")
    r_b = make_recipient(VILLAGE_B1, name="王德福")
    for r in (r1, r2, r_b):
        set_due(r, 20)
    p1 = make_project(world, code=f"CLEAN-{next(_serial)}")
    on_project(p1, w1)
    BudgetLine.objects.create(project=p1, category="activities", amount=Decimal("100000.00"))

    # Clean: visits spaced out, two nearby located visits, a photo on one visit only.
    visit(w1, r1, at(-10, 9))
    visit(w1, r2, at(-10, 11))
    photo(visit(w2, r2, at(-9, 10)), b"unique photo bytes")
    visit(w2, r1, at(-2, 9), location=CHONGQING)
    visit(w2, r2, at(-2, 11), location=NEAR_CHONGQING)
    # Clean: a departure with notice and a replacement, its project post ended inside the notice.
    leaver = worker(world, "丁")
    leaving = on_project(p1, leaver, start=-300, end=-50)
    Departure.objects.create(
        worker=leaver, notice_date=day(-90), planned_leaving_date=day(-50), left_on=day(-50), replacement=w2
    )
    assert leaving.pk
    # Clean: a closed file whose last visit came before the closing; high-risk people visited on time or within
    # the grace days; a request escalated once only.
    closed = make_recipient(VILLAGE_A1, name="赵淑珍")
    set_due(closed, 20)
    visit(w2, closed, at(-20, 15))
    end_file(closed, RecipientStatus.CLOSED, -15)
    for offset in (10, -2):
        person = make_recipient(VILLAGE_A1, name="孙凤芝", tier=RiskTier.HIGH)
        set_due(person, offset)
    request(world, escalation=1, due_offset_hours=-48)
    request(world, escalation=2, due_offset_hours=24)

    if not plant:
        return expected

    # staff.two_projects: one worker on two running projects.
    p2 = make_project(world, code=f"PLANT-{next(_serial)}")
    twice = worker(world, "戊")
    on_project(p1, twice)
    on_project(p2, twice)
    expected["staff.two_projects"].add(f"worker:{twice.pk}")
    # staff.filed_late: posted 100 days ago, filed 20 days later (the deadline is 7).
    late = posted(world, worker(world, "己"), start=-100, filed=20)
    expected["staff.filed_late"].add(f"workerassignment:{late.pk}")
    # staff.working_unfiled: on a project 60 days, never filed, visiting people.
    unfiled_worker = worker(world, "庚")
    unfiled = on_project(p2, unfiled_worker, start=-60, filed=None)
    visit(unfiled_worker, r1, at(-20, 10))
    expected["staff.working_unfiled"].add(f"projectstaff:{unfiled.pk}")
    # staff.departure: gone after 5 days' notice with no replacement; and a project post ended with no notice.
    quick = Departure.objects.create(
        worker=worker(world, "辛"), notice_date=day(-40), planned_leaving_date=day(-35), left_on=day(-35)
    )
    expected["staff.departure"].add(f"departure:{quick.pk}")
    vanished = on_project(p2, worker(world, "壬"), start=-120, end=-30)
    expected["staff.departure"].add(f"projectstaff-left:{vanished.pk}")
    # project.behind_plan: a visits target with nothing done.
    p3 = make_project(world, code=f"BEHIND-{next(_serial)}")
    Target.objects.create(
        project=p3,
        indicator="visits",
        quantity=Decimal("1000"),
        period_start=p3.starts_on,
        period_end=p3.ends_on,
    )
    expected["project.behind_plan"].add(f"project:{p3.pk}")
    # project.overspent: an overspend the ledger refused.
    line = BudgetLine.objects.create(
        project=p2,
        category="supplies",
        amount=Decimal("5000.00"),
        spent=Decimal("4000.00"),
        refused_attempts=1,
    )
    expected["project.overspent"].add(f"budgetline:{line.pk}")
    # visits.overlap: two home visits to different people ten minutes apart.
    a, b = visit(w1, r1, at(-5, 9)), visit(w1, r2, at(-5, 9, 10))
    expected["visits.overlap"].add(f"visit:{a.pk}|visit:{b.pk}")
    # visits.too_fast: Chongqing, then Shanghai an hour later.
    a, b = visit(w2, r1, at(-4, 9), location=CHONGQING), visit(w2, r2, at(-4, 10), location=SHANGHAI)
    expected["visits.too_fast"].add(f"visit:{a.pk}|visit:{b.pk}")
    # visits.daily_ceiling: thirteen visits in a day, half an hour apart.
    busy = worker(world, "癸")
    for n in range(13):
        visit(busy, (r1, r2)[n % 2], at(-3, 8) + datetime.timedelta(minutes=30 * n))
    expected["visits.daily_ceiling"].add(f"worker-day:{busy.pk}:{day(-3).isoformat()}")
    # visits.outside_region: a worker posted in town A visits someone in town B.
    away = visit(w1, r_b, at(-6, 14))
    expected["visits.outside_region"].add(f"visit:{away.pk}")
    # visits.reused_photo: the same picture on visits of two people.
    data = b"the same picture twice"
    photo(visit(w2, r1, at(-8, 10)), data)
    photo(visit(w2, r2, at(-7, 10)), data)
    expected["visits.reused_photo"].add(f"photo:{photo_content_hash(data)[:40]}")
    # records.after_end: a visit three days after the person's death.
    gone = make_recipient(VILLAGE_A1, name="刘长贵")
    set_due(gone, 20)
    end_file(gone, RecipientStatus.DECEASED, -15)
    after = visit(w2, gone, at(-12, 15))
    expected["records.after_end"].add(f"visits.visit:{after.pk}")
    # … and a case note and a charity payment dated after it; a note dated before it is fine.
    case = Case.objects.create(
        number=f"GA{next(_serial):06d}",
        station=world.station_a,
        recipient=gone,
        worker=w2,
        source="visit",
        presenting_problem="独居",
        opened_on=day(-60),
        opened_region_code=gone.region_code,
    )
    note(case, gone, -30)
    late_note = note(case, gone, -10)
    expected["records.after_end"].add(f"cases.interventionnote:{late_note.pk}")
    fund = Fund.objects.create(
        name="测试基金", region=world.regions["town_a"], manager=world.org_a, opened_on=day(-400)
    )
    Disbursement.objects.create(
        fund=fund,
        purpose="hardship",
        recipient=gone,
        amount=Decimal("200.00"),
        description="临时救助",
        status="paid",
        requested_at=at(-40, 10),
        paid_on=day(-38),
    )
    late_payment = Disbursement.objects.create(
        fund=fund,
        purpose="hardship",
        recipient=gone,
        amount=Decimal("300.00"),
        description="临时救助",
        status="paid",
        requested_at=at(-14, 10),
        paid_on=day(-11),
    )
    expected["records.after_end"].add(f"charity.disbursement:{late_payment.pk}")
    # records.high_risk_unvisited: ten days past due.
    overdue = make_recipient(VILLAGE_A2, name="陈玉梅", tier=RiskTier.HIGH)
    set_due(overdue, -10)
    expected["records.high_risk_unvisited"].add(f"recipient:{overdue.pk}")
    # records.request_escalated: escalated to the district and two days overdue.
    late_request = request(world, escalation=2, due_offset_hours=-48)
    expected["records.request_escalated"].add(f"request:{late_request.pk}")
    return expected
