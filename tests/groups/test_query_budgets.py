"""The group and activity lists, a group's page and the station page read a fixed number of queries, however many
rows there are."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shegong.activities import services as activity_services
from shegong.groups import services
from shegong.people.models import SocialWorker
from tests.factories import TOWN_A, VILLAGE_A1, login_client, make_user
from tests.recipients.helpers import make_recipient, system

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _fill(world, n):
    leader = SocialWorker.objects.create(region=world.regions["town_a"], name=f"组长{n}")
    for i in range(n):
        group = services.group_create(
            actor=system(),
            data={
                "node": world.station_a,
                "name": f"小组{n}-{i}",
                "kind": "support",
                "purpose": "目标",
                "leader": leader,
                "starts_on": TODAY - datetime.timedelta(days=20),
            },
        )
        member = services.member_add(
            actor=system(),
            group=group,
            recipient=make_recipient(VILLAGE_A1, name=f"对象{n}{i}"),
            joined_on=TODAY - datetime.timedelta(days=20),
        )
        services.member_add(
            actor=system(), group=group, name="居民", joined_on=TODAY - datetime.timedelta(days=20)
        )
        for d in (10, 3):
            services.session_record(
                actor=system(),
                group=group,
                data={"held_on": TODAY - datetime.timedelta(days=d), "place": "室", "content": "内容"},
                present=[member.pk],
                idempotency_key=uuid.uuid4(),
            )
        activity_services.activity_record(
            actor=system(),
            node=world.station_a,
            data={"title": f"活动{i}", "kind": "community", "held_on": TODAY, "participants": 5},
            idempotency_key=uuid.uuid4(),
        )
    return group


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/groups/", "/activities/", "/dashboards/station/", "group"])
def test_pages_read_a_fixed_number_of_queries(world, client, path):
    login_client(client, make_user("township", region_code=TOWN_A))
    small = _fill(world, 1)
    url = f"/groups/{small.pk}/" if path == "group" else path
    client.get(url)  # the first request of a session reads the session and account once more
    few = _queries(client, url)
    large = _fill(world, 6)
    url = f"/groups/{large.pk}/" if path == "group" else path
    many = _queries(client, url)
    assert many == few, f"{path}: {few} queries with few rows, {many} with more"
    # The station page also reads the caseload (the case time policies and one grouped query, tests/dashboards).
    assert few <= (18 if path == "/dashboards/station/" else 16)
