"""The visit page's "转为需求" button comes from the demands app through ``visits.selectors.VISIT_ACTIONS`` (visits
never imports demands): it posts to /demands/from-visit/<id>/, and afterwards links to the request."""

import pytest

from shegong.demands.models import DemandRequest
from shegong.visits.services import visit_record
from tests.factories import VILLAGE_A1, login_client
from tests.recipients.helpers import key, make_recipient, visit_data

from .helpers import actor

pytestmark = pytest.mark.django_db


def _visit(worker, needs):
    recipient = make_recipient(VILLAGE_A1)
    visit, _ = visit_record(
        actor=worker, recipient=recipient, data={**visit_data(), "needs_found": needs}, idempotency_key=key()
    )
    return visit


def test_the_visit_page_turns_a_need_into_a_request(world, client):
    worker = actor("worker")
    visit = _visit(worker, "燃气灶老化")
    login_client(client, worker.user)
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert f'action="/demands/from-visit/{visit.pk}/"' in page and "转为需求" in page
    response = client.post(f"/demands/from-visit/{visit.pk}/")
    req = DemandRequest.objects.get(visit=visit)
    assert response.status_code == 302
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert f"/demands/{req.pk}/" in page and "from-visit" not in page


def test_no_button_without_a_need(world, client):
    worker = actor("worker")
    quiet = _visit(worker, "")
    login_client(client, worker.user)
    assert "转为需求" not in client.get(f"/visits/{quiet.pk}/").content.decode()
