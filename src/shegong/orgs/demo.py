"""Demo organisations for Yuzhong (seed 000): 46 social-work agencies, 928 community social organisations and
the hubs that incubate them."""

from __future__ import annotations

import datetime

from shegong.accounts.models import RoleAssignment
from shegong.core.identity import CREDIT_ALPHABET, credit_check_char

from .models import Organisation, OrgCategory, OrgFilingStatus, OrgKind, PartyBranch

AGENCIES = 46
COMMUNITY_ORGS = 928
HUB_NAMES = [
    "渝中区社会工作协会",
    "渝中区志愿服务联合会",
    "渝中区社会组织孵化基地",
    "解放碑街道社会组织服务中心",
    "上清寺街道社会组织服务中心",
    "大坪街道社会组织服务中心",
]
AGENCY_WORDS = [
    "阳光",
    "同心",
    "暖心",
    "仁爱",
    "和美",
    "善行",
    "心桥",
    "朝阳",
    "山城",
    "嘉陵",
    "长江",
    "众爱",
    "乐康",
    "守望",
    "启明",
    "聚力",
]
COMMUNITY_KINDS = [
    ("文体队", OrgCategory.PUBLIC_SERVICE),
    ("志愿服务队", OrgCategory.PUBLIC_SERVICE),
    ("议事会", OrgCategory.GOVERNANCE),
    ("调解委员会", OrgCategory.GOVERNANCE),
    ("老年协会", OrgCategory.PUBLIC_SERVICE),
    ("睦邻互助会", OrgCategory.GOVERNANCE),
]


def credit_code(rng, kind_digit: str) -> str:
    body = "5" + kind_digit + "500103" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    return body + credit_check_char(body)


def load(ctx) -> None:
    district = ctx.district
    rng = ctx.rng
    first = Organisation.objects.create(
        name="重庆市渝中区社会工作服务中心", credit_code=None, kind=OrgKind.AGENCY, region=district
    )
    ctx.agencies.append(first)
    # The demo operator (运营机构负责人) runs this agency.
    RoleAssignment.objects.filter(role="operator", user__username="jigou").update(organisation=first)
    first.credit_code = credit_code(rng, "2")
    first.category = OrgCategory.SOCIAL_WORK
    first.rating, first.rating_date = "5A", datetime.date(2023, 11, 20)
    first.party_branch = PartyBranch.INDEPENDENT
    first.save()

    hubs = [
        Organisation(
            name=name,
            credit_code=credit_code(rng, "1"),
            kind=OrgKind.HUB,
            category=OrgCategory.HUB_SUPPORT,
            region=district,
            region_code=district.code,
            party_branch=PartyBranch.INDEPENDENT,
            founded_on=datetime.date(2016 + i % 5, 3, 1),
        )
        for i, name in enumerate(HUB_NAMES)
    ]
    Organisation.objects.bulk_create(hubs)

    agencies = []
    for i in range(AGENCIES - 1):
        rating = rng.choice(["", "", "3A", "3A", "4A", "5A"])
        rated_on = datetime.date(2022 + i % 3, 1 + i % 12, 15) if rating else None
        agencies.append(
            Organisation(
                name=f"重庆市渝中区{AGENCY_WORDS[i % len(AGENCY_WORDS)]}社会工作服务中心"
                + ("" if i < 16 else f"（{i - 15}）"),
                credit_code=credit_code(rng, "2"),
                kind=OrgKind.AGENCY,
                category=OrgCategory.SOCIAL_WORK,
                region=district,
                region_code=district.code,
                rating=rating,
                rating_date=rated_on,
                rating_expires=rated_on.replace(year=rated_on.year + 5) if rated_on else None,
                party_branch=PartyBranch.INDEPENDENT if i % 3 else PartyBranch.HUB,
                incubated_by=hubs[2] if i % 4 == 0 else None,
                contact=rng.choice("王李张刘陈杨黄赵") + "主任",
                founded_on=datetime.date(2012 + i % 10, 1 + i % 12, 1),
            )
        )
    Organisation.objects.bulk_create(agencies)
    ctx.agencies.extend(agencies)

    villages = ctx.villages
    community = []
    for i in range(COMMUNITY_ORGS):
        village = villages[i % len(villages)]
        suffix, category = COMMUNITY_KINDS[i % len(COMMUNITY_KINDS)]
        filed = i % 10 < 8
        street_hub = (
            hubs[3]
            if village.code[:9] == "500103002"
            else hubs[4]
            if village.code[:9] == "500103004"
            else None
        )
        community.append(
            Organisation(
                name=f"{village.name}{suffix}"
                + (f"（{i // len(villages) + 1}）" if i >= len(villages) * 6 else ""),
                credit_code=credit_code(rng, "1") if i % 7 == 0 else None,
                kind=OrgKind.COMMUNITY,
                category=category,
                region=village,
                region_code=village.code,
                filing_status=OrgFilingStatus.FILED if filed else OrgFilingStatus.PENDING,
                filed_on=datetime.date(2020 + i % 5, 1 + i % 12, 1 + i % 28) if filed else None,
                incubated_by=street_hub or (hubs[2] if i % 3 == 0 else None),
                party_branch=PartyBranch.HUB if i % 5 == 0 else PartyBranch.NONE,
            )
        )
    Organisation.objects.bulk_create(community, batch_size=500)
