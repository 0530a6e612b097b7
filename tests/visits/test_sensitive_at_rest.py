"""Sensitive personal information (PIPL art. 28) is encrypted at rest and still shown to those who may see it.

The scan reads every table with a plain cursor, so it catches copies in audit entries, timelines and any other table,
not only the columns the models declare encrypted.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from shegong.core import crypto
from shegong.core.keyrotation import rotate
from shegong.core.management.sealing import seal_existing_rows
from shegong.core.masking import mask_id_number, mask_phone
from shegong.recipients import services as recipient_services
from shegong.recipients.models import HouseholdMember, NeedsAssessment, Recipient
from shegong.visits.models import Visit, VisitPhoto
from shegong.visits.services import Photo, visit_record
from tests.factories import VILLAGE_A1
from tests.recipients.helpers import id_number, key, make_recipient, system

pytestmark = pytest.mark.django_db

MARKER = b"PHOTO-MARKER-7f3a9c"
PNG = b"\x89PNG\r\n\x1a\n" + MARKER + b"\x00" * 64
MEMBER_PHONE = "13987654321"
CHILD_NOTE = "患儿十岁，母亲服刑中NOTE-A"
STATUS_NOTE = "因病住院转出NOTE-B"
RISK_REASON = "癫痫频繁发作NOTE-C"
VISIT_NOTES = "血压高达一百八NOTE-D"
NEEDS_FOUND = "需要心理疏导NOTE-E"
FOLLOW_UP = "转介精神科复诊NOTE-F"
ASSESSMENT_SUMMARY = "重度抑郁倾向NOTE-G"
# The health and mental findings: the JSON keys and values as stored before, and the labels the audit log wrote.
FINDING_TEXTS = ['"health"', '"mental"', "身体健康", "精神状态"]


def _sensitive_records():
    # Free text is encrypted for every recipient, so a child's file is covered whatever the age.
    child = make_recipient(VILLAGE_A1, name="小明", notes=CHILD_NOTE)
    actor = system()
    recipient_services.risk_set(actor=actor, recipient=child, tier=2, reason=RISK_REASON, review_on=None)
    member_id = id_number(birth="19800101")
    member = recipient_services.household_add(
        actor=actor,
        recipient=child,
        kind="guardian",
        name="王芳",
        relation="母亲",
        id_number=member_id,
        phone=MEMBER_PHONE,
    )
    assessment = recipient_services.assessment_add(
        actor=actor,
        recipient=child,
        assessed_on=timezone.localdate(),
        scores={"comfort": 4, "rehab": 3},
        summary=ASSESSMENT_SUMMARY,
    )
    visit, _created = visit_record(
        actor=actor,
        recipient=child,
        data={
            "visited_at": timezone.now(),
            "method": "home",
            "findings": {"health": "issue", "mental": "issue", "gas": "issue"},
            "notes": VISIT_NOTES,
            "needs_found": NEEDS_FOUND,
            "follow_up": FOLLOW_UP,
        },
        idempotency_key=key(),
        photos=[Photo("home.png", PNG)],
    )
    recipient_services.recipient_set_status(actor=actor, recipient=child, status="moved", note=STATUS_NOTE)
    return child, member, member_id, assessment, visit


def _cells():
    """Every text and bytes value in every table, read with a plain cursor."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        yield table, bytes(value)
                    elif value is not None:
                        text = (
                            value
                            if isinstance(value, str)
                            else json.dumps(value, ensure_ascii=False, default=str)
                        )
                        yield table, text


def test_no_sensitive_value_is_stored_in_clear(world):
    child, member, member_id, _assessment, _visit = _sensitive_records()
    texts = [
        member_id,
        MEMBER_PHONE,
        CHILD_NOTE,
        STATUS_NOTE,
        RISK_REASON,
        VISIT_NOTES,
        NEEDS_FOUND,
        FOLLOW_UP,
        ASSESSMENT_SUMMARY,
        *FINDING_TEXTS,
    ]
    leaks = []
    for table, value in _cells():
        if isinstance(value, bytes):
            if MARKER in value or any(t.encode() in value for t in texts):
                leaks.append((table, "bytes"))
        else:
            leaks.extend((table, t) for t in texts if t in value)
    assert leaks == []
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        for path in media.rglob("*"):
            assert not path.is_file() or MARKER not in path.read_bytes(), path
    # Nothing was lost on the way: the model reads every value back.
    assert HouseholdMember.objects.get(pk=member.pk).id_number == member_id
    assert Recipient.objects.get(pk=child.pk).risk_reason == RISK_REASON


