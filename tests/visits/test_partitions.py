"""Visits partitioned by month on PostgreSQL (docs/adr/0010): where rows live, which partitions the time-bounded
queries read, idempotency keys across months, partitions kept ahead, detaching old months, and the conversion
itself on a scratch table (triggers, sequence, indexes, references, a column added later)."""

import datetime
import re
import uuid

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, migrations, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shegong.audit.models import AuditEvent
from shegong.core import partitioning, schedules
from shegong.core.scoping import unscoped
from shegong.recipients.models import RiskTier, VisitRollup
from shegong.visits import ledger
from shegong.visits.field import recent_visits
from shegong.visits.models import Visit, VisitKey, VisitPhoto
from shegong.visits.selectors import worklist
from shegong.visits.services import visit_record
from tests.factories import VILLAGE_A1
from tests.recipients.helpers import make_recipient, system, visit_data

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only"),
]

PARTITION = re.compile(r"\bvisits_visit_(?:p\d{4}_\d{2}|default)\b")


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def at(month: datetime.date, day: int = 10, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        month.replace(day=day), datetime.time(hour), tzinfo=timezone.get_default_timezone()
    )


def partition_of(visit: Visit) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM visits_visit WHERE id = %s", [visit.pk])
        return cursor.fetchone()[0]


def partitions_read(queryset) -> set[str]:
    """The visit partitions in the plan of ``queryset`` (pruned ones do not appear in EXPLAIN)."""
    return set(PARTITION.findall(queryset.explain()))


def names(*months: datetime.date) -> set[str]:
    return {partitioning.partition_name("visits_visit", m) for m in months}


def record(recipient, when: datetime.datetime, key: str | None = None) -> tuple[Visit, bool]:
    return visit_record(
        actor=system(), recipient=recipient, data=visit_data(when), idempotency_key=key or str(uuid.uuid4())
    )


@pytest.fixture
def recipient(world):
    with unscoped():
        yield make_recipient(VILLAGE_A1, tier=RiskTier.KEY)


def test_the_visit_table_is_partitioned_by_month_on_visited_at():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat, a.attname FROM pg_partitioned_table p JOIN pg_attribute a "
            "ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] WHERE partrelid = 'visits_visit'::regclass"
        )
        assert cursor.fetchall() == [("r", "visited_at")]
    listed = partitioning.partitions("visits_visit")
    months = [p.month for p in listed if p.month]
    assert months[0] <= partitioning.add_months(this_month(), -12)
    assert months[-1] == partitioning.add_months(this_month(), partitioning.MONTHS_AHEAD)
    assert listed[-1].name == "visits_visit_default"


def test_a_months_visits_live_in_their_own_partition(recipient):
    last_month = partitioning.add_months(this_month(), -1)
    with unscoped():
        now_visit, _ = record(recipient, timezone.now() - datetime.timedelta(minutes=5))
        old_visit, _ = record(recipient, at(last_month))
        # The last minute of a month in Shanghai is still that month, though it is the next day's... in UTC too.
        edge, _ = record(recipient, partitioning.bound(this_month()) - datetime.timedelta(seconds=1))
    assert partition_of(now_visit) == partitioning.partition_name("visits_visit", this_month())
    assert partition_of(old_visit) == partitioning.partition_name("visits_visit", last_month)
    assert partition_of(edge) == partitioning.partition_name("visits_visit", last_month)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'visits_visit'::regclass"
        )
        children = {name for (name,) in cursor.fetchall()}
    assert {partition_of(now_visit), partition_of(old_visit)} <= children
    with unscoped():
        # Django still addresses a visit by its id alone.
        assert Visit.objects.get(pk=old_visit.pk).visited_at == old_visit.visited_at


