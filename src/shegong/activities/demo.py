"""A year of community activities at 渝中区's stations and rooms: several hundred, with volunteers (their hours
confirmed, or waiting when recent), partner organisations and some named participants — bulk inserted; the counted
figures are rebuilt from them after the demo loads (``core.demo``)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone

from .models import Activity, ActivityParticipant

TITLES = [
    (Activity.Kind.FESTIVAL, "“情暖重阳”长者生日会"),
    (Activity.Kind.FESTIVAL, "中秋邻里游园会"),
    (Activity.Kind.PUBLICITY, "反诈骗宣传进社区"),
    (Activity.Kind.PUBLICITY, "垃圾分类宣传"),
    (Activity.Kind.HEALTH, "长者健康义诊"),
    (Activity.Kind.VOLUNTEER, "独居老人上门清洁"),
    (Activity.Kind.CULTURE, "社区合唱队排练展演"),
    (Activity.Kind.TRAINING, "社区骨干能力培训"),
    (Activity.Kind.COMMUNITY, "四点半课堂"),
    (Activity.Kind.COMMUNITY, "楼栋议事会"),
]
OUTCOMES = ["居民反响良好，提出持续开展的建议", "链接爱心企业捐赠物资", "发现 2 户需跟进家庭，已转介", ""]


def load(ctx) -> None:
    from shegong.orgs.models import Organisation
    from shegong.people.models import HoursStatus, Volunteer, VolunteerHours, VolunteerStatus

    recipients = getattr(ctx, "demo_recipients", None)
    if not recipients:
        return
    rng, today = ctx.rng, ctx.today
    nodes = [n for n in ctx.stations + ctx.rooms if n.region_id.startswith("500103")]
    by_township: dict[str, list] = {}
    for r in recipients:
        if r.status == "active":
            by_township.setdefault(r.region_code[:9], []).append(r)
    volunteers: dict[str, list] = {}
    for v in Volunteer.objects.filter(
        region_code__startswith="500103", status=VolunteerStatus.ACTIVE
    ).order_by("pk"):
        volunteers.setdefault(v.region_code[:9], []).append(v)
    organisations = list(Organisation.objects.filter(region__code__startswith="500103").order_by("pk")[:60])

    activities: list[Activity] = []
    for node in nodes:
        for _ in range(rng.randint(3, 8) if node.level == "room" else rng.randint(8, 14)):
            kind, title = rng.choice(TITLES)
            held_on = today - datetime.timedelta(days=rng.randint(0, 360))
            hour = rng.choice([9, 10, 14, 15, 19])
            activities.append(
                Activity(
                    node=node,
                    title=title,
                    kind=kind,
                    held_on=held_on,
                    starts_at=datetime.time(hour, 0),
                    ends_at=datetime.time(hour + 2, 0),
                    place=node.name,
                    participants=rng.randint(12, 120),
                    outcome=rng.choice(OUTCOMES),
                    idempotency_key=uuid.uuid4(),
                    region_code=node.region_id,
                )
            )
    Activity.objects.bulk_create(activities, batch_size=1000)

    Through = Activity.organisations.through
    links, named, hours = [], [], []
    confirmer = ctx.actor.user if getattr(ctx.actor, "user", None) else None
    for activity in activities:
        township = activity.region_code[:9]
        if organisations and rng.random() < 0.5:
            for org in rng.sample(organisations, rng.randint(1, 2)):
                links.append(Through(activity_id=activity.pk, organisation_id=org.pk))
        pool = by_township.get(township, [])
        if pool and rng.random() < 0.35:
            for r in rng.sample(pool, min(len(pool), rng.randint(2, 6))):
                named.append(
                    ActivityParticipant(activity=activity, recipient=r, region_code=activity.region_code)
                )
        helpers = volunteers.get(township, [])
        if helpers and rng.random() < 0.6:
            recent = activity.held_on > today - datetime.timedelta(days=10)
            for v in rng.sample(helpers, min(len(helpers), rng.randint(1, 4))):
                confirmed = not recent or rng.random() < 0.3
                hours.append(
                    VolunteerHours(
                        volunteer=v,
                        team_id=v.team_id,
                        activity=activity,
                        served_on=activity.held_on,
                        hours=Decimal(rng.choice(["1.5", "2", "2", "3"])),
                        description=activity.title,
                        status=HoursStatus.CONFIRMED if confirmed else HoursStatus.LOGGED,
                        confirmed_by=confirmer if confirmed else None,
                        confirmed_at=timezone.now() if confirmed else None,
                        region_code=v.region_code,
                    )
                )
    Through.objects.bulk_create(links, batch_size=2000)
    ActivityParticipant.objects.bulk_create(named, batch_size=2000, ignore_conflicts=True)
    VolunteerHours.objects.bulk_create(hours, batch_size=2000)
