"""A year of supervision and training in Yuzhong, and the three resource libraries (seeds 001, 002, 003).

Rows are bulk-inserted; the counted figures are then recounted from them (``tallies.reconcile``), so the demo city
leaves no drift."""

from __future__ import annotations

import datetime
from decimal import Decimal

from shegong.core import tallies

from .models import (
    Attendance,
    Course,
    Enrolment,
    Expert,
    Question,
    ReferenceProject,
    SessionKind,
    SessionMode,
    SupervisionSession,
    Topic,
)
from .selectors import ATTENDANCES, SESSIONS

PROBLEMS = [
    (
        "case_review",
        "独居老人拒绝入户探访，个案介入难以开展",
        "先通过社区网格员和邻里建立信任，再约定固定的电话问候时间",
    ),
    ("skills", "小组活动参与度低，组员中途流失", "在第一节设置破冰与共同目标，活动时间避开接送孩子的时段"),
    (
        "stress",
        "连续处理危机个案，社工出现耗竭情绪",
        "调整本月个案量，安排一次团体减压督导，鼓励使用员工援助热线",
    ),
    ("project", "项目中期指标进度落后，服务人次不足", "梳理未完成指标，按月拆分到人，联动社区开展集中服务日"),
    ("resources", "困境儿童需要课业辅导，站内缺少志愿者", "链接辖区高校志愿服务队，建立四点半课堂结对机制"),
    (
        "policy",
        "低保边缘家庭救助政策调整后，申请流程不清",
        "整理新版救助申请流程清单，与街道社会救助经办员核对",
    ),
]
COURSES = [
    ("新入职社工岗前培训", "pre_service", "new_staff", Decimal("16")),
    ("社会工作伦理与专业价值", "continuing", "front_line", Decimal("12")),
    ("个案管理与服务计划制定", "continuing", "front_line", Decimal("12")),
    ("困境老人探访与风险评估", "thematic", "front_line", Decimal("8")),
    ("本土督导人才培养计划", "supervision", "supervisors", Decimal("24")),
    ("儿童保护与家庭社会工作", "continuing", "front_line", Decimal("12")),
    ("社区治理与“五社联动”", "continuing", "front_line", Decimal("12")),
    ("朋辈分享：我的第一个小组", "peer", "", Decimal("4")),
    ("社区心理危机干预", "continuing", "front_line", Decimal("12")),
    ("社会救助政策解读", "continuing", "front_line", Decimal("8")),
    ("社工机构财务与项目管理", "thematic", "agency_heads", Decimal("8")),
    ("项目主管能力提升班", "continuing", "project_leads", Decimal("12")),
]
QUESTIONS = [
    (
        "独居老人不愿开门，如何开展首次探访？",
        "先请网格员或熟悉的邻居陪同，带上社区通知，约定下次时间。",
        ["老年", "探访"],
    ),
    (
        "服务对象情绪激动、言语威胁时怎么处理？",
        "保持安全距离，先回应情绪，必要时暂停服务并报告站长。",
        ["危机", "安全"],
    ),
    (
        "个案结案的标准是什么？",
        "服务目标达成、对象能自主应对，或转介完成，经督导审批后结案。",
        ["个案", "结案"],
    ),
    ("小组招募不到组员怎么办？", "从已有个案和活动参与者中招募，明确小组对组员的收益。", ["小组", "招募"]),
    ("如何撰写服务计划中的目标？", "目标应具体、可测量、有时限，并与需求评估一一对应。", ["个案", "计划"]),
    (
        "困境儿童监护人长期外出，如何评估风险？",
        "核实委托照护人，评估照护能力，按月电话跟进并记录。",
        ["儿童", "风险"],
    ),
    (
        "社区老人对智能手机使用有需求，如何设计活动？",
        "以小组形式分层教学，志愿者一对一辅导，课后留作业。",
        ["老年", "活动"],
    ),
    (
        "如何向街道争取活动场地和经费？",
        "结合街道年度重点工作提出方案，用服务数据说明成效。",
        ["资源", "街道"],
    ),
    ("社工与志愿者分工不清怎么办？", "制定岗位说明，志愿者负责陪伴与协助，专业评估由社工负责。", ["志愿者"]),
    (
        "低保家庭的子女就业帮扶从哪里入手？",
        "先做职业兴趣评估，再链接人社部门的培训与岗位信息。",
        ["救助", "就业"],
    ),
    (
        "精神障碍患者家属压力大，如何支持？",
        "建立家属互助小组，链接社区精防医生，提供喘息服务信息。",
        ["心理", "家庭"],
    ),
    (
        "如何记录服务过程才能满足评估要求？",
        "按时记录，写清时间、对象、内容、成效和后续计划，附佐证。",
        ["记录", "评估"],
    ),
]
EXPERTS = [
    ("陈教授", "老年社会工作", "重庆大学公共管理学院", "教授"),
    ("刘博士", "儿童与家庭社会工作", "西南大学", "副教授"),
    ("杨老师", "社区心理健康", "重庆市精神卫生中心", "主任医师"),
    ("黄律师", "婚姻家庭与继承法律", "渝中区法律援助中心", "律师"),
    ("吴老师", "社会组织管理", "重庆社会工作职业学院", "副教授"),
    ("郑老师", "社会救助政策", "渝中区民政局", "高级社会工作师"),
    ("孙老师", "残疾人康复", "渝中区残联康复中心", "康复治疗师"),
    ("马老师", "青少年服务", "共青团渝中区委", "社会工作师"),
]
PROJECTS = [
    (
        "“时间银行”互助养老",
        "低龄老人为高龄老人提供陪伴与助餐服务，服务时长存入时间银行兑换服务。",
        ["老年", "互助"],
    ),
    ("四点半课堂", "放学后为双职工和困境家庭儿童提供课业辅导与安全看护。", ["儿童", "教育"]),
    ("困境老人关爱“一人一档”", "为独居、失能老人建立档案，按风险分级定期探访。", ["老年", "探访"]),
    ("社区矫正对象社会融入", "通过个案辅导和公益劳动帮助社区矫正对象回归社会。", ["矫正"]),
    ("残疾人居家康复支持", "链接康复师入户指导，培训家属掌握康复技能。", ["残疾人", "康复"]),
    ("“五社联动”社区治理", "社区、社会组织、社工、志愿者、慈善资源协同解决社区难题。", ["治理", "资源"]),
    ("流动儿童城市融入", "为随迁子女开展城市探索、同伴小组与家长课堂。", ["儿童", "融入"]),
    ("低保家庭就业增能", "职业评估、技能培训与岗位对接，帮助有劳动能力者就业。", ["救助", "就业"]),
]


