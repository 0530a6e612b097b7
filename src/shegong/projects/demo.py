"""Demo purchased projects for Yuzhong: one station-operation project per township (bought by the township) and
two district projects, at different stages; filed and unfiled staff; budgets with a year of spending; one project
behind plan, one with a budget line spent out and overspend attempts refused, one where a worker left breaking the
leaving rules and the bureau clawed money back; the documents each stage needed; one expenditure waiting for the
operator's finance; and a year of frozen monthly releases. Rows are bulk-inserted (``core.bulk``); releases are built by the same code the monthly
task runs."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F
from django.utils import timezone

from shegong.activities.models import Activity
from shegong.cases.models import Case
from shegong.core.bulk import insert_rows, next_ids
from shegong.demands.models import DemandRequest
from shegong.groups.models import GroupSession
from shegong.people.models import AssignmentFilingStatus, WorkerAssignment
from shegong.visits.models import Visit

from . import selectors
from .disclosure import PUBLISH_DAY, month_end, release_content
from .models import (
    ACTIVE_STATES,
    BudgetLine,
    ClawBack,
    DocumentType,
    Expenditure,
    ExpenditureStatus,
    Indicator,
    Payment,
    Project,
    ProjectDocument,
    ProjectStaff,
    ProjectState,
    Release,
    Target,
    Transition,
)

S = ProjectState
PATH = [S.DEMAND, S.APPROVED, S.STAFFING, S.EXECUTING, S.MID_REVIEW, S.FINAL_REVIEW, S.CLOSED]
SHARES = {  # budget lines as shares of the contract
    "personnel": Decimal("0.60"),
    "activities": Decimal("0.18"),
    "supplies": Decimal("0.05"),
    "training": Decimal("0.05"),
    "supervision": Decimal("0.05"),
    "evaluation": Decimal("0.04"),
    "management": Decimal("0.03"),
}
CENT = Decimal("0.01")


def already_loaded() -> bool:
    return Project.objects.filter(code__startswith="YZ-").exists()


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def _link_records(projects: dict, plans: list, ids: list, staff_rows: list) -> None:
    """Link the earlier demo records to the project each was done under: a worker's visits, cases opened, group
    sessions led and requests resolved from the day the worker joined; a station project's activities."""
    for row in staff_rows:
        pk, worker_id, start = row[1], row[2], row[4]
        project = projects[pk]
        if project.state not in ACTIVE_STATES:
            continue
        since, until = max(start, project.starts_on), project.ends_on
        Visit.objects.filter(
            worker_id=worker_id,
            visited_at__date__gte=since,
            visited_at__date__lte=until,
            project__isnull=True,
        ).update(project_id=pk)
        Case.objects.filter(
            worker_id=worker_id, opened_on__gte=since, opened_on__lte=until, project__isnull=True
        ).update(project_id=pk)
        GroupSession.objects.filter(
            group__leader_id=worker_id, held_on__gte=since, held_on__lte=until, project__isnull=True
        ).update(project_id=pk)
        DemandRequest.objects.filter(
            worker_id=worker_id,
            resolved_at__date__gte=since,
            resolved_at__date__lte=until,
            project__isnull=True,
        ).update(project_id=pk)
    for pk, (_fields, _regions, _state, node_id) in zip(ids, plans, strict=True):
        project = projects[pk]
        if node_id is None or project.state not in ACTIVE_STATES:
            continue
        Activity.objects.filter(
            node_id=node_id,
            held_on__gte=project.starts_on,
            held_on__lte=project.ends_on,
            project__isnull=True,
        ).update(project_id=pk)


