"""The roster import's bulk write (COPY on PostgreSQL, bulk_create elsewhere) stores what a save would."""

import pytest
from django.utils import timezone

from shegong.audit.models import AuditEvent
from shegong.core import crypto
from shegong.core.fields import blind_index_for
from shegong.core.xlsx_import import ImportRejected
from shegong.recipients.care import engine
from shegong.recipients.imports import import_roster
from shegong.recipients.models import (
    CategoryMembership,
    Recipient,
    RiskTier,
    TimelineEntry,
    VisitObligation,
    VisitRollup,
)
from tests.factories import TOWN_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.recipients.helpers import id_number, make_recipient, system
from tests.recipients.test_import import workbook

pytestmark = pytest.mark.django_db


def test_imported_rows_decrypt_search_and_carry_the_derived_fields(world):
    number, phone = id_number(), "13900139000"
    import_roster(
        actor=system(),
        content=workbook(
            [
                [
                    "钱一",
                    number,
                    phone,
                    VILLAGE_A1,
                    "解放碑 2 号",
                    "最低生活保障",
                    "2024-03-01",
                    "民政局",
                    "高风险",
                    "独居",
                ]
            ]
        ),
        region_code=TOWN_A,
    )
    found = Recipient.objects.get(id_number_index=blind_index_for(Recipient, "id_number_index", number))
    assert found.phone_index == blind_index_for(Recipient, "phone_index", phone)
    raw = Recipient._base_manager.filter(pk=found.pk).values_list("id_number", "phone", "risk_reason").get()
    assert all(value.startswith(f"{crypto.TOKEN_SCHEME}:") for value in raw)
    assert (found.id_number, found.phone, found.risk_reason) == (number, phone, "独居")
    # Bound to the row: the same ciphertext under another uid does not decrypt.
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(raw[0], f"recipients_recipient.id_number:{found.pk}-elsewhere")
    assert found.birth_date.isoformat() == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    assert found.sex == ("M" if int(number[16]) % 2 else "F")
    assert found.region_code == VILLAGE_A1 and found.station_id is not None
    assert found.risk_tier == RiskTier.HIGH and found.frequency == "weekly" and found.next_due_on
    assert CategoryMembership.objects.filter(recipient=found, authority="民政局").count() == 1
    assert TimelineEntry.objects.filter(recipient=found, kind="create").count() == 1
    assert AuditEvent.objects.filter(action="recipients.import").count() == 1


def test_open_rollups_are_bumped_once_per_village_and_new_months_opened(world):
    month = timezone.localdate().replace(day=1)
    make_recipient(VILLAGE_A1, tier=RiskTier.HIGH)
    engine._open_rollup(VILLAGE_A1, month)
    before = VisitRollup.objects.get(region_code=VILLAGE_A1, month=month).due
    rows = [[f"新{i}", id_number(), "", VILLAGE_A1, "", "", "", "", "高风险", "独居"] for i in range(3)]
    rows += [["新村", id_number(), "", VILLAGE_A2, "", "", "", "", "重点", "残疾"]]
    import_roster(actor=system(), content=workbook(rows), region_code=TOWN_A)
    assert VisitRollup.objects.get(region_code=VILLAGE_A1, month=month).due == before + 3
    assert VisitRollup.objects.get(region_code=VILLAGE_A2, month=month).due >= 1
    new = Recipient.objects.filter(name__startswith="新")
    assert VisitObligation.objects.filter(recipient__in=new, month=month).count() == 4


def test_registry_check_names_the_right_rows(world):
    elsewhere = make_recipient(VILLAGE_B1)
    here = make_recipient(VILLAGE_A1)
    rows = [
        ["甲", id_number(), "", VILLAGE_A1, "", "", "", "", "", ""],
        ["乙", elsewhere.id_number, "", VILLAGE_A1, "", "", "", "", "", ""],
        ["丙", here.id_number, "", VILLAGE_A1, "", "", "", "", "", ""],
    ]
    with pytest.raises(ImportRejected) as caught:
        import_roster(actor=system(), content=workbook(rows), region_code=TOWN_A)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "身份证号")]
    result = import_roster(actor=system(), content=workbook([rows[0], rows[2]]), region_code=TOWN_A)
    assert (result.created, result.existing, result.total) == (1, 1, 2)