def _months(today: datetime.date, count: int) -> list[datetime.date]:
    first = today.replace(day=1)
    months = [first]
    for _ in range(count - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def load(ctx) -> None:
    from shegong.people.models import SupervisionAssignment, WorkerAssignment

    supervisors = ctx.extra.get("supervisors")
    workers_by_station = ctx.extra.get("workers_by_station")
    if not supervisors or not workers_by_station:
        return
    rng, today = ctx.rng, ctx.today
    topics = {t.code: t for t in Topic.objects.all()}
    assignments = list(
        SupervisionAssignment.objects.filter(supervisor__region_code__startswith=ctx.district.code[:6])
        .select_related("node", "supervisor")
        .order_by("id")
    )
    in_post: dict[int, list[int]] = {}
    for node_id, worker_id in WorkerAssignment.objects.filter(end_date__isnull=True).values_list(
        "node_id", "worker_id"
    ):
        in_post.setdefault(node_id, []).append(worker_id)
    sessions, attendees, topic_rows = [], [], []
    months = _months(today, 12)
    for index, assignment in enumerate(assignments):
        people = in_post.get(assignment.node_id, []) if assignment.node_id else []
        if not people:
            continue  # a room with no worker in post yet, or the project (its team is not registered)
        # Most relationships are kept monthly; a few have lapsed in the last two months (overdue on the lists).
        lapsed = index % 7 == 3
        for month in months[:-2] if lapsed else months:
            day = month + datetime.timedelta(days=rng.randint(2, 24))
            if day > today:
                day = today
            code, problem, advice = PROBLEMS[rng.randrange(len(PROBLEMS))]
            group = len(people) > 1 and rng.random() < 0.5
            session = SupervisionSession(
                supervisor=assignment.supervisor,
                assignment=assignment,
                node=assignment.node,
                kind=SessionKind.GROUP if group else SessionKind.INDIVIDUAL,
                mode=SessionMode.ONLINE if rng.random() < 0.3 else SessionMode.OFFLINE,
                held_on=day,
                minutes=rng.choice([60, 90, 90, 120]),
                problems=problem,
                advice=advice,
                follow_up="下次督导前反馈进展" if rng.random() < 0.5 else "",
                follow_up_due=day + datetime.timedelta(days=14) if rng.random() < 0.5 else None,
                region_code=assignment.region_code,
            )
            present = people if group else people[:1] if people else []
            sessions.append((session, present, code, day < today - datetime.timedelta(days=7)))
    SupervisionSession.objects.bulk_create([s for s, *_ in sessions], batch_size=1000)
    Through = SupervisionSession.topics.through
    for session, present, code, confirmed in sessions:
        topic_rows.append(Through(supervisionsession_id=session.pk, topic_id=topics[code].pk))
        for worker_id in present:
            attendees.append(
                Attendance(
                    session_id=session.pk,
                    worker_id=worker_id,
                    region_code=session.region_code,
                    confirmed_at=datetime.datetime.combine(
                        session.held_on, datetime.time(18), tzinfo=datetime.UTC
                    )
                    if confirmed
                    else None,
                )
            )
    Through.objects.bulk_create(topic_rows, batch_size=2000)
    Attendance.objects.bulk_create(attendees, batch_size=2000)
    _training(ctx, supervisors, workers_by_station)
    _libraries(ctx, supervisors)
    tallies.reconcile(only=[SESSIONS, ATTENDANCES])


def _training(ctx, supervisors, workers_by_station) -> None:
    rng, today, district = ctx.rng, ctx.today, ctx.district
    workers = [w for staff in workers_by_station.values() for w in staff]
    year_start = datetime.date(today.year, 1, 1)
    span = max((today - year_start).days, 1)
    courses = []
    for index, (title, kind, layer, hours) in enumerate(COURSES):
        # Spread over the year so far; the last two are still to come.
        starts = year_start + datetime.timedelta(days=span * index // len(COURSES))
        if index >= len(COURSES) - 2:
            starts = today + datetime.timedelta(days=10 * (index - len(COURSES) + 3))
        courses.append(
            Course(
                region=district,
                title=title,
                kind=kind,
                layer=layer,
                organiser=rng.choice(["渝中区民政局", "渝中区社会工作协会", "渝中区社会工作指导中心"]),
                other_lecturers="" if index % 3 else "高校特聘讲师",
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=1 if hours > 8 else 0),
                hours=hours,
                place="渝中区社会工作指导中心培训室",
                region_code=district.code,
            )
        )
    Course.objects.bulk_create(courses)
    Lecturers = Course.lecturers.through
    Lecturers.objects.bulk_create(
        [
            Lecturers(course_id=c.pk, supervisor_id=supervisors[i % 2].pk)
            for i, c in enumerate(courses)
            if i % 3 == 0
        ]
    )
    # Everyone attends the continuing-education courses held so far; a few workers miss most of them and are
    # short of the year's hours (the station heads' list shows them).
    rows = []
    short = {w.pk for w in workers[3::9]}
    for course in courses:
        held = course.starts_on <= today
        for worker in workers:
            if (
                course.layer in ("agency_heads", "project_leads", "supervisors", "new_staff")
                and rng.random() < 0.7
            ):
                continue
            attended = held and (rng.random() < (0.25 if worker.pk in short else 0.995))
            rows.append(
                Enrolment(
                    course=course,
                    worker=worker,
                    attended=attended if held else None,
                    hours=course.hours if attended else Decimal(0),
                    region_code=worker.region_code,
                )
            )
    Enrolment.objects.bulk_create(rows, batch_size=2000)


def _libraries(ctx, supervisors) -> None:
    rng, district, today = ctx.rng, ctx.district, ctx.today
    questions, experts, projects = [], [], []
    streets = [s.region.name for s in ctx.stations] or [district.name]
    for round_ in range(3):
        for index, (title, answer, tags) in enumerate(QUESTIONS):
            street = streets[(index + round_) % len(streets)]
            answered = (index + round_) % 5 != 0
            question = Question(
                region=district,
                title=title if round_ == 0 else f"{street}：{title}",
                detail=f"{street}社工站在服务中遇到的问题。",
                answer=answer if answered else "",
                answered_by=supervisors[(index + round_) % len(supervisors)] if answered else None,
                answered_on=today - datetime.timedelta(days=rng.randint(1, 300)) if answered else None,
                tags=tags,
                region_code=district.code,
            )
            question.search_text = question.build_search_text()
            questions.append(question)
        for name, field, organisation, title in EXPERTS:
            expert = Expert(
                region=district,
                name=name if round_ == 0 else f"{name[0]}{'明华志'[round_ - 1]}{name[1:]}",
                field=field,
                organisation=organisation,
                title=title,
                phone=f"139{rng.randint(10000000, 99999999)}",
                tags=[field[:2]],
                region_code=district.code,
            )
            expert.search_text = expert.build_search_text()
            experts.append(expert)
        for index, (title, summary, tags) in enumerate(PROJECTS):
            project = ReferenceProject(
                region=district,
                title=title if round_ == 0 else f"{streets[index % len(streets)]}{title}",
                summary=summary,
                organisation=ctx.agencies[index % len(ctx.agencies)].name if ctx.agencies else "",
                year=today.year - round_,
                documents="项目书.pdf\n中期评估报告.pdf\n结项报告.pdf",
                tags=tags,
                region_code=district.code,
            )
            project.search_text = project.build_search_text()
            projects.append(project)
    Question.objects.bulk_create(questions)
    Expert.objects.bulk_create(experts)
    ReferenceProject.objects.bulk_create(projects)