def test_the_rollup_refresh_of_a_month_reads_only_its_quarter(recipient):
    month = this_month()
    with unscoped():
        record(recipient, timezone.now() - datetime.timedelta(minutes=1))
        everything = partitions_read(ledger.visits_for(None))
        one_month = partitions_read(ledger.visits_for([month]))
    quarter = names(*ledger.care.policy.quarter_months(month))
    assert one_month == quarter
    # Unbounded, the refresh reads every month: the bound is what prunes.
    assert len(everything) > len(quarter) + 10


def test_the_refresh_of_a_month_repairs_that_month(recipient):
    month = this_month()
    with unscoped():
        record(recipient, timezone.now() - datetime.timedelta(minutes=1))
        assert ledger.reconcile(months=[month], fix=False) == []
        VisitRollup.objects.filter(region_code=VILLAGE_A1, month=month).update(visited=0)
        differences = ledger.reconcile(months=[month])
        assert [(d.region_code, d.month, d.stored[1], d.actual[1]) for d in differences] == [
            (VILLAGE_A1, month, 0, 1)
        ]
        assert ledger.reconcile(months=[month], fix=False) == []


def test_the_worklist_reads_no_visit_partition_and_the_phones_list_only_recent_months(world, recipient):
    # The worklist runs on the registry's due dates: every query it makes reads no visit partition at all, however
    # many months there are.
    with unscoped():
        record(recipient, timezone.now() - datetime.timedelta(minutes=1))
        with CaptureQueriesContext(connection) as captured:
            worklist(station_id=recipient.station_id)
        assert captured.captured_queries
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                cursor.execute("EXPLAIN " + query["sql"])
                assert PARTITION.findall("\n".join(row[0] for row in cursor.fetchall())) == []
    # The field app's last visits of the worker's recipients: the months from 400 days ago on, nothing older.
    now = timezone.now()
    older = partitioning.add_months(this_month(), -16)
    with transaction.atomic(), connection.cursor() as cursor:
        partitioning._create_partitions(cursor, "visits_visit", older, this_month())
    with unscoped():
        read = partitions_read(recent_visits([recipient.pk], now))
    first = partitioning.month_start(timezone.localtime(now - datetime.timedelta(days=400)).date())
    assert partitioning.partition_name("visits_visit", first) in read
    assert partitioning.partition_name("visits_visit", partitioning.add_months(first, -1)) not in read
    assert partitioning.partition_name("visits_visit", older) not in read


