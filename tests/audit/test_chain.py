import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from shegong.audit import services
from shegong.audit.models import AppendOnlyError, AuditEvent

from .helpers import triggers_bypassed


@pytest.fixture
def entries(db):
    return [
        services.record("test.write", actor_name=f"u{i}", region_code="500103001000", changes={"n": i})
        for i in range(5)
    ]


def test_chain_verifies(entries):
    result = services.verify()
    assert result.ok and result.checked == 5
    assert entries[1].prev_hash == entries[0].hash


def test_tampered_row_is_named(entries, capsys):
    # The database refuses the change (test_triggers.py); someone able to bypass its triggers is still caught.
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_name = 'mallory' WHERE seq = %s", [entries[2].seq])
    result = services.verify()
    assert result.broken_seq == entries[2].seq
    with pytest.raises(CommandError, match=f"#{entries[2].seq}"):
        call_command("audit", "verify")


def test_deleted_row_is_detected(entries):
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [entries[3].seq])
    assert services.verify().broken_seq == entries[3].seq


def test_entries_cannot_be_changed_through_the_orm(entries):
    event = AuditEvent.objects.get(seq=entries[0].seq)
    event.actor_name = "x"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(actor_name="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_prune_refuses_recent_entries_and_keeps_the_chain_verifiable(entries):
    with pytest.raises(services.PruneRefused):
        services.prune(timezone.now() - datetime.timedelta(days=30))
    with pytest.raises(CommandError):
        call_command("audit", "prune", "--before", str(timezone.localdate()))
    old = timezone.now() - datetime.timedelta(days=400)
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE audit_auditevent SET at = %s WHERE seq <= %s", [old, entries[1].seq])
    # Rewriting `at` broke those two entries' hashes: pruning them away restores a verifiable chain.
    assert services.prune(timezone.now() - datetime.timedelta(days=200)) == 2
    result = services.verify()
    assert result.ok and result.checked == 3


def test_audit_admin_page_filters_and_exports(client, world):
    from ..factories import login_client

    services.record("network.node.update", actor=world.official_a, obj=world.station_a, reason="改名")
    services.record("login.success", actor=world.official_a, region_code=world.station_a.region_code)
    login_client(client, world.user_a)
    page = client.get("/audit/?action=network")
    assert page.status_code == 200 and "修改服务阵地" in page.content.decode()
    table = client.get("/audit/?action=network", HTTP_HX_REQUEST="true").content.decode()
    assert "修改服务阵地" in table and "登录" not in table
    export = client.get("/audit/export/?action=network")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export").exists()


def test_business_users_cannot_read_the_audit_log(client, world):
    from ..factories import login_client, make_user

    login_client(client, make_user("official"))
    assert client.get("/audit/").status_code == 403


def test_audit_admin_sees_who_did_what_but_not_the_persons_data(client, world):
    """Names, reasons and changed values are a person's data: not shown, exported or searchable for the audit admin."""
    import io

    from python_calamine import CalamineWorkbook

    from ..factories import login_client

    services.record(
        "recipients.recipient.update",
        actor=world.official_a,
        obj=world.station_a,
        reason="王大娘住金汤街3号",
        changes={"address": {"before": "金汤街1号", "after": "金汤街3号"}},
    )
    login_client(client, world.user_a)
    html = client.get("/audit/").content.decode()
    assert "recipients.recipient.update" in html and f"#{world.station_a.pk}" in html
    for private in ("王大娘", "金汤街3号", world.station_a.name):
        assert private not in html
    assert "recipients.recipient.update" not in client.get("/audit/?q=王大娘").content.decode()
    assert "recipients.recipient.update" in client.get(f"/audit/?q={world.station_a.pk}").content.decode()
    export = client.get("/audit/export/")
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    text = "\n".join(str(c) for row in book for c in row)
    assert (
        "地址" in text and "金汤街" not in text and "王大娘" not in text
    )  # the changed field in words, not its value
