"""A year of casework in Yuzhong: a few hundred cases spread over the stages — some awaiting approval, some overdue,
some transferred or referred — written in bulk, with the counted figures recounted from them."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict

from shegong.core import tallies
from shegong.regions.demo import YUZHONG

from .models import (
    Approval,
    Assessment,
    Case,
    CaseCounter,
    Closing,
    Goal,
    GoalEvaluation,
    InterventionNote,
    Plan,
    PlanStatus,
    Referral,
    Stage,
    Transfer,
)

CASES = 320
# (stage, weight, plan submitted but not decided)
MIX = [
    ("intake", 5),
    ("declined", 4),
    ("assessment", 7),
    ("plan_draft", 5),
    ("plan_pending", 7),
    ("intervention", 30),
    ("evaluation", 8),
    ("closing_pending", 5),
    ("closed", 22),
    ("referred", 7),
]
PROBLEMS = [
    "独居老人，近期情绪低落，拒绝外出",
    "低保家庭子女辍学在家，家庭关系紧张",
    "重度残疾人照护者身心疲惫，需要喘息服务",
    "困境儿童，父母外出务工，学习跟不上",
    "失能老人家中缺乏适老化设施，曾跌倒",
    "因病致贫，医疗费用负担重，申请救助受阻",
]
GOALS = [
    ("情绪改善", "抑郁自评量表下降 5 分以上"),
    ("建立支持网络", "每月至少 2 次邻里或志愿者探望"),
    ("链接救助资源", "完成临时救助申请并获批"),
    ("改善居家安全", "完成扶手、防滑改造并验收"),
    ("恢复学业", "每周完成课业辅导 3 次，期末成绩提高"),
]
NOTES = [
    "上门面谈，了解近况并给予情绪支持",
    "电话跟进，提醒按时服药",
    "陪同前往街道办理救助申请",
    "组织家庭会议，协商照护分工",
    "链接志愿者开展陪伴服务",
]
METHODS = ["home", "phone", "accompany", "family", "resource", "office"]
DEPARTMENTS = ["区医疗保障局", "区残联", "区教委", "街道综治中心", "区人社局"]


def already_loaded() -> bool:
    return False


def _day(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    span = max((end - start).days, 0)
    return start + datetime.timedelta(days=rng.randint(0, span))


def _supervisor_accounts(today: datetime.date) -> dict:
    """Station → the account of one of its supervisors today (the register's, people.SupervisionAssignment)."""
    from shegong.people.models import SupervisionAssignment

    rows = (
        SupervisionAssignment.objects.filter(
            SupervisionAssignment.active_q(today), node__isnull=False, supervisor__user__isnull=False
        )
        .select_related("supervisor__user")
        .order_by("node_id", "supervisor__name")
    )
    accounts: dict = {}
    for row in rows:
        accounts.setdefault(row.node_id, row.supervisor.user)
    return accounts


def load(ctx) -> None:
    from shegong.accounts.models import User

    recipients = [
        r
        for r in getattr(ctx, "demo_recipients", None) or []
        if r.station_id and r.worker_id and r.region_code.startswith(YUZHONG[:6])
    ]
    if not recipients:
        return
    rng, today = ctx.rng, ctx.today
    chosen = rng.sample(recipients, min(CASES, len(recipients)))
    stations = {s.pk: s for s in ctx.stations}
    # Who decides a case's plan and closing: a supervisor with an account from the register people's demo filled
    # (周老师 supervises every station), else the station head.
    supervisors_at = _supervisor_accounts(today)
    head = User.objects.filter(username=ctx.logins.get("township", ("",))[0]).first()
    counters: dict[tuple[int, int], int] = defaultdict(int)
    weights = [w for _s, w in MIX]
    cases = []
    kinds = {}
    for recipient in sorted(chosen, key=lambda r: r.pk):
        kind = rng.choices([s for s, _w in MIX], weights)[0]
        # Later stages were opened earlier; a few cases stay open past a year (flagged).
        back = {"intake": (0, 25), "declined": (5, 300), "assessment": (3, 40), "plan_draft": (10, 60)}.get(
            kind, (30, 380)
        )
        opened = today - datetime.timedelta(days=rng.randint(*back))
        station = stations.get(recipient.station_id)
        if station is None:
            continue
        counters[(station.pk, opened.year)] += 1
        number = f"{station.region_code[:9]}-{opened.year}-{counters[(station.pk, opened.year)]:04d}"
        case = Case(
            number=number,
            station=station,
            recipient=recipient,
            worker_id=recipient.worker_id,
            stage=Stage.INTAKE,
            source=rng.choice(["walk_in", "visit", "visit", "community", "government", "referral_in"]),
            presenting_problem=rng.choice(PROBLEMS),
            opened_on=opened,
            opened_region_code=station.region_code,
            region_code=station.region_code,
        )
        assessed = min(opened + datetime.timedelta(days=rng.randint(1, 10)), today)
        planned = min(assessed + datetime.timedelta(days=rng.randint(2, 10)), today)
        approved = min(planned + datetime.timedelta(days=rng.randint(1, 4)), today)
        if kind == "declined":
            case.stage, case.ended_on = Stage.DECLINED, opened + datetime.timedelta(days=1)
            case.decline_reason, case.pointed_to = "不属于社工站服务范围", rng.choice(DEPARTMENTS)
        if kind not in ("intake", "declined"):
            case.assessed_on, case.stage = assessed, Stage.ASSESSMENT
        if kind in ("plan_draft", "plan_pending"):
            case.stage = Stage.PLAN
            case.plan_status = PlanStatus.DRAFT if kind == "plan_draft" else PlanStatus.SUBMITTED
            case.plan_submitted_on = planned if kind == "plan_pending" else None
        if kind in ("intervention", "evaluation", "closing_pending", "closed", "referred"):
            case.stage = Stage.INTERVENTION
            case.plan_status, case.plan_submitted_on, case.plan_approved_on = (
                PlanStatus.APPROVED,
                planned,
                approved,
            )
            # Some plans were last reviewed long ago (the 90-day review is overdue).
            case.plan_reviewed_on = (
                approved
                if rng.random() < 0.5
                else max(approved, today - datetime.timedelta(days=rng.randint(5, 80)))
            )
        if kind in ("evaluation", "closing_pending", "closed"):
            case.stage = Stage.EVALUATION
        if kind == "closing_pending":
            case.closing_requested_on = max(approved, today - datetime.timedelta(days=rng.randint(0, 6)))
        if kind == "closed":
            case.stage, case.ended_on = Stage.CLOSED, _day(rng, approved, today)
        if kind == "referred":
            case.stage, case.ended_on = Stage.REFERRED, _day(rng, approved, today)
        cases.append(case)
        kinds[number] = (kind, assessed, planned, approved)
    Case.objects.bulk_create(cases, batch_size=500)
    CaseCounter.objects.bulk_create(
        [CaseCounter(station_id=s, year=y, last=n) for (s, y), n in counters.items()], batch_size=500
    )
    assessments, goals, notes, approvals, closings, referrals, transfers, plan_rows = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    goal_cases = []
    for case in cases:
        kind, assessed, planned, approved = kinds[case.number]
        decider = supervisors_at.get(case.station_id) or head
        if case.assessed_on:
            assessments.append(
                Assessment(
                    case=case,
                    assessed_on=assessed,
                    scores={
                        d: rng.randint(0, 4)
                        for d in rng.sample(["daily_care", "rehab", "comfort", "economic", "safety"], 3)
                    },
                    text="综合评估：" + case.presenting_problem,
                    region_code=case.region_code,
                )
            )
        if case.plan_status:
            plan_rows.append(
                Plan(case=case, text="每周跟进一次，链接社区与志愿者资源", region_code=case.region_code)
            )
            for position, (title, indicator) in enumerate(rng.sample(GOALS, 2), start=1):
                goals.append(
                    Goal(
                        case=case,
                        position=position,
                        title=title,
                        indicator=indicator,
                        target_on=planned + datetime.timedelta(days=90),
                        region_code=case.region_code,
                    )
                )
                goal_cases.append(case)
        if case.plan_status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED):
            at = datetime.datetime.combine(planned, datetime.time(10), tzinfo=datetime.UTC)
            approvals.append(
                Approval(
                    case=case,
                    kind="plan",
                    decision="approved" if case.plan_status == PlanStatus.APPROVED else "pending",
                    decided_by=decider if case.plan_status == PlanStatus.APPROVED else None,
                    decided_at=datetime.datetime.combine(approved, datetime.time(15), tzinfo=datetime.UTC)
                    if case.plan_status == PlanStatus.APPROVED
                    else None,
                    comment="同意" if case.plan_status == PlanStatus.APPROVED else "",
                    region_code=case.region_code,
                    created_at=at,
                )
            )
        if case.plan_approved_on:
            last = case.ended_on or today
            for _i in range(rng.randint(1, 6)):
                day = _day(rng, approved, last)
                notes.append(
                    InterventionNote(
                        case=case,
                        noted_on=day,
                        method=rng.choice(METHODS),
                        content=rng.choice(NOTES),
                        next_step="下周继续跟进",
                        recipient_id=case.recipient_id,
                        served_region_code=case.recipient.region_code,
                        idempotency_key=uuid.uuid4(),
                        region_code=case.region_code,
                    )
                )
        if kind in ("closing_pending", "closed"):
            closings.append(
                Closing(
                    case=case,
                    reason="goals_met",
                    summary="服务目标基本达成，对象状况稳定",
                    approved=kind == "closed",
                    region_code=case.region_code,
                )
            )
            asked = case.closing_requested_on or case.ended_on
            approvals.append(
                Approval(
                    case=case,
                    kind="closing",
                    decision="approved" if kind == "closed" else "pending",
                    decided_by=decider if kind == "closed" else None,
                    decided_at=datetime.datetime.combine(
                        case.ended_on, datetime.time(16), tzinfo=datetime.UTC
                    )
                    if kind == "closed"
                    else None,
                    region_code=case.region_code,
                    created_at=datetime.datetime.combine(asked, datetime.time(9), tzinfo=datetime.UTC),
                )
            )
        if kind == "referred" or (case.stage == Stage.INTERVENTION and rng.random() < 0.12):
            referrals.append(
                Referral(
                    case=case,
                    department=rng.choice(DEPARTMENTS),
                    service_asked=rng.choice(["医疗救助", "辅具适配", "就业帮扶", "心理咨询", "法律援助"]),
                    letter="兹有我站个案对象需贵单位协助，请予受理。",
                    referred_on=case.ended_on or _day(rng, approved, today),
                    ends_case=kind == "referred",
                    outcome=rng.choice(["", "accepted", "accepted", "declined"])
                    if kind != "referred"
                    else "accepted",
                    region_code=case.region_code,
                )
            )
    for r in referrals:
        if r.outcome:
            r.outcome_on = min(r.referred_on + datetime.timedelta(days=rng.randint(3, 20)), today)
            r.outcome_note = "对方已回复"
    Assessment.objects.bulk_create(assessments, batch_size=1000)
    Plan.objects.bulk_create(plan_rows, batch_size=1000)
    Goal.objects.bulk_create(goals, batch_size=1000)
    InterventionNote.objects.bulk_create(notes, batch_size=1000)
    Closing.objects.bulk_create(closings, batch_size=1000)
    Referral.objects.bulk_create(referrals, batch_size=1000)
    created = Approval.objects.bulk_create(approvals, batch_size=1000)
    Approval.objects.bulk_update(created, ["created_at"], batch_size=1000)  # auto_now_add stamped "now"
    evaluations = [
        GoalEvaluation(
            case=case,
            goal=goal,
            result=rng.choice(["met", "met", "partly", "not_met"]),
            evidence="对照指标复评",
            evaluated_on=case.closing_requested_on or case.ended_on or today,
            region_code=case.region_code,
        )
        for goal, case in zip(goals, goal_cases, strict=True)
        if case.stage in (Stage.EVALUATION, Stage.CLOSED)
    ]
    GoalEvaluation.objects.bulk_create(evaluations, batch_size=1000)
    # A few cases offered to the demo worker by colleagues, waiting in its transfer inbox.
    receiver = getattr(ctx, "demo_worker", None)
    if receiver is not None and receiver.user_id:
        offered = [c for c in cases if c.is_open and c.worker_id != receiver.pk and c.station_id in stations][
            :3
        ]
        receiver_station = next(
            (s for s in ctx.stations if s.region_code == receiver.region_code[:9] + "000"), None
        )
        for case in offered if receiver_station else []:
            transfers.append(
                Transfer(
                    case=case,
                    from_worker_id=case.worker_id,
                    from_station=case.station,
                    to_worker=receiver,
                    to_station=receiver_station,
                    reason="对象搬迁至解放碑街道",
                    case_number=case.number,
                    person_name=case.recipient.name,
                    region_code=receiver_station.region_code,
                )
            )
        Transfer.objects.bulk_create(transfers)
    tallies.reconcile(only=["cases.opened", "cases.closed", "served.people"])
