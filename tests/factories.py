"""Test data: a small region tree with two sibling townships (A and B) and users in each."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from shegong.accounts.middleware import SESSION_OTP_OK
from shegong.accounts.models import RoleAssignment, User
from shegong.accounts.roles import BUSINESS_ROLES, Role
from shegong.network.models import NodeLevel, ServiceNode
from shegong.orgs.models import Organisation
from shegong.regions.models import Region

PASSWORD = "Correct-Horse-42"
_counter = itertools.count(1)

PROVINCE = "500000000000"
CITY = "500100000000"
DISTRICT = "500103000000"
TOWN_A = "500103001000"
TOWN_B = "500103002000"
VILLAGE_A1 = "500103001001"
VILLAGE_A2 = "500103001002"
VILLAGE_B1 = "500103002001"


def region(code: str, name: str, level: int, parent: str | None) -> Region:
    obj, _ = Region.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent_id": parent}
    )
    return obj


def region_tree() -> dict[str, Region]:
    return {
        "province": region(PROVINCE, "重庆市", 1, None),
        "city": region(CITY, "市辖区", 2, PROVINCE),
        "district": region(DISTRICT, "渝中区", 3, CITY),
        "town_a": region(TOWN_A, "七星岗街道", 4, DISTRICT),
        "town_b": region(TOWN_B, "解放碑街道", 4, DISTRICT),
        "village_a1": region(VILLAGE_A1, "金汤街社区", 5, TOWN_A),
        "village_a2": region(VILLAGE_A2, "领事巷社区", 5, TOWN_A),
        "village_b1": region(VILLAGE_B1, "民族路社区", 5, TOWN_B),
    }


def make_user(
    *roles: tuple[str, str] | str,
    region_code: str = TOWN_A,
    username: str | None = None,
    organisation: Organisation | None = None,
    password: str = PASSWORD,
    **extra,
) -> User:
    """make_user("worker") or make_user(("worker", TOWN_A), ("supervisor", DISTRICT))."""
    extra.setdefault("must_change_password", False)
    user = User(username=username or f"user{next(_counter)}", **extra)
    user.set_password(password)
    user.save()
    for item in roles:
        role, code = (item, region_code) if isinstance(item, str) else item
        RoleAssignment.objects.create(user=user, role=role, region_id=code, organisation=organisation)
    return user


def login_client(client, user):
    client.force_login(user)
    session = client.session
    session[SESSION_OTP_OK] = True
    session.save()
    return client


def make_node(region_obj: Region, level: str = NodeLevel.STATION, **extra) -> ServiceNode:
    defaults = {
        "name": f"{region_obj.name}{NodeLevel(level).label}",
        "address": f"{region_obj.name}1号",
        "site_area": Decimal("100"),
    }
    defaults.update(extra)
    return ServiceNode.objects.create(level=level, region=region_obj, **defaults)


@dataclass
class World:
    """Two sibling townships. Objects in A carry markers that B's users must never see."""

    regions: dict[str, Region]
    station_a: ServiceNode
    station_b: ServiceNode
    room_a: ServiceNode
    org_a: Organisation
    org_b: Organisation
    user_a: User
    user_b: User
    official_a: User
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def markers(self) -> list[str]:
        return [self.station_a.name, self.room_a.name, self.org_a.name] + [
            str(v) for k, v in self.extras.items() if k.startswith("marker")
        ]


ALL_BUSINESS = sorted(BUSINESS_ROLES)


def ensure_reference_data() -> None:
    """Rows the data migrations seed; a transactional test's flush removes them for the tests after it."""
    import importlib

    from django.apps import apps

    for module in (
        "shegong.recipients.migrations.0002_default_categories",
        "shegong.people.migrations.0003_pay_ladder_presets",
        "shegong.demands.migrations.0002_default_catalogue",
        "shegong.supervision.migrations.0002_topics",
    ):
        migration = importlib.import_module(module)
        loader = getattr(migration, "load", None) or migration.forwards
        loader(apps, None)


def build_world() -> World:
    ensure_reference_data()
    regions = region_tree()
    org_a = Organisation.objects.create(name="甲方社工机构MARKERA", kind="agency", region=regions["town_a"])
    org_b = Organisation.objects.create(name="乙方社工机构", kind="agency", region=regions["town_b"])
    station_a = make_node(regions["town_a"], name="七星岗社工站MARKERA")
    station_b = make_node(regions["town_b"], name="解放碑社工站")
    room_a = make_node(regions["village_a1"], NodeLevel.ROOM, name="金汤街社工室MARKERA")
    user_a = make_user(
        *[(r, TOWN_A) for r in ALL_BUSINESS],
        ("audit_admin", TOWN_A),
        ("security_admin", TOWN_A),
        username="alice",
        organisation=None,
    )
    user_b = make_user(
        *[(r, TOWN_B) for r in ALL_BUSINESS],
        ("audit_admin", TOWN_B),
        ("security_admin", TOWN_B),
        username="bob",
    )
    official_a = make_user(("official", DISTRICT), username="official")
    return World(regions, station_a, station_b, room_a, org_a, org_b, user_a, user_b, official_a)


def today() -> datetime.date:
    return datetime.date.today()


__all__ = ["Role", "World", "build_world", "make_user", "make_node", "login_client", "region_tree"]