def test_pages_and_api_show_the_values_to_an_authorised_user(world, login, client):
    child, _member, member_id, _assessment, visit = _sensitive_records()
    login(world.user_a)
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    for text in (VISIT_NOTES, NEEDS_FOUND, FOLLOW_UP):
        assert text in page
    photo = VisitPhoto.objects.get(visit=visit)
    response = client.get(f"/visits/photos/{photo.pk}/")
    assert response.status_code == 200 and response.content == PNG
    body = client.get(f"/api/v1/visits/{visit.pk}").json()
    assert body["findings"]["health"] == "issue" and body["findings"]["mental"] == "issue"
    assert (body["needs_found"], body["follow_up"]) == (NEEDS_FOUND, FOLLOW_UP)
    detail = client.get(f"/recipients/{child.pk}/").content.decode()
    for text in (STATUS_NOTE, RISK_REASON, ASSESSMENT_SUMMARY, mask_id_number(member_id)):
        assert text in detail
    assert CHILD_NOTE in client.get(f"/recipients/{child.pk}/edit/").content.decode()
    assert mask_phone(MEMBER_PHONE) in detail and member_id not in detail
    # Someone from another township gets the same 404 as for a photo that does not exist.
    login(world.user_b)
    assert client.get(f"/visits/photos/{photo.pk}/").status_code == 404


def test_key_rotation_covers_the_new_fields(world, settings):
    child, member, member_id, assessment, visit = _sensitive_records()
    photo = VisitPhoto.objects.get(visit=visit)
    old = settings.DATA_KEYS
    settings.DATA_KEYS = "t9:ZmVkY2JhOTg3NjU0MzIxMA," + old
    crypto.reset_keyring()
    try:
        counts = rotate(batch_size=1)
        for label in (
            "visits.Visit",
            "visits.VisitPhoto",
            "recipients.NeedsAssessment",
            "recipients.HouseholdMember",
        ):
            assert counts[label] >= 1, label
        with connection.cursor() as cursor:
            cursor.execute("SELECT findings, needs_found FROM visits_visit WHERE id = %s", [visit.pk])
            assert all(str(v).startswith("sm4gcm:t9:") for v in cursor.fetchone())
            cursor.execute("SELECT data FROM visits_visitphoto WHERE id = %s", [photo.pk])
            assert bytes(cursor.fetchone()[0]).startswith(b"sm4gcm:t9:")
        fresh = Visit.objects.get(pk=visit.pk)
        assert fresh.findings["health"] == "issue" and fresh.follow_up == FOLLOW_UP
        assert bytes(VisitPhoto.objects.get(pk=photo.pk).data) == PNG
        again = NeedsAssessment.objects.get(pk=assessment.pk)
        assert again.scores == {"comfort": 4, "rehab": 3} and again.summary == ASSESSMENT_SUMMARY
        assert HouseholdMember.objects.get(pk=member.pk).id_number == member_id
        assert Recipient.objects.get(pk=child.pk).notes == CHILD_NOTE
        assert rotate()["visits.VisitPhoto"] == 0
    finally:
        settings.DATA_KEYS = old
        crypto.reset_keyring()


def test_the_migration_seals_rows_written_in_clear(world):
    """What 0003/0007 do to rows written before encryption: seal them so the fields read them back."""
    _child, _member, _member_id, assessment, visit = _sensitive_records()
    photo = VisitPhoto.objects.get(visit=visit)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE visits_visit SET findings = %s, follow_up = %s WHERE id = %s",
            ['{"health": "issue"}', FOLLOW_UP, visit.pk],
        )
        cursor.execute("UPDATE visits_visitphoto SET data = %s WHERE id = %s", [PNG, photo.pk])
        cursor.execute(
            "UPDATE recipients_needsassessment SET summary = %s WHERE id = %s", ["明文", assessment.pk]
        )
    seal_existing_rows(connection, "visits_visit", ("findings", "needs_found", "follow_up"))
    seal_existing_rows(connection, "visits_visitphoto", (), ("data",))
    seal_existing_rows(connection, "recipients_needsassessment", ("scores", "summary"))
    fresh = Visit.objects.get(pk=visit.pk)
    assert fresh.findings == {"health": "issue"} and fresh.follow_up == FOLLOW_UP
    assert fresh.needs_found == NEEDS_FOUND  # already sealed: left alone
    assert bytes(VisitPhoto.objects.get(pk=photo.pk).data) == PNG
    assert NeedsAssessment.objects.get(pk=assessment.pk).summary == "明文"
