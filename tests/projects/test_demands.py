"""Projects read the demand list (docs/demands.md): the project page shows its service regions' demand list with
the items it answers marked, the create form offers the list as a picker for demand_codes, and a "demands resolved"
target counts the requests resolved under the project."""

import datetime

import pytest
from django.utils import timezone

from shegong.demands.models import DemandRequest
from shegong.projects import selectors, services
from tests.demands.helpers import item, public_request
from tests.factories import login_client

from .helpers import make_project, official

pytestmark = pytest.mark.django_db


def test_a_demands_resolved_target_counts_the_requests_resolved_under_the_project(world):
    project = make_project(world)
    services.target_set(actor=official(world), project=project, indicator="demands_resolved", quantity="10")
    resolved_on = timezone.make_aware(datetime.datetime(2026, 3, 5, 10))
    village = world.regions["village_a1"]

    def request(n, **fields):
        DemandRequest.objects.create(
            tracking_code=f"P{n}",
            region=village,
            channel="phone",
            description="修水管",
            received_at=resolved_on,
            **fields,
        )

    for n in range(4):
        request(n, status="resolved", resolved_at=resolved_on, project=project)
    request(5, status="resolved", resolved_at=resolved_on)  # resolved, not under the project
    request(6, project=project)  # still open: not counted
    [progress] = selectors.progress(project, today=datetime.date(2026, 6, 30))
    assert progress.counted and progress.actual == 4


def test_the_project_page_shows_its_regions_demand_list_and_what_it_answers(world, client):
    meals = item("elderly.meals")
    for _ in range(2):
        req = public_request()
        DemandRequest.objects.filter(pk=req.pk).update(item=meals)
    project = make_project(
        world,
        starts_on=datetime.date.today() - datetime.timedelta(days=30),
        ends_on=datetime.date.today() + datetime.timedelta(days=300),
    )
    project.demand_codes = ["elderly.meals"]
    project.save()
    [line] = selectors.project_demands(project)
    assert (line.code, line.requests, line.chosen) == ("elderly.meals", 2, True)
    login_client(client, world.official_a)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    section = page[page.index('id="demands"') :]
    assert meals.name in section[: section.index("</section>")]
    form = client.get("/projects/new/").content.decode()
    assert 'value="elderly.meals"' in form and meals.name in form
