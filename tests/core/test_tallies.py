import datetime
from decimal import Decimal

import pytest

from shegong.core import tallies
from shegong.core.models import Tally, TallyMember
from shegong.core.regioncodes import Level

from ..factories import DISTRICT, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

# A metric whose "records" are this list: (region_code, day, amount).
RECORDS: list[tuple[str, datetime.date, int]] = []
MEMBERS: list[tuple[str, datetime.date, str]] = []


def _recount():
    out = {}
    for code, day, amount in RECORDS:
        key = (code, tallies.month_of(day))
        out[key] = out.get(key, 0) + amount
    return out


tallies.register(tallies.Metric("test.things", "things", _recount))
tallies.register(tallies.Metric("test.people", "people", distinct=True))
tallies.contribute("test.people", lambda: MEMBERS)
OTHER_MEMBERS: list[tuple[str, datetime.date, str]] = []
tallies.contribute("test.people", lambda: OTHER_MEMBERS)

NOV = datetime.date(2026, 11, 5)
DEC = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _clean():
    RECORDS.clear()
    MEMBERS.clear()
    OTHER_MEMBERS.clear()
    yield
    # Leave nothing behind: a later test in this process reconciles every registered metric, these included.
    RECORDS.clear()
    MEMBERS.clear()
    OTHER_MEMBERS.clear()


def record(code, day, amount=1):
    RECORDS.append((code, day, amount))
    tallies.add(code, day, "test.things", amount)


def serve(code, day, member):
    MEMBERS.append((code, day, member))
    return tallies.add_member(code, day, "test.people", member)


@pytest.mark.django_db
def test_counts_sum_over_subtrees_months_and_children():
    record(VILLAGE_A1, NOV)
    record(VILLAGE_A1, NOV, 2)
    record(VILLAGE_A2, NOV)
    record(VILLAGE_B1, DEC, 5)
    assert tallies.totals([DISTRICT], ["test.things"]) == {"test.things": Decimal(9)}
    assert tallies.totals([TOWN_A], ["test.things"]) == {"test.things": Decimal(4)}
    assert tallies.totals([DISTRICT], ["test.things"], months=[DEC]) == {"test.things": Decimal(5)}
    months = tallies.by_month([DISTRICT], ["test.things"], since=datetime.date(2026, 10, 1), until=DEC)
    assert [m.month for m in months] == [10, 11, 12]
    assert months[datetime.date(2026, 10, 1)]["test.things"] == 0
    assert months[datetime.date(2026, 11, 1)]["test.things"] == 4
    children = tallies.by_child(DISTRICT, Level.COUNTY, ["test.things"])
    assert children[TOWN_A[:9]]["test.things"] == 4
    assert children[TOWN_B[:9]]["test.things"] == 5


@pytest.mark.django_db
def test_taking_back_and_unknown_metric():
    record(VILLAGE_A1, NOV, 3)
    record(VILLAGE_A1, NOV, -1)
    assert tallies.totals([VILLAGE_A1], ["test.things"])["test.things"] == 2
    with pytest.raises(KeyError):
        tallies.add(VILLAGE_A1, NOV, "test.unregistered")


@pytest.mark.django_db
def test_a_member_counts_once_per_region_and_month():
    assert serve(VILLAGE_A1, NOV, "recipient:1") is True
    assert serve(VILLAGE_A1, datetime.date(2026, 11, 20), "recipient:1") is False
    assert serve(VILLAGE_A1, DEC, "recipient:1") is True
    assert serve(VILLAGE_A2, NOV, "recipient:1") is True
    assert tallies.totals([TOWN_A], ["test.people"], months=[NOV])["test.people"] == 2
    assert tallies.reconcile(fix=False, only=["test.people"]) == []
    # Another app's records of the same person in the same month add nothing; a new person adds one.
    OTHER_MEMBERS.append((VILLAGE_A1, NOV, "recipient:1"))
    assert tallies.add_member(VILLAGE_A1, NOV, "test.people", "recipient:1") is False
    OTHER_MEMBERS.append((VILLAGE_A1, NOV, "recipient:2"))
    tallies.add_member(VILLAGE_A1, NOV, "test.people", "recipient:2")
    assert tallies.reconcile(fix=False, only=["test.people"]) == []
    TallyMember.objects.filter(member="recipient:2").delete()
    Tally.objects.filter(metric="test.people", region_code=VILLAGE_A1, month=NOV.replace(day=1)).update(
        value=1
    )
    assert len(tallies.reconcile(only=["test.people"])) == 1
    assert TallyMember.objects.filter(member="recipient:2").exists()


@pytest.mark.django_db
def test_reconcile_finds_and_repairs_drift():
    record(VILLAGE_A1, NOV, 2)
    record(VILLAGE_B1, DEC)
    Tally.objects.filter(region_code=VILLAGE_A1).update(value=7)
    Tally.objects.create(metric="test.things", region_code=VILLAGE_A2, month=DEC, value=1)
    RECORDS.append((VILLAGE_B1, DEC, 4))  # written without being counted
    drifts = tallies.reconcile(fix=False, only=["test.things"])
    assert {(d.region_code, d.stored, d.actual) for d in drifts} == {
        (VILLAGE_A1, Decimal(7), Decimal(2)),
        (VILLAGE_A2, Decimal(1), Decimal(0)),
        (VILLAGE_B1, Decimal(1), Decimal(5)),
    }
    assert len(tallies.reconcile(only=["test.things"])) == 3
    assert tallies.reconcile(fix=False, only=["test.things"]) == []
    assert not Tally.objects.filter(region_code=VILLAGE_A2).exists()


@pytest.mark.django_db
def test_a_relationship_bound_writer_still_counts_the_whole_region():
    """Tallies are whole regions' figures: an operator's write counts though it cannot read the row."""
    from shegong.core.scoping import Relation, Scope, activate

    record(VILLAGE_B1, NOV)
    operator = Scope.of([TOWN_B], wide=[], relations=[Relation("operator", TOWN_B, frozenset({1}))])
    with activate(operator):
        assert not Tally.objects.exists()
        tallies.add(VILLAGE_B1, NOV, "test.things", 1)
        RECORDS.append((VILLAGE_B1, NOV, 1))
    assert Tally.objects.get(region_code=VILLAGE_B1).value == 2


@pytest.mark.django_db
def test_the_command_reports_and_repairs(capsys):
    from django.core.management import call_command

    record(VILLAGE_A1, NOV, 2)
    Tally.objects.filter(region_code=VILLAGE_A1).update(value=5)
    call_command("tallies", "reconcile", "--dry-run", "--metric", "test.things")
    assert "stored 5.00, actual 2" in capsys.readouterr().out
    call_command("tallies", "reconcile", "--metric", "test.things")
    assert "1 difference(s) fixed" in capsys.readouterr().out
    assert Tally.objects.get(region_code=VILLAGE_A1).value == 2
