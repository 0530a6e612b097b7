"""The visit form keeps the chosen photos through an error, points at each error, and lets the recipient's assigned
worker (and nobody else) call the recipient with an audited reveal."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shegong.audit.models import AuditEvent
from shegong.people.models import SocialWorker
from shegong.visits.models import FINDINGS, PhotoDraft, Visit
from shegong.visits.services import CALL_REASON
from tests.factories import TOWN_A, VILLAGE_A1, make_user
from tests.recipients.helpers import make_recipient

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = "13812345678"


def _form(key=None, **extra) -> dict:
    data = {
        "idempotency_key": str(key or uuid.uuid4()),
        "method": "home",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    data.update({f"f_{key}": "ok" for key, _label in FINDINGS})
    data.update(extra)
    return data


def _worker(user, name="责任社工"):
    from shegong.regions.models import Region

    return SocialWorker.objects.create(region=Region.objects.get(code=TOWN_A), name=name, user=user)


def test_a_photo_chosen_before_an_error_is_kept_and_saved_with_the_visit(world, login, client):
    person = make_recipient(VILLAGE_A1)
    login(world.user_a)
    key = uuid.uuid4()
    photo = SimpleUploadedFile("门口.png", PNG, content_type="image/png")
    response = client.post(
        f"/visits/new/{person.pk}/", {**_form(key, location="北京", location_consent="on"), "photos": photo}
    )
    assert response.status_code == 200
    held = response.context["held_photos"]
    assert [p.name for p in held] == ["门口.png"]
    page = response.content.decode()
    assert "已保留" in page and 'name="keep_photo"' in page
    # The summary links to the field in error.
    assert 'href="#id_location"' in page
    assert response.context["error_summary"][0]["anchor"] == "id_location"

    response = client.post(f"/visits/new/{person.pk}/", _form(key, keep_photo=[str(held[0].pk)]))
    assert response.status_code == 302
    visit = Visit.objects.get(idempotency_key=key)
    assert visit.photos.count() == 1
    assert bytes(visit.photos.get().data) == PNG
    assert not PhotoDraft.objects.filter(idempotency_key=key).exists()


def test_an_unticked_held_photo_is_dropped(world, login, client):
    person = make_recipient(VILLAGE_A1)
    login(world.user_a)
    key = uuid.uuid4()
    photo = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    client.post(f"/visits/new/{person.pk}/", {**_form(key, visited_at=""), "photos": photo})
    assert PhotoDraft.objects.filter(idempotency_key=key).count() == 1
    assert client.post(f"/visits/new/{person.pk}/", _form(key)).status_code == 302
    assert Visit.objects.get(idempotency_key=key).photos.count() == 0
    assert not PhotoDraft.objects.filter(idempotency_key=key).exists()


def test_a_refused_photo_is_not_held_and_its_error_is_linked(world, login, client):
    person = make_recipient(VILLAGE_A1)
    login(world.user_a)
    key = uuid.uuid4()
    bad = SimpleUploadedFile("a.txt", b"not an image", content_type="image/png")
    response = client.post(f"/visits/new/{person.pk}/", {**_form(key), "photos": bad})
    assert response.status_code == 200
    assert not response.context["held_photos"]
    assert 'href="#id_photos"' in response.content.decode()
    assert "请重新选择" in response.content.decode()


def test_another_users_draft_is_not_taken_over(world, login, client):
    person = make_recipient(VILLAGE_A1)
    other = make_user("worker", region_code=TOWN_A)
    key = uuid.uuid4()
    login(other)
    client.post(
        f"/visits/new/{person.pk}/",
        {**_form(key, visited_at=""), "photos": SimpleUploadedFile("a.png", PNG, content_type="image/png")},
    )
    draft = PhotoDraft.objects.get(idempotency_key=key)
    client.logout()
    login(world.user_a)
    response = client.post(f"/visits/new/{person.pk}/", _form(key, keep_photo=[str(draft.pk)]))
    assert response.status_code == 302
    assert Visit.objects.get(idempotency_key=key).photos.count() == 0


def test_the_assigned_worker_calls_with_an_audited_reveal(world, login, client):
    worker = _worker(world.user_a)
    person = make_recipient(VILLAGE_A1, worker=worker, phone=PHONE)
    login(world.user_a)
    page = client.get(f"/visits/new/{person.pk}/").content.decode()
    assert "拨打电话" in page and PHONE not in page
    response = client.post(f"/visits/call/{person.pk}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"phone": PHONE, "tel": f"tel:{PHONE}"}
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.filter(action="reveal", object_id=str(person.pk)).get()
    assert event.reason == CALL_REASON
    # Without script: a page with the number to tap.
    assert f'href="tel:{PHONE}"' in client.post(f"/visits/call/{person.pk}/").content.decode()


def test_another_worker_of_the_same_region_gets_no_button_and_a_404(world, login, client):
    worker = _worker(world.user_a)
    person = make_recipient(VILLAGE_A1, worker=worker, phone=PHONE)
    colleague = make_user("worker", region_code=TOWN_A)
    _worker(colleague, name="同事")
    login(colleague)
    page = client.get(f"/visits/new/{person.pk}/")
    assert page.status_code == 200
    assert "call-button" not in page.content.decode()
    assert client.post(f"/visits/call/{person.pk}/").status_code == 404
    assert client.get(f"/visits/call/{person.pk}/").status_code == 405
    assert not AuditEvent.objects.filter(action="reveal").exists()
