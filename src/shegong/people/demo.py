"""Demo people for Yuzhong: 2–4 full-time workers per station (some certified, two filings overdue), volunteers in a
总队 → 支队 → 小队 hierarchy with logged and confirmed hours, a departure and a dishonesty-list entry."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from shegong.core.identity import id_check_digit
from shegong.regions.selectors import policy_for

from .models import (
    AssignmentFilingStatus,
    Certificate,
    Departure,
    DishonestyEntry,
    Education,
    HoursStatus,
    PayPost,
    Posting,
    Skill,
    SocialWorker,
    SupervisionAssignment,
    Supervisor,
    SupervisorLevel,
    TeamLevel,
    Volunteer,
    VolunteerHours,
    VolunteerStatus,
    VolunteerTeam,
    WorkerAssignment,
    WorkerStatus,
    activity_model,
)
from .services import add_years

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = [
    "晓",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "秀兰",
    "丽",
    "强",
    "婷",
    "雪",
    "慧",
    "佳",
    "欣",
    "宇",
    "浩",
    "然",
    "琳",
    "倩",
]
STAFF_COUNTS = [4, 2, 3, 3, 2, 4, 3, 2, 3, 3, 2]  # per Yuzhong station, in order
OVERDUE_STATIONS = {1, 6}  # two stations have one unfiled worker past the 7-day deadline


def id_number(rng, birth: datetime.date, female: bool) -> str:
    seq = rng.randint(0, 49) * 2 + (0 if female else 1)
    first17 = f"500103{birth:%Y%m%d}{rng.randint(0, 9)}{seq:02d}"
    return first17 + id_check_digit(first17)


def phone(rng) -> str:
    return rng.choice(["138", "139", "150", "186", "177"]) + f"{rng.randint(0, 99_999_999):08d}"


def person(rng, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            return name


def load(ctx) -> None:
    from shegong.accounts.models import User

    rng, today = ctx.rng, ctx.today
    district = ctx.district
    agencies = ctx.agencies
    haining = list(PayPost.objects.filter(ladder__code="haining-4-11").order_by("rank"))
    used: set[str] = set()
    workers_by_station: dict[int, list[SocialWorker]] = {}

    for index, station in enumerate(ctx.stations):
        staff = []
        for n in range(STAFF_COUNTS[index % len(STAFF_COUNTS)]):
            female = rng.random() < 0.7
            birth = datetime.date(rng.randint(1975, 2000), rng.randint(1, 12), rng.randint(1, 28))
            certificate = (
                rng.choice(
                    [Certificate.NONE, Certificate.NONE, Certificate.ASSISTANT, Certificate.SOCIAL_WORKER]
                )
                if n
                else Certificate.SOCIAL_WORKER
            )
            if index == 1 and n == 0:
                certificate = Certificate.SENIOR
            worker = SocialWorker(
                region=station.region,
                region_code=station.region_id,
                name="张晓" if index == 1 and n == 0 else person(rng, used),
                id_number=id_number(rng, birth, female),
                phone=phone(rng),
                gender="F" if female else "M",
                birth_date=birth,
                education=rng.choice(
                    [Education.BACHELOR, Education.BACHELOR, Education.COLLEGE, Education.MASTER]
                ),
                major=rng.choice(["社会工作", "社会工作", "心理学", "社会学", "公共管理"]),
                certificate=certificate,
                certificate_number=f"{rng.randint(2015, 2023)}0350{rng.randint(100000, 999999)}"
                if certificate != Certificate.NONE
                else "",
                certificate_date=datetime.date(rng.randint(2015, 2023), 6, 30)
                if certificate != Certificate.NONE
                else None,
                employer=agencies[index % min(len(agencies), 8)],
                pay_post=haining[0 if n == 0 else rng.choice([1, 2, 2, 3])] if haining else None,
                pay_grade=rng.randint(1, 11) if haining else None,
            )
            worker.save()
            start = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 600))
            overdue = index in OVERDUE_STATIONS and n == STAFF_COUNTS[index % len(STAFF_COUNTS)] - 1
            if overdue:
                start = today - datetime.timedelta(days=12 + index)
            status = AssignmentFilingStatus.UNFILED if overdue else AssignmentFilingStatus.CONFIRMED
            WorkerAssignment.objects.create(
                worker=worker,
                node=station,
                start_date=start,
                full_time=True,
                post="站长" if n == 0 else "社工",
                # Suzhou's model (seed 002): most stay at the station, one in three goes out to a village room.
                posting=Posting.OUTREACH if n % 3 == 2 else Posting.RESIDENT,
                filing_status=status,
                filing_submitted_on=None if overdue else start + datetime.timedelta(days=rng.randint(1, 6)),
                filing_confirmed_on=None if overdue else start + datetime.timedelta(days=7),
            )
            staff.append(worker)
        workers_by_station[station.pk] = staff

    # A newcomer still inside the 7-day window (filed-by due date shown, not overdue), at 解放碑.
    jiefangbei = ctx.stations[1]
    newcomer = SocialWorker(
        region=jiefangbei.region,
        region_code=jiefangbei.region_id,
        name=person(rng, used),
        id_number=id_number(rng, datetime.date(1998, 5, 4), True),
        phone=phone(rng),
        gender="F",
        education=Education.BACHELOR,
        employer=agencies[1 % len(agencies)],
    )
    newcomer.save()
    room = next((r for r in ctx.rooms if r.region_id.startswith("500103002")), None)
    if room is not None:
        WorkerAssignment.objects.create(
            worker=newcomer,
            node=room,
            start_date=today - datetime.timedelta(days=3),
            full_time=False,
            post="驻室社工",
            posting=Posting.OUTREACH,
        )

    # A departure in progress with too short a notice, and a worker on the dishonesty list.
    leaver = workers_by_station[ctx.stations[2].pk][-1]
    Departure.objects.create(
        worker=leaver,
        notice_date=today - datetime.timedelta(days=10),
        planned_leaving_date=today + datetime.timedelta(days=10),
        reason="个人原因",
        region_code=leaver.region_code,
    )
    leaver.status = WorkerStatus.LEAVING
    leaver.save(update_fields=["status"])
    barred = SocialWorker(
        region=district,
        region_code=district.code,
        name=person(rng, used),
        id_number=id_number(rng, datetime.date(1990, 2, 2), False),
        phone=phone(rng),
        status=WorkerStatus.LEFT,
        employer=agencies[3 % len(agencies)],
    )
    barred.save()
    listed_on = today - datetime.timedelta(days=200)
    DishonestyEntry.objects.create(
        worker=barred,
        reason="项目周期内未按承诺提前一个月申请即离职",
        listed_on=listed_on,
        bar_until=add_years(listed_on, policy_for(barred.region_code).dishonesty_bar_years),
        listed_by="渝中区民政局",
        id_number_index=barred.id_number_index or "",
        region_code=barred.region_code,
    )

    _volunteers(ctx, workers_by_station, used)
    _supervisors(ctx, workers_by_station)
    shegong = User.objects.filter(username="shegong").first()
    if shegong is not None:
        SocialWorker.objects.filter(name="张晓", region_code=jiefangbei.region_id).update(user=shegong)


def _volunteers(ctx, workers_by_station, used) -> None:
    from shegong.accounts.models import User

    rng, today, district = ctx.rng, ctx.today, ctx.district
    corps = VolunteerTeam.objects.create(
        region=district,
        region_code=district.code,
        name="渝中区社区志愿服务总队",
        level=TeamLevel.CORPS,
        leader="区志愿服务联合会",
    )
    squads_by_station: dict[int, list[VolunteerTeam]] = {}
    for station in ctx.stations:
        detachment = VolunteerTeam.objects.create(
            region=station.region,
            region_code=station.region_id,
            name=f"{station.region.name}志愿服务支队",
            level=TeamLevel.DETACHMENT,
            parent=corps,
        )
        squads = []
        villages = [r for r in ctx.rooms if r.region_id[:9] == station.region_id[:9]][:2]
        for room in villages:
            squads.append(
                VolunteerTeam.objects.create(
                    region=room.region,
                    region_code=room.region_id,
                    name=f"{room.region.name}志愿服务小队",
                    level=TeamLevel.SQUAD,
                    parent=detachment,
                )
            )
        squads_by_station[station.pk] = squads or [detachment]

    volunteers = []
    for station in ctx.stations:
        workers = workers_by_station[station.pk]
        squads = squads_by_station[station.pk]
        for i in range(rng.randint(14, 22)):
            squad = squads[i % len(squads)]
            female = rng.random() < 0.6
            birth = datetime.date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))
            pending = i == 0
            volunteers.append(
                Volunteer(
                    region=squad.region if squad.level == TeamLevel.SQUAD else station.region,
                    region_code=squad.region_id,
                    name=person(rng, used),
                    id_number=id_number(rng, birth, female),
                    phone=phone(rng),
                    gender="F" if female else "M",
                    birth_date=birth,
                    skills=rng.sample(Skill.values, rng.randint(1, 3)),
                    team=None if pending else squad,
                    recruited_by=None if pending else workers[i % len(workers)],
                    status=VolunteerStatus.PENDING if pending else VolunteerStatus.ACTIVE,
                    self_registered=pending,
                    registered_on=today - datetime.timedelta(days=rng.randint(5, 700)),
                )
            )
    # The demo volunteer login: 赵敏, 解放碑街道.
    jiefangbei = ctx.stations[1]
    squad = squads_by_station[jiefangbei.pk][0]
    zhao = Volunteer(
        region=squad.region,
        region_code=squad.region_id,
        name="赵敏",
        id_number=id_number(rng, datetime.date(1995, 8, 8), True),
        phone=phone(rng),
        gender="F",
        skills=[Skill.CARE, Skill.ARTS],
        team=squad,
        recruited_by=workers_by_station[jiefangbei.pk][0],
        user=User.objects.filter(username="zhiyuanzhe").first(),
    )
    volunteers.append(zhao)
    Volunteer.objects.bulk_create(volunteers, batch_size=500)

    activities = {
        a.node_id: a for a in activity_model().objects.filter(node__in=ctx.stations).order_by("-held_on")
    }
    confirmer = User.objects.filter(username="shegong").first()
    entries = []
    for v in Volunteer.objects.filter(status=VolunteerStatus.ACTIVE, region_code__startswith="500103"):
        for k in range(rng.randint(1, 4)):
            served = today - datetime.timedelta(days=rng.randint(1, 90))
            station_id = next((s.pk for s in ctx.stations if s.region_id[:9] == v.region_code[:9]), None)
            activity = activities.get(station_id) if k == 0 else None
            confirmed = served < today - datetime.timedelta(days=7) or rng.random() < 0.3
            entries.append(
                VolunteerHours(
                    volunteer=v,
                    team_id=v.team_id,
                    activity=activity,
                    served_on=served,
                    hours=Decimal(rng.choice(["1.5", "2", "2", "3", "4"])),
                    description=rng.choice(
                        [
                            "独居老人探访陪伴",
                            "社区环境整治",
                            "四点半课堂辅导",
                            "反诈宣传",
                            "防汛值守",
                            "长者生日会",
                        ]
                    ),
                    status=HoursStatus.CONFIRMED if confirmed else HoursStatus.LOGGED,
                    confirmed_by=confirmer if confirmed else None,
                    confirmed_at=timezone.now() if confirmed else None,
                    region_code=v.region_code,
                )
            )
    VolunteerHours.objects.bulk_create(entries, batch_size=1000)


def _supervisors(ctx, workers_by_station) -> None:
    """The supervisor register of Yuzhong: the centre's senior supervisor (the demo login 督导 周老师) supervising
    every station, two external supervisors from a partner agency (seed 003, Hezhou) at some stations, and each
    station head as a trainee supervisor of the village rooms around it — centre → stations → rooms (seed 001)."""
    from shegong.accounts.models import User

    district = ctx.district
    start = ctx.today - datetime.timedelta(days=400)
    zhou = Supervisor.objects.create(
        region=district,
        name="周老师",
        kind=Supervisor.Kind.INTERNAL,
        qualification="高级社会工作师，督导实务十年",
        level=SupervisorLevel.SENIOR,
        lecturer=True,
        user=User.objects.filter(username="dudao").first(),
    )
    partner = ctx.agencies[-1] if ctx.agencies else None
    external = [
        Supervisor.objects.create(
            region=district,
            name=name,
            kind=Supervisor.Kind.EXTERNAL if partner else Supervisor.Kind.INTERNAL,
            organisation=partner,
            qualification="社会工作师，5A 级社工机构督导",
            level=SupervisorLevel.LOCAL,
            lecturer=index == 0,
        )
        for index, name in enumerate(["何督导", "梁督导"])
    ]
    rows = []
    for index, station in enumerate(ctx.stations):
        rows.append(SupervisionAssignment(supervisor=zhou, node=station, start_date=start))
        if index % 3 == 0:
            rows.append(SupervisionAssignment(supervisor=external[index % 2], node=station, start_date=start))
        head = workers_by_station[station.pk][0]
        trainee = Supervisor.objects.create(
            region=station.region,
            name=head.name,
            kind=Supervisor.Kind.INTERNAL,
            qualification=head.get_certificate_display(),
            level=SupervisorLevel.TRAINEE,
        )
        for room in [r for r in ctx.rooms if r.region_id[:9] == station.region_id[:9]][:2]:
            rows.append(SupervisionAssignment(supervisor=trainee, node=room, start_date=start))
    rows.append(
        SupervisionAssignment(
            supervisor=zhou, project_name="渝中区“老有所依”困境老人关爱项目", start_date=start
        )
    )
    for row in rows:
        row.region_code = row.derived_region_code()
    SupervisionAssignment.objects.bulk_create(rows)
    ctx.extra["supervisors"] = [zhou, *external]
    ctx.extra["workers_by_station"] = workers_by_station
