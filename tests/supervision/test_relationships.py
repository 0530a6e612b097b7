"""A supervisor sees its supervisees' work and nothing else of the region (docs/roles.md)."""

import datetime

import pytest

from shegong.core.scoping import Relation, Scope, activate
from shegong.network.models import NodeLevel
from shegong.people import selectors as people_selectors
from shegong.people.models import SocialWorker
from shegong.recipients.models import Recipient
from shegong.visits.models import Visit
from tests.factories import login_client, make_node
from tests.recipients.helpers import id_number

from .helpers import days_ago, posted_worker, supervise, supervisor_with_account

pytestmark = pytest.mark.django_db


def _recipient(world, name, worker, seq):
    recipient = Recipient.objects.create(
        region=world.regions["village_a1"],
        name=name,
        id_number=id_number(region="500103", birth=f"1945031{seq}"),
        worker=worker,
        station=world.station_a,
    )
    visit = Visit.objects.create(
        recipient=recipient, worker=worker, idempotency_key=f"00000000-0000-0000-0000-00000000000{seq}"
    )
    return recipient, visit


@pytest.fixture
def setting(world):
    supervisor, user = supervisor_with_account(world)
    mine = posted_worker(world, "被督导社工", 1)
    other = posted_worker(world, "别人的社工", 2, node=make_node(world.regions["village_a2"], NodeLevel.ROOM))
    supervise(supervisor, worker=mine)
    mine_recipient, mine_visit = _recipient(world, "张大爷", mine, 1)
    other_recipient, other_visit = _recipient(world, "李大妈", other, 2)
    return {
        "user": user,
        "supervisor": supervisor,
        "mine": mine,
        "other": other,
        "visits": (mine_visit, other_visit),
        "recipients": (mine_recipient, other_recipient),
    }


def test_supervisor_sees_its_supervisees_work_and_gets_404_for_anyone_elses(client, setting):
    login_client(client, setting["user"])
    mine, other = setting["mine"], setting["other"]
    assert client.get(f"/people/workers/{mine.pk}/").status_code == 200
    assert client.get(f"/people/workers/{other.pk}/").status_code == 404
    listed = client.get("/people/workers/").content.decode()
    assert mine.name in listed and other.name not in listed
    mine_visit, other_visit = setting["visits"]
    assert client.get(f"/visits/{mine_visit.pk}/").status_code == 200
    assert client.get(f"/visits/{other_visit.pk}/").status_code == 404
    assert client.get(f"/api/v1/visits/{other_visit.pk}").status_code == 404
    ids = {row["id"] for row in client.get("/api/v1/visits").json()["results"]}
    assert ids == {mine_visit.pk}


def test_station_assignment_covers_the_workers_in_post_there(world, setting):
    station_supervisor, user = supervisor_with_account(world, name="站点督导")
    supervise(station_supervisor, node=world.station_a)
    relation = Relation("supervisor", world.regions["town_a"].parent_id, user_id=user.pk)
    with activate(Scope.of([relation.region_code], wide=[], relations=[relation])):
        seen = set(SocialWorker.objects.values_list("name", flat=True))
        recipients = set(Recipient.objects.values_list("name", flat=True))
    assert seen == {"被督导社工"}  # in post at station A; the other worker is posted elsewhere
    assert recipients == {"张大爷"}


def test_an_ended_or_future_assignment_shows_nothing(world, setting):
    supervisor, user = setting["supervisor"], setting["user"]
    assignment = supervisor.assignments.get()
    assignment.end_date = days_ago(1)
    assignment.save()
    supervise(supervisor, worker=setting["other"], start=-5)  # begins in five days
    relation = Relation("supervisor", world.regions["town_a"].code, user_id=user.pk)
    with activate(Scope.of([relation.region_code], wide=[], relations=[relation])):
        assert not SocialWorker.objects.exists()
        assert not Visit.objects.exists()


def test_selectors_for_the_service_apps(world, setting):
    supervisor, user, mine = setting["supervisor"], setting["user"], setting["mine"]
    station_supervisor, _user = supervisor_with_account(world, name="站点督导")
    supervise(station_supervisor, node=world.station_a)
    assert list(people_selectors.supervisors_of_station(world.station_a)) == [station_supervisor]
    assert set(people_selectors.supervisors_of_worker(mine)) == {supervisor, station_supervisor}
    assert people_selectors.supervised_worker_ids(user) == {mine.pk}
    assert people_selectors.supervises(user, mine) and not people_selectors.supervises(user, setting["other"])
    assert people_selectors.supervisor_of_user(user) == supervisor
    future = datetime.date.today() + datetime.timedelta(days=400)
    assert people_selectors.supervised_worker_ids(user, on=future) == {mine.pk}  # open-ended
