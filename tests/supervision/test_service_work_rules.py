"""A supervisor sees the groups, activities and requests of its supervisees and none of a colleague's
(docs/roles.md): groups through their leader and co-leaders, activities through the station that held them,
requests through the worker they were dispatched to."""

import datetime

import pytest

from shegong.activities.models import Activity
from shegong.core.scoping import Relation, Scope, activate
from shegong.demands.models import DemandRequest
from shegong.groups.models import Group, GroupSession
from shegong.network.models import NodeLevel
from shegong.people.models import SocialWorker
from shegong.projects.models import Project
from tests.demands.helpers import public_request
from tests.factories import make_node

from .helpers import posted_worker, supervise, supervisor_with_account

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _group(world, name, leader, node, co_leader=None):
    group = Group.objects.create(
        node=node,
        name=name,
        kind="support",
        purpose="互助",
        leader=leader,
        planned_sessions=4,
        starts_on=TODAY,
    )
    if co_leader is not None:
        group.co_leaders.add(co_leader)
    GroupSession.objects.create(
        group=group, number=1, held_on=TODAY, place="活动室", content=name, idempotency_key=f"{group.pk:032x}"
    )
    return group


def _seen(world, user):
    relation = Relation("supervisor", world.regions["town_a"].code, user_id=user.pk)
    with activate(Scope.of([relation.region_code], wide=[], relations=[relation])):
        return {
            "groups": set(Group.objects.values_list("name", flat=True)),
            "sessions": set(GroupSession.objects.values_list("content", flat=True)),
            "activities": set(Activity.objects.values_list("title", flat=True)),
            "requests": {r.description for r in DemandRequest.objects.all()},
            "projects": Project.objects.count(),
        }


def test_a_worker_supervisor_sees_its_supervisees_groups_and_requests_only(world):
    supervisor, user = supervisor_with_account(world)
    room = make_node(world.regions["village_a2"], NodeLevel.ROOM)
    mine = posted_worker(world, "被督导社工", 1, node=room)
    other = posted_worker(world, "别人的社工", 2, node=room)
    supervise(supervisor, worker=mine)
    _group(world, "我的小组", mine, room)
    _group(world, "协同带领的小组", other, room, co_leader=mine)
    _group(world, "别人的小组", other, room)
    Activity.objects.create(node=world.station_a, title="站点活动")
    for description, worker in (("派给被督导社工的需求", mine), ("派给别人的需求", other)):
        req = public_request(description=description)
        DemandRequest.objects.filter(pk=req.pk).update(worker=worker)
    seen = _seen(world, user)
    assert seen["groups"] == {"我的小组", "协同带领的小组"}
    assert seen["sessions"] == {"我的小组", "协同带领的小组"}
    assert seen["activities"] == set()  # held at a station it does not supervise
    assert seen["requests"] == {"派给被督导社工的需求"}
    assert seen["projects"] == 0


def test_a_station_supervisor_sees_the_stations_activities_and_its_workers_groups(world):
    supervisor, user = supervisor_with_account(world, name="站点督导")
    supervise(supervisor, node=world.station_a)
    at_station = posted_worker(world, "站点社工", 3)
    elsewhere = posted_worker(
        world, "村室社工", 4, node=make_node(world.regions["village_a2"], NodeLevel.ROOM)
    )
    _group(world, "站点小组", at_station, world.station_a)
    _group(world, "村室小组", elsewhere, world.station_a)
    Activity.objects.create(node=world.station_a, title="站点活动")
    Activity.objects.create(node=world.station_b, title="别站活动")
    seen = _seen(world, user)
    assert seen["groups"] == {"站点小组"}
    assert seen["activities"] == {"站点活动"}
    assert not SocialWorker.objects.filter(name="村室社工", supervisions__isnull=False).exists()
