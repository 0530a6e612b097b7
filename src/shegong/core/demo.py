"""The demo city: Chongqing's Yuzhong district (500103) as seed 000 describes it, plus a neighbour for contrast.

Yuzhong: 11 streets, 79 communities, a district guidance centre, 4 street hubs, 11 stations and 79 rooms of which
32 are standardised. Each domain app adds its own demo data through a `demo.load(ctx)` function.
"""

from __future__ import annotations

import datetime
import importlib
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from shegong.network.models import NodeDocument, NodeLevel, NodeStatus, ServiceNode
from shegong.orgs.models import Organisation, OrgKind
from shegong.regions.models import Region, RegionStandard

DEMO_PASSWORD = "Shegong-Demo-2026"

CITY = ("500000000000", "重庆市", None)
CITY_DISTRICTS = ("500100000000", "市辖区", "500000000000")
YUZHONG = "500103000000"

# (township digits, name, community names)
YUZHONG_STREETS = [
    ("001", "七星岗街道", ["七星岗", "领事巷", "金汤街", "通远门", "兴隆街", "中山一路", "和平路", "双钢路"]),
    ("002", "解放碑街道", ["解放碑", "民族路", "五一路", "大井巷", "较场口", "人和街", "青年路"]),
    ("003", "两路口街道", ["两路口", "桂花园", "中山三路", "山城巷", "燕喜洞", "鹅岭", "枇杷山"]),
    (
        "004",
        "上清寺街道",
        ["上清寺", "美专校街", "学田湾", "嘉陵桥东", "牛角沱", "中山四路", "春森路", "王家坡"],
    ),
    ("005", "菜园坝街道", ["菜园坝", "燕子岩", "石板坡", "新民街", "回水沟", "铁路村"]),
    ("006", "南纪门街道", ["南纪门", "凯旋路", "储奇门", "解放西路", "守备街", "花街子", "厚慈街"]),
    ("008", "朝天门街道", ["朝天门", "东水门", "望龙门", "陕西路", "白象街", "新华路"]),
    ("009", "大溪沟街道", ["大溪沟", "人民路", "双溪沟", "黄花园", "马鞍山", "张家花园"]),
    (
        "010",
        "大坪街道",
        ["大坪正街", "大黄路", "袁家岗", "虎头岩", "肖家湾", "马家堡", "黄杨村", "浮图关", "大坪北"],
    ),
    (
        "011",
        "化龙桥街道",
        ["化龙桥", "李子坝", "红岩村", "佛图关", "虎头岩北", "嘉陵新村", "重庆村", "鹅岭正街"],
    ),
    ("012", "石油路街道", ["石油路", "大坪东", "渝州路", "龙湖", "万科", "时代天街", "石油村"]),
]
HUB_STREETS = ["002", "004", "010", "011"]

JIULONGPO = "500107000000"
JIULONGPO_STREETS = [
    ("001", "杨家坪街道", ["杨家坪", "西郊", "兴胜路", "团结路"]),
    ("002", "黄桷坪街道", ["黄桷坪", "正街", "铁路三村"]),
    ("003", "谢家湾街道", ["谢家湾", "鹤兴路", "华岩村"]),
    ("004", "石坪桥街道", ["石坪桥", "横街", "兴隆"]),
    ("005", "石桥铺街道", ["石桥铺", "科园", "高新"]),
]
JIULONGPO_STATIONS = ["001", "003", "005"]


@dataclass
class DemoContext:
    """What the demo builds, handed to each app's `demo.load` so it can attach its own data."""

    actor: object
    rng: random.Random
    today: datetime.date
    district: Region | None = None
    centre: ServiceNode | None = None
    stations: list[ServiceNode] = field(default_factory=list)
    rooms: list[ServiceNode] = field(default_factory=list)
    agencies: list[Organisation] = field(default_factory=list)
    logins: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> (username, region name)


def _region(code: str, name: str, level: int, parent: str | None) -> Region:
    region, _ = Region.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent_id": parent}
    )
    return region


def _district(code: str, name: str, streets) -> list[tuple[Region, list[Region]]]:
    district = _region(code, name, 3, CITY_DISTRICTS[0])
    tree = []
    for digits, street_name, communities in streets:
        street = _region(code[:6] + digits + "000", street_name, 4, district.code)
        villages = [
            _region(street.code[:9] + f"{i:03d}", f"{c}社区", 5, street.code)
            for i, c in enumerate(communities, start=1)
        ]
        tree.append((street, villages))
    return tree