def load(ctx) -> None:
    if not ctx.stations or not ctx.district:
        return
    today = ctx.today
    year_ago = (today.replace(day=1) - datetime.timedelta(days=360)).replace(day=1)
    two_years = year_ago.replace(year=year_ago.year + 2) - datetime.timedelta(days=1)
    recent = today.replace(day=1)
    plans = []  # (project fields, regions, state, staff filter)
    for index, station in enumerate(ctx.stations):
        state = {3: S.MID_REVIEW, 5: S.STAFFING, 8: S.APPROVED}.get(index, S.EXECUTING)
        fresh = state in (S.STAFFING, S.APPROVED)
        plans.append(
            (
                {
                    "code": f"YZ-{today.year if fresh else year_ago.year}-S{index + 1:02d}",
                    "name": f"{station.region.name}社工站运营项目",
                    "buyer_id": station.region_id,
                    "buyer_name": f"{station.region.name}办事处",
                    "operator_id": station.operator_id or ctx.agencies[index % len(ctx.agencies)].pk,
                    "kind": "core",
                    "field": "assistance" if index % 3 else "elderly",
                    "starts_on": recent if fresh else year_ago,
                    "ends_on": (recent.replace(year=recent.year + 1) - datetime.timedelta(days=1))
                    if fresh
                    else two_years,
                    "contract_amount": Decimal(360000 + 20000 * (index % 4)),
                },
                [station.region_id],
                state,
                station.pk,
            )
        )
    townships = [s.region_id for s in ctx.stations]
    plans.append(
        (
            {
                "code": f"YZ-{year_ago.year}-D01",
                "name": "渝中区困境儿童关爱项目",
                "buyer_id": ctx.district.code,
                "buyer_name": "渝中区民政局",
                "operator_id": ctx.agencies[0].pk,
                "kind": "basic_children",
                "field": "children",
                "starts_on": year_ago,
                "ends_on": two_years,
                "contract_amount": Decimal(500000),
                "charity_funds": Decimal(80000),
            },
            townships[:3],
            S.EXECUTING,
            None,
        )
    )
    plans.append(
        (
            {
                "code": f"YZ-{today.year}-D02",
                "name": "渝中区“老街坊”社区治理品牌项目",
                "buyer_id": ctx.district.code,
                "buyer_name": "渝中区民政局",
                "operator_id": ctx.agencies[1 % len(ctx.agencies)].pk,
                "kind": "governance",
                "field": "governance",
                "starts_on": recent,
                "ends_on": recent.replace(year=recent.year + 1) - datetime.timedelta(days=1),
                "contract_amount": Decimal(200000),
            },
            townships[3:6],
            S.DEMAND,
            None,
        )
    )

    # Projects and their regions.
    ids = next_ids(Project, len(plans))
    now = timezone.now()
    project_rows, region_rows = [], []
    for pk, (fields, regions, state, _node) in zip(ids, plans, strict=True):
        government = fields["contract_amount"] - fields.get("charity_funds", Decimal(0))
        approved = fields["starts_on"] if state != S.DEMAND else None
        project_rows.append(
            (
                pk,
                fields["buyer_id"],
                fields["code"],
                fields["name"],
                fields["buyer_id"],
                fields["buyer_name"],
                fields["operator_id"],
                fields["kind"],
                fields["field"],
                fields["starts_on"],
                fields["ends_on"],
                fields["contract_amount"],
                government,
                fields.get("charity_funds", Decimal(0)),
                state,
                approved,
                None,
                "",
                10,
                [],
                now,
            )
        )
        region_rows += [(pk, code) for code in regions]
    insert_rows(
        Project,
        [
            "id",
            "region_code",
            "code",
            "name",
            "buyer_id",
            "buyer_name",
            "operator_id",
            "kind",
            "field",
            "starts_on",
            "ends_on",
            "contract_amount",
            "government_funds",
            "charity_funds",
            "state",
            "approved_on",
            "staff_changed_on",
            "termination_reason",
            "behind_margin",
            "demand_codes",
            "created_at",
        ],
        project_rows,
    )
    Project.service_regions.through.objects.bulk_create(
        [Project.service_regions.through(project_id=p, region_id=r) for p, r in region_rows]
    )
    projects = {p.pk: p for p in Project.objects.filter(pk__in=ids).prefetch_related("service_regions")}

    # Lifecycle.
    transitions = []
    for pk, (fields, _regions, state, _node) in zip(ids, plans, strict=True):
        steps = PATH[: PATH.index(state) + 1]
        start = fields["starts_on"]
        for i, step in enumerate(steps):
            on = (
                start + datetime.timedelta(days=[0, 0, 5, 12, 180, 330, 360][i])
                if i
                else start - datetime.timedelta(days=30)
            )
            on = min(on, today)
            transitions.append((projects[pk].region_code, pk, steps[i - 1] if i else step, step, on, "", now))
    insert_rows(
        Transition,
        ["region_code", "project_id", "from_state", "to_state", "on", "note", "created_at"],
        transitions,
    )

    # Staff: each station project takes the workers posted at its station and employed by its operator; the
    # children's project takes one worker from each of the three stations it covers who is on no other project.
    postings = defaultdict(list)
    for a in WorkerAssignment.objects.filter(end_date__isnull=True).select_related("worker"):
        postings[a.node_id].append(a.worker)
    taken: set[int] = set()
    staff_rows = []
    station_by_region = {s.region_id: s for s in ctx.stations}
    for index, (pk, (fields, regions, state, node_id)) in enumerate(zip(ids, plans, strict=True)):
        if state == S.DEMAND:
            continue
        if node_id is not None:
            workers = [w for w in postings[node_id] if w.employer_id == fields["operator_id"]][
                :-1
            ] or postings[node_id][:1]
        else:
            workers = [
                postings[station_by_region[r].pk][-1] for r in regions if postings[station_by_region[r].pk]
            ]
        for n, worker in enumerate(workers):
            if worker.pk in taken:
                continue
            taken.add(worker.pk)
            start = fields["starts_on"] + datetime.timedelta(days=2)
            # Two projects have a worker still unfiled (one past the deadline); the newest ones are being filed.
            if state in (S.STAFFING, S.APPROVED) or (index in (1, 6) and n == len(workers) - 1):
                filing = (AssignmentFilingStatus.UNFILED, None, None)
            elif state == S.STAFFING:
                filing = (AssignmentFilingStatus.SUBMITTED, start + datetime.timedelta(days=3), None)
            else:
                filing = (
                    AssignmentFilingStatus.CONFIRMED,
                    start + datetime.timedelta(days=3),
                    start + datetime.timedelta(days=5),
                )
            if index == 1 and n == len(workers) - 1:
                start = min(today - datetime.timedelta(days=12), fields["ends_on"])
            staff_rows.append(
                (
                    projects[pk].region_code,
                    pk,
                    worker.pk,
                    "lead" if n == 0 else "worker",
                    start,
                    None,
                    *filing,
                    [],
                    now,
                )
            )
    insert_rows(
        ProjectStaff,
        [
            "region_code",
            "project_id",
            "worker_id",
            "role",
            "start_date",
            "end_date",
            "filing_status",
            "filing_submitted_on",
            "filing_confirmed_on",
            "breaches",
            "created_at",
        ],
        staff_rows,
    )

    # Budgets, spending, payments.
    running = [pk for pk, plan in zip(ids, plans, strict=True) if plan[2] not in (S.DEMAND,)]
    over = ids[2]  # a station project whose supplies line is spent out, with overspend attempts refused
    line_rows, spend, payments = [], [], []
    for pk in running:
        project = projects[pk]
        for category, portion in SHARES.items():
            line_rows.append(
                (project.region_code, pk, category, (project.contract_amount * portion).quantize(CENT))
            )
    line_ids = next_ids(BudgetLine, len(line_rows))
    insert_rows(
        BudgetLine,
        ["id", "region_code", "project_id", "category", "amount", "spent", "refused_attempts"],
        [(i, *row[:4], Decimal(0), 0) for i, row in zip(line_ids, line_rows, strict=True)],
    )
    lines = defaultdict(dict)
    for i, row in zip(line_ids, line_rows, strict=True):
        lines[row[1]][row[2]] = (i, row[3])
    spent = defaultdict(Decimal)
    for pk in running:
        project = projects[pk]
        months = [m for m in _months(project.starts_on, today) if m <= today]
        total_months = len(_months(project.starts_on, project.ends_on))
        for m, month in enumerate(months):
            day = min(month.replace(day=25), today)
            for category, note in (
                ("personnel", "社工薪酬及社保"),
                ("activities", "社区活动物资与场地"),
                ("supplies", "办公及服务耗材"),
            ):
                line_id, amount = lines[pk][category]
                monthly = (amount / total_months).quantize(CENT, rounding=ROUND_HALF_UP)
                if pk == over and category == "supplies":
                    monthly = (amount / max(1, len(months))).quantize(CENT, rounding=ROUND_HALF_UP) + Decimal(
                        1
                    )
                monthly = min(monthly, amount - spent[line_id])
                if monthly <= 0:
                    continue
                spent[line_id] += monthly
                spend.append(
                    (
                        project.region_code,
                        pk,
                        line_id,
                        monthly,
                        day,
                        note,
                        f"PZ{month:%Y%m}-{m:02d}",
                        ExpenditureStatus.REVIEWED,
                        False,
                        day,
                        day,
                        "",
                        now,
                    )
                )
        for q, month in enumerate(months[::3]):
            payments.append(
                (
                    project.region_code,
                    pk,
                    f"第 {q + 1} 季度拨付",
                    (project.contract_amount / 8).quantize(CENT),
                    month.replace(day=10),
                    now,
                )
            )
    insert_rows(
        Expenditure,
        [
            "region_code",
            "project_id",
            "line_id",
            "amount",
            "spent_on",
            "description",
            "voucher_number",
            "status",
            "over_budget",
            "approved_on",
            "reviewed_on",
            "rejection_note",
            "created_at",
        ],
        spend,
    )
    insert_rows(
        Payment, ["region_code", "project_id", "milestone", "amount", "paid_on", "created_at"], payments
    )
    for line_id, value in spent.items():
        BudgetLine.objects.filter(pk=line_id).update(spent=value)
    BudgetLine.objects.filter(project_id=over, category="supplies").update(
        spent=F("amount"), refused_attempts=2
    )

    # A worker who left with too short a notice and no replacement in post, and the claw-back for it.
    clawed = ids[4]
    decided = max(projects[clawed].starts_on, today - datetime.timedelta(days=75))
    breach = ProjectStaff.objects.filter(project_id=clawed).order_by("-pk").first()
    if breach is not None:
        left = max(breach.start_date, decided - datetime.timedelta(days=5))
        ProjectStaff.objects.filter(pk=breach.pk).update(
            notice_date=max(breach.start_date, left - datetime.timedelta(days=12)),
            end_date=left,
            breaches=["short_notice", "no_replacement"],
        )
    ClawBack.objects.create(
        project_id=clawed,
        region_code=projects[clawed].region_code,
        amount=Decimal("12000.00"),
        reason="项目社工未满 30 天通知期且未落实补员即离岗，按合同追回相应人员经费",
        decided_on=decided,
        staff=breach,
    )

    # Documents for each project as far as its stage needs them (the plan twice: a revised version), and one
    # expenditure with its voucher waiting for the operator's finance.
    _documents(ids, plans, projects, today)
    pending_on = ids[1]
    pending_line = lines[pending_on]["activities"][0]
    voucher = _document(projects[pending_on], DocumentType.VOUCHER, 1, "活动物资发票.pdf")
    Expenditure.objects.create(
        project_id=pending_on,
        region_code=projects[pending_on].region_code,
        line_id=pending_line,
        amount=Decimal("1280.00"),
        spent_on=max(projects[pending_on].starts_on, today - datetime.timedelta(days=3)),
        description="重阳节敬老活动物资",
        voucher_number=f"PZ{today:%Y%m}-P1",
        voucher=voucher,
    )

    # Links: the service records the demo already holds were done under the project their worker served on that
    # day (what the write services choose for new records). Activities name no worker: a station project's are
    # those held at its station.
    _link_records(projects, plans, ids, staff_rows)

    # Targets: on pace from the linked records so far, except one project set well above what it does (behind).
    behind = ids[0]
    target_rows = []
    for pk in running:
        project = projects[pk]
        share = project.elapsed_share(today)
        for indicator in (
            Indicator.VISITS,
            Indicator.ACTIVITIES,
            Indicator.PEOPLE_SERVED,
            Indicator.CASES_OPENED,
            Indicator.DEMANDS_RESOLVED,
        ):
            done = Decimal(0)
            if share > 0:
                done = selectors.actual_of(project, indicator, project.starts_on, today)
            quantity = (
                (done / share * Decimal("0.97")).quantize(Decimal("1"))
                if done and share > 0
                else Decimal(
                    {
                        "visits": 2400,
                        "activities": 36,
                        "people_served": 3000,
                        "cases_opened": 30,
                        "demands_resolved": 60,
                    }[indicator]
                )
            )
            if pk == behind:
                quantity = (quantity * Decimal("1.6")).quantize(Decimal("1"))
            target_rows.append(
                (
                    project.region_code,
                    pk,
                    indicator,
                    max(quantity, Decimal(1)),
                    project.starts_on,
                    project.ends_on,
                )
            )
    insert_rows(
        Target,
        ["region_code", "project_id", "indicator", "quantity", "period_start", "period_end"],
        target_rows,
    )

    # A year of monthly releases, as the task would have published them on each 15th.
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if today.day < PUBLISH_DAY:
        last = (last - datetime.timedelta(days=1)).replace(day=1)
    release_rows = []
    for pk in running:
        project = Project.objects.get(pk=pk)
        if project.state not in (S.EXECUTING, S.MID_REVIEW):
            continue
        for month in _months(project.starts_on, last):
            published = datetime.datetime.combine(
                month_end(month) + datetime.timedelta(days=PUBLISH_DAY),
                datetime.time(1, 0),
                tzinfo=datetime.UTC,
            )
            content = release_content(project, month, today=month_end(month))
            release_rows.append((project.region_code, pk, month, 1, published, None, "", content))
    insert_rows(
        Release,
        [
            "region_code",
            "project_id",
            "month",
            "version",
            "published_at",
            "corrects_id",
            "correction_note",
            "content",
        ],
        release_rows,
    )
    ctx.extra["projects"] = list(projects.values())


