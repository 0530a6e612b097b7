"""One person, one record, without disclosure (shegong.audit.identity).

The security finding: creating a recipient, worker or volunteer with an ID number registered in another district
answered "已在服务对象登记册中" / "已在其他地区登记", telling anyone where a person is registered, and nothing was
audited. Now the answer outside the actor's reach is one neutral message, audited, and rate-limited; inside reach
it points at the existing record.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from shegong.accounts.actor import Actor
from shegong.audit import identity
from shegong.audit.models import AuditEvent
from shegong.core.masking import mask_id_number
from shegong.core.xlsx_import import ImportRejected
from shegong.people.imports import import_volunteers, import_workers
from shegong.people.models import SocialWorker, Volunteer
from shegong.recipients import services as recipient_services
from shegong.recipients.imports import import_roster
from shegong.recipients.models import Recipient
from tests.factories import TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.recipients.helpers import id_number, system

pytestmark = pytest.mark.django_db

NEUTRAL = "该身份证号无法在此登记，请联系民政部门核实"
THROTTLED = "身份证号核验次数过多"
LEAKS = ("登记册", "其他地区", "已登记为", "服务对象", "社工", "志愿者", "解放碑", TOWN_B)


def _recipient_in(village: str, number: str) -> Recipient:
    return recipient_services.recipient_create(
        actor=system(), data={"name": "外地人", "id_number": number, "region": village}
    )


def _worker_in(world, town: str, number: str) -> SocialWorker:
    region = world.regions["town_b" if town == TOWN_B else "town_a"]
    return SocialWorker.objects.create(region=region, region_code=town, name="外地社工", id_number=number)


def _volunteer_in(world, village: str, number: str) -> Volunteer:
    region = world.regions["village_b1" if village == VILLAGE_B1 else "village_a1"]
    return Volunteer.objects.create(
        region=region, region_code=village, name="外地志愿者", id_number=number, phone="13900000000"
    )


def _page(kind: str, world, number: str) -> tuple[str, dict]:
    if kind == "recipient":
        return "/recipients/new/", {
            "name": "试探",
            "id_number": number,
            "region": VILLAGE_A2,
            "risk_tier": "3",
        }
    if kind == "worker":
        return "/people/workers/new/", {
            "name": "试探",
            "region": TOWN_A,
            "id_number": number,
            "certificate": "none",
            "status": "active",
        }
    return "/people/volunteers/new/", {
        "name": "试探",
        "region": VILLAGE_A1,
        "id_number": number,
        "phone": "13800000000",
        "status": "active",
    }


def _api(kind: str, number: str) -> tuple[str, dict]:
    if kind == "recipient":
        return "/api/v1/recipients", {"name": "试探", "id_number": number, "region": VILLAGE_A2}
    if kind == "worker":
        return "/api/v1/workers", {"region": TOWN_A, "name": "试探", "id_number": number}
    return "/api/v1/volunteers", {
        "region": VILLAGE_A1,
        "name": "试探",
        "phone": "13800000000",
        "id_number": number,
    }


def _registered_in_b(kind: str, world, number: str):
    if kind == "recipient":
        return _recipient_in(VILLAGE_B1, number)
    if kind == "worker":
        return _worker_in(world, TOWN_B, number)
    return _volunteer_in(world, VILLAGE_B1, number)


def _registered_in_a(kind: str, world, number: str):
    if kind == "recipient":
        return _recipient_in(VILLAGE_A1, number)
    if kind == "worker":
        return _worker_in(world, TOWN_A, number)
    return _volunteer_in(world, VILLAGE_A1, number)


def _refusals(user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=identity.REFUSED, actor_id=user.pk))


KINDS = ["recipient", "worker", "volunteer"]


@pytest.mark.parametrize("kind", KINDS)
def test_page_answers_a_duplicate_elsewhere_neutrally_and_audits_it(kind, world, login, client):
    number = id_number()
    _registered_in_b(kind, world, number)
    login(world.user_a)
    url, body = _page(kind, world, number)
    response = client.post(url, body)
    text = response.content.decode()
    assert response.status_code in (200, 422) and NEUTRAL in text
    assert not any(leak in _errors_of(response) for leak in LEAKS)
    [event] = _refusals(world.user_a)
    assert event.changes == {"id_number": mask_id_number(number)} and number not in json.dumps(event.changes)
    assert event.region_code == "" and TOWN_B not in json.dumps(event.changes) + event.object_repr


def _errors_of(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@pytest.mark.parametrize("kind", KINDS)
def test_api_answers_a_duplicate_elsewhere_like_any_refusal_and_a_fresh_number_is_created(
    kind, world, login, client
):
    number = id_number()
    _registered_in_b(kind, world, number)
    login(world.user_a)
    url, body = _api(kind, number)
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == [{"field": "id_number", "message": NEUTRAL}]  # no existing_id, no region
    assert len(_refusals(world.user_a)) == 1
    url, body = _api(kind, id_number())
    assert client.post(url, json.dumps(body), content_type="application/json").status_code == 201


def _sheet(headers: list[str], rows: list[list]) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(kind: str, world, number: str):
    actor = Actor.for_user(world.user_a)
    if kind == "recipient":
        content = _sheet(["姓名", "身份证号", "村（社区）区划代码"], [["试探", number, VILLAGE_A1]])
        return import_roster(actor=actor, content=content, region_code=TOWN_A)
    if kind == "worker":
        content = _sheet(["姓名", "身份证号"], [["试探", number]])
        return import_workers(actor=actor, content=content, region_code=TOWN_A)
    content = _sheet(["姓名", "身份证号", "手机号"], [["试探", number, "13800000000"]])
    return import_volunteers(actor=actor, content=content, region_code=TOWN_A)


@pytest.mark.parametrize("kind", KINDS)
def test_import_row_gets_the_same_neutral_message(kind, world):
    number = id_number()
    _registered_in_b(kind, world, number)
    with pytest.raises(ImportRejected) as caught:
        _import(kind, world, number)
    [error] = caught.value.errors
    assert error.row == 2 and error.message == NEUTRAL
    assert len(_refusals(world.user_a)) == 1


def test_import_page_shows_no_region_either(world, login, client):
    number = id_number()
    _registered_in_b("worker", world, number)
    login(world.user_a)
    upload = SimpleUploadedFile("社工.xlsx", _sheet(["姓名", "身份证号"], [["试探", number]]))
    response = client.post("/people/workers/import/", {"file": upload, "region": TOWN_A}, follow=True)
    text = response.content.decode()  # the job's status page, which the upload redirects to
    assert NEUTRAL in text and "解放碑" not in text.split("import-errors", 1)[-1]


def test_probes_beyond_the_limit_stop_every_id_check(world, login, client, settings):
    settings.IDENTITY_PROBE_LIMIT = 3
    login(world.user_a)
    for _ in range(3):
        number = id_number()
        _recipient_in(VILLAGE_B1, number)
        url, body = _api("recipient", number)
        assert (
            client.post(url, json.dumps(body), content_type="application/json").json()["detail"][0]["message"]
            == NEUTRAL
        )
    url, body = _api("recipient", id_number())  # even a fresh number is no longer checked
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and THROTTLED in response.json()["detail"][0]["message"]
    assert AuditEvent.objects.filter(action=identity.THROTTLED, actor_id=world.user_a.pk).count() == 1
    # the limit is per actor: another user still gets answers
    login(world.user_b)
    url, body = _api("recipient", id_number())
    body["region"] = VILLAGE_B1
    assert client.post(url, json.dumps(body), content_type="application/json").status_code == 201


def test_public_sign_up_is_limited_by_client_address(world, client, settings):
    from shegong.people.services import volunteer_self_register

    settings.IDENTITY_PROBE_LIMIT = 1
    number = id_number()
    _volunteer_in(world, VILLAGE_B1, number)

    class Request:
        META = {"REMOTE_ADDR": "203.0.113.9"}

    data = {
        "region": world.regions["village_a1"],
        "name": "报名",
        "id_number": number,
        "phone": "13800000001",
    }
    with pytest.raises(Exception) as first:
        volunteer_self_register(data=data, request=Request())
    assert NEUTRAL in str(first.value)
    with pytest.raises(Exception) as second:
        volunteer_self_register(data={**data, "id_number": id_number()}, request=Request())
    assert THROTTLED in str(second.value)


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("recipient", "/recipients/{}/"),
        ("worker", "/people/workers/{}/"),
        ("volunteer", "/people/volunteers/{}/"),
    ],
)
def test_duplicate_inside_reach_links_to_the_record(kind, detail, world, login, client):
    number = id_number()
    existing = _registered_in_a(kind, world, number)
    login(world.user_a)
    url, body = _page(kind, world, number)
    text = client.post(url, body).content.decode()
    assert f'href="{detail.format(existing.pk)}"' in text
    url, body = _api(kind, number)
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["existing_id"] == existing.pk
    assert _refusals(world.user_a) == []  # nothing to hide, nothing counted


def test_import_inside_reach_names_the_record_number(world):
    number = id_number()
    existing = _worker_in(world, TOWN_A, number)
    with pytest.raises(ImportRejected) as caught:
        _import("worker", world, number)
    assert (
        str(existing.pk) in caught.value.errors[0].message and NEUTRAL not in caught.value.errors[0].message
    )