def build_network(ctx: DemoContext) -> None:
    _region(*CITY[:2], 1, None)
    _region(CITY_DISTRICTS[0], CITY_DISTRICTS[1], 2, CITY[0])
    yuzhong = _district(YUZHONG, "渝中区", YUZHONG_STREETS)
    jiulongpo = _district(JIULONGPO, "九龙坡区", JIULONGPO_STREETS)
    ctx.district = Region.objects.get(code=YUZHONG)
    RegionStandard.objects.get_or_create(region=ctx.district, defaults={"station_min_fulltime": 2})

    agency = Organisation.objects.create(
        name="重庆市渝中区社会工作服务中心", credit_code=None, kind=OrgKind.AGENCY, region=ctx.district
    )
    ctx.agencies.append(agency)
    ctx.centre = ServiceNode.objects.create(
        level=NodeLevel.CENTRE,
        region=ctx.district,
        name="渝中区社会工作指导中心",
        address="渝中区人民路 252 号",
        site_area=Decimal("420"),
        function_rooms=["casework", "group", "multi", "office"],
        has_signage=True,
        opening_date=datetime.date(2021, 6, 1),
        operator=agency,
    )
    total_rooms = sum(len(villages) for _, villages in yuzhong)
    standardised_indexes = set(ctx.rng.sample(range(total_rooms), 32))
    for index, (street, villages) in enumerate(yuzhong):
        digits = street.code[6:9]
        if digits in HUB_STREETS:
            ServiceNode.objects.create(
                level=NodeLevel.HUB,
                region=street,
                name=f"{street.name}社会工作指导站",
                address=f"渝中区{street.name}",
                has_signage=True,
                operator=agency,
            )
        station = ServiceNode.objects.create(
            level=NodeLevel.STATION,
            region=street,
            name=f"{street.name}社工站",
            address=f"渝中区{street.name}{ctx.rng.randint(1, 200)}号",
            site_area=Decimal(ctx.rng.choice([120, 160, 200, 260, 300])),
            function_rooms=["casework", "group", "multi"] if index % 4 else ["casework", "multi"],
            has_signage=True,
            opening_date=datetime.date(2021, 3 + index % 9, 1),
            operator=agency,
        )
        ctx.stations.append(station)
        if index % 5 != 4:
            NodeDocument.objects.create(node=station, kind="rules", title="社工站管理制度汇编")
        for village in villages:
            standardised = len(ctx.rooms) in standardised_indexes
            room = ServiceNode.objects.create(
                level=NodeLevel.ROOM,
                region=village,
                name=f"{village.name}社会工作室",
                address=f"{street.name}{village.name}",
                site_area=Decimal(ctx.rng.choice([30, 40, 60, 80])),
                function_rooms=["casework"],
                has_signage=True,
                standardised=standardised,
                operator=agency,
            )
            ctx.rooms.append(room)
    for street, villages in jiulongpo:
        if street.code[6:9] in JIULONGPO_STATIONS:
            ServiceNode.objects.create(
                level=NodeLevel.STATION,
                region=street,
                name=f"{street.name}社工站",
                address=f"九龙坡区{street.name}",
                site_area=Decimal("150"),
                function_rooms=["casework", "group"],
                has_signage=True,
            )
            for village in villages[:2]:
                ServiceNode.objects.create(
                    level=NodeLevel.ROOM,
                    region=village,
                    name=f"{village.name}社会工作室",
                    status=NodeStatus.OPERATING,
                )


DEMO_USERS = [
    # role, username, display name, region code
    ("official", "minzheng", "渝中区民政局 王科长", YUZHONG),
    ("official", "shiju", "重庆市民政局 李处长", CITY_DISTRICTS[0]),
    ("township", "zhanzhang", "解放碑街道社工站 陈站长", "500103002000"),
    ("operator", "jigou", "渝中区社会工作服务中心 刘主任", YUZHONG),
    ("worker", "shegong", "解放碑街道社工 张晓", "500103002000"),
    ("supervisor", "dudao", "督导 周老师", YUZHONG),
    ("evaluator", "pinggu", "第三方评估 吴老师", YUZHONG),
    ("volunteer", "zhiyuanzhe", "志愿者 赵敏", "500103002000"),
    ("security_admin", "anquan", "安全管理员", YUZHONG),
    ("audit_admin", "shenji", "审计管理员", YUZHONG),
    ("system_admin", "xitong", "系统管理员", YUZHONG),
]


def build_users(ctx: DemoContext) -> None:
    from shegong.accounts.models import RoleAssignment, User

    for role, username, display, region in DEMO_USERS:
        user = User(username=username, display_name=display, must_change_password=False)
        user.set_password(DEMO_PASSWORD)
        user.save()
        org = ctx.agencies[0].pk if role in ("operator",) else None
        RoleAssignment.objects.create(user=user, role=role, region_id=region, organisation_id=org)


DOMAIN_DEMOS = [
    "shegong.orgs.demo",
    "shegong.people.demo",
    "shegong.recipients.demo",
    "shegong.services.demo",
]


def already_loaded() -> bool:
    return ServiceNode.objects.filter(region_id=YUZHONG, level=NodeLevel.CENTRE).exists()


def load(actor, *, seed: int = 103) -> DemoContext:
    ctx = DemoContext(actor=actor, rng=random.Random(seed), today=datetime.date.today())
    with transaction.atomic():
        build_network(ctx)
        build_users(ctx)
        for module_name in DOMAIN_DEMOS:
            importlib.import_module(module_name).load(ctx)
    return ctx