# The documents each stage has needed so far (seed 003's lifecycle; seed 000's plan contents).
DOCUMENTS_BY_STAGE = [
    (S.APPROVED, DocumentType.PLAN, "项目计划书.pdf"),
    (S.STAFFING, DocumentType.AGREEMENT, "购买服务协议.pdf"),
    (S.MID_REVIEW, DocumentType.MID_REPORT, "中期报告.pdf"),
    (S.FINAL_REVIEW, DocumentType.FINAL_REPORT, "末期报告.pdf"),
]
PLAN_TEXT = "项目背景；项目目标；预算；服务内容和进度；人员和服务标准；绩效评估"


def _pdf(title: str) -> bytes:
    """A small, valid one-page PDF whose body names the document (ASCII text: the demo needs no fonts)."""
    text = f"shegong demo: {title.encode('unicode_escape').decode()}".replace("(", "[").replace(")", "]")
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _document(project: Project, doc_type: str, version: int, name: str, note: str = "") -> ProjectDocument:
    data = _pdf(name)
    return ProjectDocument.objects.create(
        project=project,
        region_code=project.region_code,
        doc_type=doc_type,
        version=version,
        name=name,
        content_type="application/pdf",
        size=len(data),
        data=data,
        note=note,
    )


def _documents(ids, plans, projects, today) -> None:
    for pk, (_fields, _regions, state, _node) in zip(ids, plans, strict=True):
        project = projects[pk]
        reached = PATH.index(state)
        if state == S.DEMAND:  # the plan under discussion before approval: a first draft and a revision
            _document(project, DocumentType.PLAN, 1, "项目计划书（初稿）.pdf", PLAN_TEXT)
            _document(project, DocumentType.PLAN, 2, "项目计划书（修订稿）.pdf", PLAN_TEXT)
            continue
        for stage, doc_type, name in DOCUMENTS_BY_STAGE:
            if PATH.index(stage) <= reached:
                _document(project, doc_type, 1, name, PLAN_TEXT if doc_type == DocumentType.PLAN else "")
