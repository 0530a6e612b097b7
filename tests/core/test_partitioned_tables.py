"""The service records partitioned by month on PostgreSQL besides the visits (docs/adr/0010): intervention notes
by ``noted_on`` and volunteer hours by ``served_on``. Each month's rows live in that month's partition, the
``partitions.ensure`` schedule keeps every registered table's coming months, and the apps' own services still write
and read them."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shegong.cases import services as case_services
from shegong.cases.models import Case, InterventionNote, InterventionNoteKey
from shegong.core import partitioning, schedules
from shegong.people import services as people_services
from shegong.people.models import HoursStatus, Volunteer, VolunteerHours, VolunteerStatus, VolunteerTeam
from tests.cases.helpers import build, open_case, to_intervention
from tests.recipients.helpers import system

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only"),
]

NOTES = "cases_interventionnote"
HOURS = "people_volunteerhours"


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def partition_of(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def is_partitioned(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = %s::regclass", [table])
        return cursor.fetchone()[0] == 1


@pytest.fixture
def cw(world):
    return build(world)


@pytest.fixture
def volunteer(world):
    team = VolunteerTeam.objects.create(region=world.regions["town_a"], name="小周队", level="corps")
    return Volunteer.objects.create(
        region=world.regions["village_a1"],
        name="小周",
        phone="13800000003",
        team=team,
        status=VolunteerStatus.ACTIVE,
    )


def note_on(cw, case, day: datetime.date, key=None):
    data = {"noted_on": day, "method": "home", "content": "上门陪伴聊天一小时"}
    return case_services.case_note_add(
        actor=cw.lead, case=case, data=data, idempotency_key=key or uuid.uuid4()
    )


def test_the_registered_tables_are_partitioned_by_month():
    assert {"visits_visit", NOTES, HOURS} <= set(partitioning.TABLES)
    assert partitioning.TABLES[NOTES].column == "noted_on"
    assert partitioning.TABLES[HOURS].column == "served_on"
    for table in (NOTES, HOURS):
        assert is_partitioned(table)
        names = {p.name for p in partitioning.partitions(table)}
        assert partitioning.partition_name(table, this_month()) in names and f"{table}_default" in names
    # Group attendance has no date of its own and stays a plain table.
    assert not is_partitioned("groups_attendance")


def test_a_date_column_partition_holds_its_calendar_month_exactly():
    bound = next(p.bound for p in partitioning.partitions(HOURS) if p.month == this_month())
    after = partitioning.add_months(this_month(), 1)
    assert bound == f"FOR VALUES FROM ('{this_month():%Y-%m-%d}') TO ('{after:%Y-%m-%d}')"


def test_notes_written_by_the_service_live_in_their_months_partition(cw):
    case = to_intervention(cw, open_case(cw))
    earlier = partitioning.add_months(this_month(), -2).replace(day=28)
    Case.objects.filter(pk=case.pk).update(opened_on=earlier)
    case.refresh_from_db()
    today, created = note_on(cw, case, timezone.localdate())
    old, old_created = note_on(cw, case, earlier)
    last_day = note_on(cw, case, partitioning.add_months(this_month(), -1) - datetime.timedelta(days=1))[0]
    assert created and old_created
    assert partition_of(NOTES, today.pk) == partitioning.partition_name(NOTES, this_month())
    assert partition_of(NOTES, old.pk) == partitioning.partition_name(
        NOTES, partitioning.month_start(earlier)
    )
    assert partition_of(NOTES, last_day.pk) == partition_of(
        NOTES, old.pk
    )  # the 28th and the month's last day
    # The service reads them back as before (the case page lists the notes, newest first).
    assert list(InterventionNote.objects.filter(case=case).values_list("pk", flat=True)) == [
        today.pk,
        last_day.pk,
        old.pk,
    ]
    assert InterventionNote.objects.get(pk=old.pk).content == "上门陪伴聊天一小时"


def test_a_note_idempotency_key_stays_unique_across_months(cw):
    case = to_intervention(cw, open_case(cw))
    earlier = partitioning.add_months(this_month(), -3)
    Case.objects.filter(pk=case.pk).update(opened_on=earlier)
    case.refresh_from_db()
    key = uuid.uuid4()
    first, created = note_on(cw, case, timezone.localdate(), key)
    again, created_again = note_on(cw, case, earlier, key)
    assert created and not created_again and again.pk == first.pk
    assert InterventionNoteKey.objects.get(idempotency_key=key).note_id == first.pk
    # Below the service, the database refuses a second note with the key in another month's partition.
    clone = InterventionNote(
        case=case,
        noted_on=earlier,
        method="home",
        content="重复",
        idempotency_key=key,
        region_code=case.region_code,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    # A note moved to another month keeps its key; a deleted one frees it.
    InterventionNote.objects.filter(pk=first.pk).update(noted_on=earlier)
    assert partition_of(NOTES, first.pk) == partitioning.partition_name(NOTES, earlier)
    assert InterventionNoteKey.objects.get(idempotency_key=key).noted_on == earlier
    InterventionNote.objects.get(pk=first.pk).delete()
    assert not InterventionNoteKey.objects.filter(idempotency_key=key).exists()


def test_hours_logged_and_confirmed_by_the_services_live_in_their_months_partition(volunteer):
    actor = system()
    last_month = partitioning.add_months(this_month(), -1)
    entries = [
        people_services.hours_log_for(
            actor=actor, volunteer=volunteer, activity=None, served_on=day, hours="2", description="陪伴"
        )
        for day in (timezone.localdate(), last_month, this_month() - datetime.timedelta(days=1))
    ]
    assert [partition_of(HOURS, e.pk) for e in entries] == [
        partitioning.partition_name(HOURS, this_month()),
        partitioning.partition_name(HOURS, last_month),
        partitioning.partition_name(HOURS, last_month),
    ]
    confirmed = people_services.hours_confirm(actor=actor, entry=entries[1])
    assert confirmed.status == HoursStatus.CONFIRMED
    stored = VolunteerHours.objects.get(pk=entries[1].pk)
    assert stored.status == HoursStatus.CONFIRMED and stored.hours == Decimal("2.0")
    # The check constraints came along with the conversion.
    with pytest.raises(IntegrityError), transaction.atomic():
        VolunteerHours.objects.filter(pk=stored.pk).update(hours=Decimal("25"))


def test_ensure_creates_the_coming_months_of_every_partitioned_table(cw, volunteer):
    ahead = [partitioning.add_months(this_month(), n) for n in range(1, partitioning.MONTHS_AHEAD + 1)]
    with connection.cursor() as cursor:
        for table in partitioning.TABLES:
            for month in ahead:
                cursor.execute(f'DROP TABLE "{partitioning.partition_name(table, month)}"')
    # An hours entry dated in a month with no partition waits in the default one.
    stray = VolunteerHours.objects.create(
        volunteer=volunteer, team=volunteer.team, served_on=ahead[1], hours=Decimal("1"), description="预登记"
    )
    assert partition_of(HOURS, stray.pk) == f"{HOURS}_default"
    assert partitioning.missing() == {table: ahead for table in partitioning.TABLES}
    assert partitioning.ENSURE.is_due()

    outcomes = schedules.run_due(inline=True, schedules=[partitioning.ENSURE])

    assert outcomes[0].action == "ran"
    assert outcomes[0].detail == {
        table: sorted(partitioning.partition_name(table, m) for m in ahead) for table in partitioning.TABLES
    }
    assert partitioning.missing() == {} and not partitioning.ENSURE.is_due()
    assert partition_of(HOURS, stray.pk) == partitioning.partition_name(HOURS, ahead[1])
    assert partitioning.ensure() == {}


def test_the_partitions_command_lists_and_detaches_every_table(cw, volunteer, capsys):
    case = to_intervention(cw, open_case(cw))
    old_month = partitioning.add_months(this_month(), -3)
    Case.objects.filter(pk=case.pk).update(opened_on=old_month)
    case.refresh_from_db()
    old_note, _ = note_on(cw, case, old_month)
    kept_note, _ = note_on(cw, case, timezone.localdate())
    old_hours = people_services.hours_log_for(
        actor=system(), volunteer=volunteer, activity=None, served_on=old_month, hours="1", description="陪伴"
    )

    call_command("partitions", "list")
    listing = capsys.readouterr().out
    for table in (NOTES, HOURS, "visits_visit"):
        assert partitioning.partition_name(table, this_month()) in listing

    call_command("partitions", "detach", "--before", f"{partitioning.add_months(old_month, 1):%Y-%m}")
    out = capsys.readouterr().out
    for table in (NOTES, HOURS):
        assert f"detached {old_month:%Y-%m} as {partitioning.archive_name(table, old_month)}" in out
    assert list(InterventionNote.objects.filter(case=case).values_list("pk", flat=True)) == [kept_note.pk]
    assert not VolunteerHours.objects.filter(pk=old_hours.pk).exists()
    assert not InterventionNoteKey.objects.filter(idempotency_key=old_note.idempotency_key).exists()
    assert InterventionNoteKey.objects.filter(idempotency_key=kept_note.idempotency_key).exists()
