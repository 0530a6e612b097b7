import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shegong.accounts.actor import Actor
from shegong.activities.models import Activity
from shegong.audit.models import AuditEvent
from shegong.core.scoping import activate
from shegong.network import services
from shegong.network.models import NodeLevel, ServiceNode
from shegong.network.selectors import five_haves
from shegong.people.models import Certificate, SocialWorker, WorkerAssignment
from shegong.regions.models import RegionStandard

from ..factories import DISTRICT, TOWN_A, TOWN_B, VILLAGE_A2, make_user


def actor_for(user):
    return Actor.for_user(user)


def test_official_creates_a_room_and_it_is_audited(world):
    actor = actor_for(world.official_a)
    with activate(actor.scope):
        node = services.node_create(
            actor=actor, data={"level": "room", "region": VILLAGE_A2, "name": "领事巷社工室"}
        )
    assert node.region_code == VILLAGE_A2
    assert AuditEvent.objects.filter(action="network.node.create", object_id=str(node.pk)).exists()


def test_a_station_must_sit_on_a_township(world):
    actor = actor_for(world.official_a)
    with activate(actor.scope), pytest.raises(ValidationError) as caught:
        services.node_create(
            actor=actor, data={"level": "station", "region": VILLAGE_A2, "name": "错层社工站"}
        )
    assert "region" in caught.value.message_dict


def test_one_open_station_per_township(world):
    actor = actor_for(world.official_a)
    with activate(actor.scope), pytest.raises(ValidationError):
        services.node_create(actor=actor, data={"level": "station", "region": TOWN_A, "name": "第二个站"})


def test_worker_may_not_create_nodes(world):
    worker = make_user("worker", region_code=TOWN_A)
    actor = actor_for(worker)
    with activate(actor.scope), pytest.raises(PermissionDenied):
        services.node_create(actor=actor, data={"level": "room", "region": VILLAGE_A2, "name": "x"})


def test_region_outside_scope_is_not_found(world):
    actor = actor_for(make_user("official", region_code=TOWN_B))
    with activate(actor.scope), pytest.raises(Http404):
        services.node_create(actor=actor, data={"level": "room", "region": VILLAGE_A2, "name": "x"})


def test_node_with_history_cannot_be_deleted(world):
    Activity.objects.create(node=world.station_a, title="活动")
    actor = actor_for(world.official_a)
    with activate(actor.scope), pytest.raises(ValidationError):
        services.node_delete(actor=actor, node=world.station_a)


def test_five_haves_follow_the_data(world):
    station = world.station_a
    station.function_rooms = []
    station.save()
    haves = five_haves([station])[station.pk]
    assert haves.site and not haves.functions and not haves.rules and not haves.activities and not haves.staff

    station.function_rooms = ["casework"]
    station.save()
    station.documents.create(kind="rules", title="制度", region_code=station.region_code)
    Activity.objects.create(node=station, title="重阳节活动", held_on=datetime.date.today())
    for i in range(2):
        worker = SocialWorker.objects.create(
            name=f"社工{i}",
            region_id=TOWN_A,
            certificate=Certificate.SOCIAL_WORKER if i else Certificate.NONE,
        )
        WorkerAssignment.objects.create(worker=worker, node=station, start_date=datetime.date(2024, 1, 1))
    haves = five_haves([station])[station.pk]
    assert haves.complete
    assert (haves.fulltime_workers, haves.certified_workers) == (2, 1)


def test_region_standard_raises_the_staffing_bar(world):
    station = world.station_a
    for i in range(2):
        worker = SocialWorker.objects.create(name=f"社工{i}", region_id=TOWN_A)
        WorkerAssignment.objects.create(worker=worker, node=station, start_date=datetime.date(2024, 1, 1))
    assert five_haves([station])[station.pk].staff
    RegionStandard.objects.create(region_id=DISTRICT, station_min_fulltime=6, station_min_certified=4)
    haves = five_haves([station])[station.pk]
    assert not haves.staff and haves.required_fulltime == 6


def test_site_area_cannot_be_negative(world):
    actor = actor_for(world.official_a)
    with activate(actor.scope), pytest.raises(ValidationError):
        services.node_update(actor=actor, node=world.station_a, data={"site_area": Decimal("-1")})
    assert ServiceNode.objects.get(pk=world.station_a.pk).site_area == Decimal("100")


def test_standardised_flag_is_only_for_rooms(world):
    actor = actor_for(world.official_a)
    with activate(actor.scope), pytest.raises(ValidationError):
        services.node_update(actor=actor, node=world.station_a, data={"standardised": True})
    assert NodeLevel.STATION == world.station_a.level
