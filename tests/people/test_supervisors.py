"""The supervisor register and supervision relationships (a registry fact the service apps read)."""

import pytest

from shegong.audit.models import AuditEvent
from shegong.people.models import SupervisionAssignment, Supervisor
from tests.factories import login_client, make_user

from .helpers import make_worker

pytestmark = pytest.mark.django_db


def test_register_a_supervisor_and_assign_it(world, client):
    login_client(client, make_user("official"))
    data = {"name": "何督导", "region": world.regions["town_a"].code, "kind": "external", "level": "local"}
    response = client.post("/people/supervisors/new/", data)
    assert response.status_code == 422 and "外聘督导须填写所属机构" in response.content.decode()
    assert "何督导" in response.content.decode()
    data["organisation"] = world.org_a.pk
    assert client.post("/people/supervisors/new/", data).status_code == 302
    supervisor = Supervisor.objects.get(name="何督导")
    worker = make_worker(world.regions["town_a"], name="王小红")
    url = f"/people/supervisors/{supervisor.pk}/assign/"
    response = client.post(url, {"worker": worker.pk, "node": world.station_a.pk, "start_date": "2026-01-01"})
    assert response.status_code == 422, response.context["form"].errors
    assert "只选其一" in response.content.decode(), response.context["form"].errors
    assert client.post(url, {"worker": worker.pk, "start_date": "2026-01-01"}).status_code == 302
    assignment = SupervisionAssignment.objects.get()
    assert assignment.region_code == worker.region_code
    response = client.post(url, {"worker": worker.pk, "start_date": "2026-02-01"})
    assert "该督导关系已存在" in response.content.decode()
    assert client.post(f"/people/supervisions/{assignment.pk}/end/").status_code == 302
    assignment.refresh_from_db()
    assert assignment.end_date is not None
    page = client.get(f"/people/supervisors/{supervisor.pk}/").content.decode()
    assert "王小红" in page and assignment.end_date.isoformat() in page
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"people.supervisor.create", "people.supervision.assign", "people.supervision.end"} <= actions


def test_a_supervisor_cannot_change_the_register(world, client):
    login_client(client, make_user("supervisor"))
    assert client.get("/people/supervisors/").status_code == 200
    assert client.get("/people/supervisors/new/").status_code == 403
