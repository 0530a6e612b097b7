"""Demo recipients: about 5,000 people across Yuzhong's communities with a realistic mix of categories and risk
tiers. Visits, obligations and rollups for the last 12 months are added by shegong.visits.demo."""

from __future__ import annotations

import datetime

from shegong.core.identity import id_check_digit

from . import timeline as lines
from .care import policy
from .models import Category, CategoryMembership, Recipient, RiskTier, TimelineEntry

TOTAL = 5000
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
)
GIVEN = [
    "秀英",
    "桂兰",
    "建国",
    "国华",
    "淑珍",
    "玉兰",
    "德明",
    "志强",
    "春梅",
    "长贵",
    "凤英",
    "明亮",
    "文华",
    "小红",
    "子涵",
    "宇轩",
    "欣怡",
    "浩然",
    "家豪",
    "素芬",
    "永福",
    "光荣",
    "翠花",
    "学文",
    "海燕",
    "金凤",
]
STREETS = [
    "民族路",
    "五一路",
    "中山一路",
    "和平路",
    "较场口",
    "人民路",
    "大坪正街",
    "临江路",
    "新华路",
    "解放西路",
]
# (category code, probability, birth year range)
CATEGORY_MIX = [
    ("dibao", 0.34, (1935, 2005)),
    ("dibao_edge", 0.08, (1940, 2000)),
    ("tekun_dispersed", 0.05, (1930, 1965)),
    ("elderly_solitary", 0.12, (1930, 1958)),
    ("elderly_empty_nest", 0.10, (1932, 1960)),
    ("elderly_disabled", 0.04, (1930, 1955)),
    ("severe_disability", 0.08, (1950, 2010)),
    ("child_in_difficulty", 0.04, (2010, 2020)),
    ("child_left_behind", 0.03, (2010, 2020)),
    ("orphan", 0.01, (2008, 2020)),
    ("temporary_relief", 0.05, (1950, 2000)),
]
HIGH_SHARE, KEY_SHARE = 0.05, 0.27
DEMO_WORKER_USERNAME = "shegong"
DEMO_WORKER_TOWNSHIP = "500103002000"


def _workers_by_township(ctx):
    from shegong.people.models import SocialWorker

    by_township: dict[str, list] = {}
    for worker in SocialWorker.objects.all().order_by("pk"):
        by_township.setdefault((worker.region_code or "")[:9], []).append(worker)
    demo_worker = SocialWorker.objects.filter(user__username=DEMO_WORKER_USERNAME).first()
    if demo_worker is None:
        from shegong.accounts.models import User

        user = User.objects.filter(username=DEMO_WORKER_USERNAME).first()
        if user is not None:
            demo_worker = SocialWorker.objects.create(
                name="张晓", user=user, region_code=DEMO_WORKER_TOWNSHIP
            )
            by_township.setdefault(DEMO_WORKER_TOWNSHIP[:9], []).insert(0, demo_worker)
    return by_township, demo_worker


def load(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    rooms = [room for room in ctx.rooms if room.region_code.startswith("500103")]
    if not rooms:
        return
    stations = {s.region_code[:9]: s for s in ctx.stations}
    categories = {c.code: c for c in Category.objects.all()}
    by_township, demo_worker = _workers_by_township(ctx)
    registered = today - datetime.timedelta(days=420)
    recipients, memberships = [], []
    serial_by_birth: dict[str, int] = {}
    demo_count = 0
    for index in range(TOTAL):
        room = rooms[index % len(rooms)] if index % 7 else rng.choice(rooms)
        township = room.region_code[:9]
        roll = rng.random()
        cumulative, chosen = 0.0, [("dibao", 1.0, (1935, 2005))]
        for code, share, years in CATEGORY_MIX:
            cumulative += share
            if roll < cumulative:
                chosen = [(code, share, years)]
                break
        if rng.random() < 0.18:
            extra = rng.choice(CATEGORY_MIX[:6])
            if extra[0] != chosen[0][0]:
                chosen.append(extra)
        low, high = chosen[0][2]
        birth = datetime.date(rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))
        key = f"{birth:%Y%m%d}"
        serial_by_birth[key] = serial_by_birth.get(key, 0) + 1
        first17 = f"500103{key}{serial_by_birth[key] % 1000:03d}"
        number = first17 + id_check_digit(first17)
        tier_roll = rng.random()
        tier = (
            RiskTier.HIGH
            if tier_roll < HIGH_SHARE
            else RiskTier.KEY
            if tier_roll < HIGH_SHARE + KEY_SHARE
            else RiskTier.GENERAL
        )
        workers = by_township.get(township, [])
        worker = None
        if township == DEMO_WORKER_TOWNSHIP[:9] and demo_worker is not None and demo_count < 70:
            worker = demo_worker
            demo_count += 1
        elif workers:
            worker = workers[index % len(workers)]
        reason = {RiskTier.HIGH: "独居且患慢性病，近期跌倒", RiskTier.KEY: "高龄独居或重度残疾"}.get(tier, "")
        recipient = Recipient(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            id_number=number,
            birth_date=birth,
            sex="M" if int(number[16]) % 2 else "F",
            phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            address=f"{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}-{rng.randint(1, 6)}",
            region_id=room.region_id,
            region_code=room.region_code,
            station=stations.get(township),
            worker=worker,
            risk_tier=tier,
            risk_reason=reason,
            registered_on=registered,
            risk_review_on=today + datetime.timedelta(days=rng.randint(10, 180))
            if tier != RiskTier.GENERAL
            else None,
        )
        codes = {c[0] for c in chosen}
        rule = policy.strictest(policy.DEFAULT_RULES, codes, tier)
        recipient.frequency = rule.frequency if rule else ""
        recipients.append(recipient)
        memberships.append(
            [
                (categories[c], registered - datetime.timedelta(days=rng.randint(0, 900)))
                for c in codes
                if c in categories
            ]
        )
    Recipient.objects.bulk_create(recipients, batch_size=1000)
    rows, entries = [], []
    for recipient, items in zip(recipients, memberships, strict=True):
        for category, start in items:
            rows.append(
                CategoryMembership(
                    recipient=recipient,
                    category=category,
                    start_on=start,
                    authority="渝中区民政局",
                    region_code=recipient.region_code,
                )
            )
        entries.append(
            TimelineEntry(
                recipient=recipient,
                kind="create",
                message=lines.DEMO_CREATED,
                summary=lines.render(lines.DEMO_CREATED),
                actor_name="demo",
                region_code=recipient.region_code,
                at=datetime.datetime.combine(registered, datetime.time(9), tzinfo=datetime.UTC),
            )
        )
    CategoryMembership.objects.bulk_create(rows, batch_size=2000)
    TimelineEntry.objects.bulk_create(entries, batch_size=2000)
    ctx.demo_recipients = recipients
    ctx.demo_worker = demo_worker