def test_an_idempotency_key_stays_unique_across_months(recipient):
    key = str(uuid.uuid4())
    with unscoped():
        first, created = record(recipient, timezone.now() - datetime.timedelta(minutes=1), key)
        again, created_again = record(recipient, at(partitioning.add_months(this_month(), -2)), key)
    assert created and not created_again and again.pk == first.pk
    with unscoped():
        assert Visit.objects.filter(idempotency_key=key).count() == 1
        assert VisitKey.objects.get(idempotency_key=key).visit_id == first.pk
    # Below the service, the database itself refuses a second row with the key in another month's partition.
    clone = Visit(
        recipient=recipient,
        visited_at=at(partitioning.add_months(this_month(), -3)),
        idempotency_key=key,
        region_code=recipient.region_code,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_a_visit_moved_to_another_month_keeps_its_key_and_a_deleted_one_frees_it(recipient):
    with unscoped():
        visit, _ = record(recipient, timezone.now() - datetime.timedelta(minutes=1))
        earlier = at(partitioning.add_months(this_month(), -1))
        Visit.objects.filter(pk=visit.pk).update(visited_at=earlier)
        assert partition_of(visit) == partitioning.partition_name(
            "visits_visit", partitioning.month_start(earlier.date())
        )
        assert VisitKey.objects.get(idempotency_key=visit.idempotency_key).visited_at == earlier
        visit.refresh_from_db()
        visit.delete()
        assert not VisitKey.objects.filter(idempotency_key=visit.idempotency_key).exists()


def test_references_to_visits_are_checked_without_a_foreign_key(recipient):
    with unscoped():
        visit, _ = record(recipient, timezone.now() - datetime.timedelta(minutes=1))
        VisitPhoto.objects.create(
            visit=visit, content_type="image/png", data=b"x", size=1, region_code=visit.region_code
        )
    # A photo of no visit is refused at commit, as the foreign key was.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO visits_visitphoto (region_code, uid, visit_id, content_type, data, size, created_at) "
            "SELECT region_code, gen_random_uuid(), visit_id + 1000, content_type, data, size, created_at "
            "FROM visits_visitphoto WHERE visit_id = %s",
            [visit.pk],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # Deleting the visit row under its photo is refused too; Django's delete takes the photos first and passes.
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM visits_visit WHERE id = %s", [visit.pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with unscoped(), transaction.atomic():
        Visit.objects.get(pk=visit.pk).delete()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not VisitPhoto._base_manager.filter(visit_id=visit.pk).exists()


def test_the_ensure_schedule_creates_the_coming_months_and_moves_stray_rows(recipient):
    ahead = [partitioning.add_months(this_month(), n) for n in range(1, partitioning.MONTHS_AHEAD + 1)]
    with connection.cursor() as cursor:
        for month in ahead:
            cursor.execute(f'DROP TABLE "{partitioning.partition_name("visits_visit", month)}"')
    # A row dated in a month with no partition waits in the default one.
    stray = Visit(
        recipient=recipient,
        visited_at=at(ahead[1]),
        idempotency_key=uuid.uuid4(),
        region_code=recipient.region_code,
    )
    stray.save()
    assert partition_of(stray) == "visits_visit_default"
    assert partitioning.missing() == {"visits_visit": ahead}
    assert partitioning.ENSURE in schedules.SCHEDULES and partitioning.ENSURE.is_due()

    outcomes = schedules.run_due(inline=True, schedules=[partitioning.ENSURE])

    assert outcomes[0].action == "ran"
    assert outcomes[0].detail == {"visits_visit": sorted(names(*ahead))}
    assert partitioning.missing() == {} and not partitioning.ENSURE.is_due()
    assert partition_of(stray) == partitioning.partition_name("visits_visit", ahead[1])
    assert partitioning.ensure() == {}  # idempotent


def test_detach_archives_old_months_and_the_rest_still_reads(recipient, capsys):
    old_month = partitioning.add_months(this_month(), -3)
    with unscoped():
        old, _ = record(recipient, at(old_month))
        kept, _ = record(recipient, at(partitioning.add_months(this_month(), -1)))
        current, _ = record(recipient, timezone.now() - datetime.timedelta(minutes=1))

    with unscoped():
        rollup_before = VisitRollup.objects.get(region_code=VILLAGE_A1, month=old_month)
    assert rollup_before.visited == 1

    call_command("partitions", "detach", "--before", f"{partitioning.add_months(old_month, 1):%Y-%m}")

    archived = partitioning.archive_name("visits_visit", old_month)
    assert f"detached {old_month:%Y-%m} as {archived}" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id FROM "{archived}"')
        assert cursor.fetchall() == [(old.pk,)]
        cursor.execute("SELECT to_regclass(%s)", [partitioning.partition_name("visits_visit", old_month)])
        assert cursor.fetchone() == (None,)
    with unscoped():
        assert set(Visit.objects.values_list("pk", flat=True)) == {kept.pk, current.pk}
        assert not VisitKey.objects.filter(idempotency_key=old.idempotency_key).exists()
        assert VisitKey.objects.filter(idempotency_key=kept.idempotency_key).exists()
        # Writing goes on as before.
        record(recipient, timezone.now() - datetime.timedelta(minutes=2))
        # The nightly reconcile leaves the archived month's figures final; the months still held reconcile.
        assert ledger.reconcile() == []
        assert VisitRollup.objects.get(region_code=VILLAGE_A1, month=old_month).visited == 1
        assert old_month not in ledger.held_months()
    assert AuditEvent.objects.filter(action="partitions.detach").exists()
    call_command("partitions", "list")
    listing = capsys.readouterr().out
    assert archived not in listing and partitioning.partition_name("visits_visit", this_month()) in listing


def test_detach_refuses_the_current_month():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("partitions", "detach", "--before", f"{partitioning.add_months(this_month(), 1):%Y-%m}")


def test_the_audit_log_still_records_a_visit_insert(recipient):
    with unscoped():
        visit, _ = record(recipient, timezone.now() - datetime.timedelta(minutes=1))
    event = AuditEvent.objects.get(action="visits.record", object_id=str(visit.pk))
    assert event.changes["recipient"] == recipient.pk
    # The audit log's own append-only triggers (ADR 0002) still refuse to change it.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'tampered' WHERE seq = %s", [event.pk])


# The conversion on a scratch table ----------------------------------------------------------------------------


SCRATCH = """
CREATE TABLE scratch_record (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    happened_at timestamptz NOT NULL,
    code varchar(10) NOT NULL UNIQUE,
    amount integer NOT NULL DEFAULT 7 CHECK (amount >= 0)
);
CREATE INDEX scratch_record_code_amount ON scratch_record (code, amount);
CREATE TABLE scratch_note (id bigserial PRIMARY KEY, record_id bigint REFERENCES scratch_record (id));
CREATE TABLE scratch_log (record_id bigint, what text);
CREATE FUNCTION scratch_log_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO scratch_log VALUES (NEW.id, TG_OP); RETURN NULL; END $$;
CREATE TRIGGER scratch_record_logged AFTER INSERT ON scratch_record FOR EACH ROW EXECUTE FUNCTION scratch_log_insert();
INSERT INTO scratch_record (happened_at, code) VALUES (now() - interval '40 days', 'a'), (now(), 'b');
"""


def test_the_conversion_keeps_triggers_sequence_checks_and_indexes():
    with connection.cursor() as cursor:
        cursor.execute(SCRATCH)
    with connection.schema_editor() as editor:
        references = partitioning.convert(editor, "scratch_record", "happened_at")
    assert [(r.table, r.column, r.referenced) for r in references] == [("scratch_note", "record_id", "id")]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scratch_record (happened_at, code) VALUES (now(), 'c') RETURNING id, amount"
        )
        assert cursor.fetchone() == (3, 7)  # the sequence continues; the default holds
        cursor.execute("SELECT what, count(*) FROM scratch_log GROUP BY 1")
        assert cursor.fetchall() == [("INSERT", 3)]  # the two rows before, and the one inserted after
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'scratch_record'::regclass")
        assert cursor.fetchone()[0] == 1 + 12 + partitioning.MONTHS_AHEAD + 1
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'scratch_record' ORDER BY 1")
        definitions = " ".join(d for (d,) in cursor.fetchall())
        assert "(id, happened_at)" in definitions and "(code, happened_at)" in definitions
        assert "scratch_record_code_amount" in definitions
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("INSERT INTO scratch_record (happened_at, code, amount) VALUES (now(), 'd', -1)")
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("INSERT INTO scratch_record (happened_at, code) VALUES (now(), 'b')")


def test_a_later_migration_can_add_a_foreign_key_column_to_the_partitioned_visits(recipient):
    state = MigrationLoader(connection).project_state()
    operation = migrations.AddField(
        "visit",
        "probe_worker",
        models.ForeignKey("people.SocialWorker", null=True, on_delete=models.SET_NULL, related_name="+"),
    )
    after = state.clone()
    operation.state_forwards("visits", after)
    with connection.schema_editor() as editor:
        operation.database_forwards("visits", editor, state, after)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_attribute WHERE attname = 'probe_worker_id' AND attrelid IN "
            "(SELECT inhrelid FROM pg_inherits WHERE inhparent = 'visits_visit'::regclass)"
        )
        assert cursor.fetchone()[0] == len(partitioning.partitions("visits_visit"))
    with unscoped():
        _visit, created = record(recipient, timezone.now() - datetime.timedelta(minutes=1))
    assert created
