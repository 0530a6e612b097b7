"""The demo city's casework: a few hundred Yuzhong cases over every stage, some awaiting approval, overdue,
transferred or referred; its counted figures agree with its records."""

from shegong.cases.models import Approval, Case, Referral, Stage, Transfer
from shegong.cases.rules import overdue_q
from shegong.core import tallies


def check_casework():
    cases = Case.objects.filter(region_code__startswith="500103")
    assert cases.count() >= 200
    assert set(cases.values_list("stage", flat=True)) == set(Stage.values)
    assert Approval.objects.filter(decision="pending", kind="plan").exists()
    assert Approval.objects.filter(decision="pending", kind="closing").exists()
    assert cases.filter(overdue_q(__import__("datetime").date.today())).exists()
    assert Referral.objects.exists() and Transfer.objects.filter(status="pending").exists()
    numbers = list(cases.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert tallies.reconcile(fix=False, only=["cases.opened", "cases.closed", "served.people"]) == []
    assert tallies.totals(["500103000000"], ["cases.opened"])["cases.opened"] == cases.count()
