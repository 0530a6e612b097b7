"""The demo city's service network: a district guidance centre, 4 street hubs, 11 stations and 79 rooms of which
32 are standardised (seed 000), and three stations in Jiulongpo."""

from __future__ import annotations

import datetime
from decimal import Decimal

from shegong.regions.demo import JIULONGPO, YUZHONG

from .models import NodeDocument, NodeLevel, NodeStatus, ServiceNode

HUB_STREETS = ["002", "004", "010", "011"]
JIULONGPO_STATIONS = ["001", "003", "005"]


def already_loaded() -> bool:
    return ServiceNode.objects.filter(region_id=YUZHONG, level=NodeLevel.CENTRE).exists()


def load(ctx) -> None:
    yuzhong = ctx.region_tree[YUZHONG]
    jiulongpo = ctx.region_tree[JIULONGPO]
    agency = ctx.agencies[0]
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
        # Stations are contracted to different agencies (the people demo employs each station's workers at the same
        # one), so an agency's manager sees its own stations' recipients and workers, not the district's.
        operator = ctx.agencies[index % min(len(ctx.agencies), 8)]
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
            operator=operator,
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
                operator=operator,
            )
            ctx.rooms.append(room)
    _development(ctx)
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


def _development(ctx) -> None:
    """一年覆盖、二年规范、三年提升: the stations opened in 2021 are at different stages; one is a city-level
    demonstration station (示范站), as seed 004 describes."""
    from .models import Demonstration, DevelopmentStage, StationStage

    evidence = {
        DevelopmentStage.COVERED: "挂牌照片、运营协议、驻站社工名单",
        DevelopmentStage.STANDARDISED: "规范化建设验收报告（五有达标）",
        DevelopmentStage.IMPROVED: "服务品牌案例集、第三方评估报告",
    }
    steps = []
    for index, station in enumerate(ctx.stations):
        reached = 1 + index % 3  # covered; covered and standardised; all three
        for n, stage in enumerate(list(DevelopmentStage)[:reached]):
            day = datetime.date(2022 + n, 6, 30)
            steps.append(
                StationStage(
                    node=station,
                    stage=stage,
                    reached_on=day,
                    evidence=evidence[stage],
                    region_code=station.region_id,
                )
            )
    StationStage.objects.bulk_create(steps)
    if len(ctx.stations) > 2:
        model = ctx.stations[2]
        Demonstration.objects.bulk_create(
            [
                Demonstration(
                    node=model,
                    level="county",
                    year=2024,
                    named_by="渝中区民政局",
                    region_code=model.region_id,
                ),
                Demonstration(
                    node=model, level="city", year=2025, named_by="重庆市民政局", region_code=model.region_id
                ),
            ]
        )
