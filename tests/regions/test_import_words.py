"""The bureau's roster words page (regions:import_words): add and delete, audited, scoped to the actor's areas."""

import pytest

from shegong.audit.models import AuditEvent
from shegong.core.models import ImportSynonym
from tests.factories import TOWN_A, TOWN_B

pytestmark = pytest.mark.django_db


def test_a_word_is_added_and_deleted_with_an_audit_entry(world, login, client):
    login(world.user_a)
    response = client.post(
        "/regions/import-words/",
        {
            "region": TOWN_A,
            "kind": "recipients.roster",
            "target": "value",
            "field_key": "categories",
            "text": "城乡低保对象",
            "value": "最低生活保障",
        },
    )
    assert response.status_code == 302
    word = ImportSynonym.objects.get()
    assert (word.region_code, word.text, word.value) == (TOWN_A, "城乡低保对象", "最低生活保障")
    assert AuditEvent.objects.filter(action="policy.import_word.add").count() == 1
    page = client.get("/regions/import-words/").content.decode()
    assert "城乡低保对象" in page and "最低生活保障" in page
    client.post("/regions/import-words/", {"delete": word.pk})
    assert not ImportSynonym.objects.exists()
    assert AuditEvent.objects.filter(action="policy.import_word.delete").count() == 1


def test_a_value_word_needs_its_value_and_another_area_is_refused(world, login, client):
    login(world.user_a)
    base = {"kind": "", "target": "value", "field_key": "categories", "text": "低保户口"}
    page = client.post("/regions/import-words/", {**base, "region": TOWN_A}).content.decode()
    assert "请填写对应的值" in page
    client.post("/regions/import-words/", {**base, "region": TOWN_B, "value": "最低生活保障"})
    assert not ImportSynonym.objects.exists()
