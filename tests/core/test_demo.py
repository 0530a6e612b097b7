"""The demo city loads through every app's demo module, and its figures agree with its records."""

import pytest
from django.core.management import call_command

from shegong.accounts.actor import Actor
from shegong.accounts.models import RoleAssignment
from shegong.activities.models import Activity, ActivityParticipant
from shegong.charity import ledger as charity_ledger
from shegong.charity.models import Disbursement, Donation, Fund
from shegong.core import standing, tallies
from shegong.core.scoping import activate
from shegong.demands import selectors
from shegong.demands.models import OPEN, DemandRequest, RequestChannel, Status
from shegong.groups import selectors as groups_selectors
from shegong.groups.models import Attendance, Group, GroupSession
from shegong.network.models import NodeLevel, ServiceNode
from shegong.orgs.models import OrgKind
from shegong.people.models import HoursStatus, VolunteerHours
from shegong.recipients.models import Recipient, VisitRollup
from shegong.visits.ledger import reconcile
from shegong.visits.models import Visit

from ..cases.demo_checks import check_casework
from ..evaluation.demo_checks import check_evaluation
from ..factories import ensure_reference_data
from ..integrity.demo_checks import check_integrity
from ..projects.demo_checks import check_projects
from ..reports.demo_checks import check_reports


@pytest.mark.slow
def test_the_demo_city_loads_once_and_its_ledger_reconciles(db, capsys):
    # The rows data migrations seed (categories, catalogue, topics): a transactional test run earlier in this process
    # flushed them, and the demo reads them as a fresh install has them.
    ensure_reference_data()
    call_command("demo")
    out = capsys.readouterr().out
    assert "demo city loaded" in out
    for username in ("minzheng", "zhanzhang", "jigou", "shegong", "zhiyuanzhe", "anquan", "shenji"):
        assert username in out
    yuzhong = ServiceNode.objects.filter(region_code__startswith="500103")
    assert yuzhong.filter(level=NodeLevel.STATION).count() == 11
    assert yuzhong.filter(level=NodeLevel.ROOM).count() == 79
    assert yuzhong.filter(level=NodeLevel.ROOM, standardised=True).count() == 32
    operator = RoleAssignment.objects.get(role="operator", user__username="jigou")
    assert operator.organisation is not None and operator.organisation.kind == OrgKind.AGENCY
    assert Recipient.objects.count() >= 5000
    with activate(
        Actor.for_user(operator.user).scope
    ):  # an agency's manager sees its own stations' people only
        assert 0 < Recipient.objects.count() < 2000
    assert Visit.objects.exists() and VisitRollup.objects.exists()
    assert reconcile(fix=False) == []  # the back-filled history is what the visits say
    # Charity resources: the district's funds and every street's 阳光基金, a year of money, figures from the rows.
    funds = Fund.objects.filter(region_code__startswith="500103")
    assert funds.filter(name="渝中区慈善纾困基金", kind="special").exists()
    assert funds.filter(kind="community", name__endswith="阳光基金").count() == 11
    assert Donation.objects.exclude(restriction="").count() == 1
    assert Disbursement.objects.filter(status="reversal").count() == 1
    assert all(f.balance >= 0 and f.balance == f.raised - f.spent for f in funds)
    assert charity_ledger.reconcile(fix=False) == []
    assert tallies.reconcile(fix=False) == []  # no counted figure drifted from its records
    assert standing.reconcile(fix=False) == []  # nor any standing count (cases per stage, open requests)
    # Group work and activities for a plausible year, counted: the tallies agree with the records.
    assert 24 <= Group.objects.count() <= 60 and GroupSession.objects.count() > 100
    assert Attendance.objects.filter(present=True).exists()
    # Every group has a schedule; each station's first group meets today, the demo worker's among them.
    assert not Group.objects.filter(meets="").exists()
    meeting = [d for d in groups_selectors.groups_due(under="500103000000") if d.meets_today]
    assert len(meeting) >= 8 and all(d.next.missed is None for d in meeting)
    assert any(d.group.leader.user and d.group.leader.user.username == "shegong" for d in meeting)
    assert Activity.objects.count() >= 300
    assert VolunteerHours.objects.filter(activity__isnull=False, status=HoursStatus.LOGGED).exists()
    assert Activity.organisations.through.objects.exists() and ActivityParticipant.objects.exists()
    assert tallies.reconcile(fix=False) == []
    assert (
        tallies.totals(["500103000000"], ["groups.sessions"])["groups.sessions"]
        == GroupSession.objects.count()
    )
    assert tallies.reconcile(fix=False) == []  # every counted figure is what its records say
    requests = DemandRequest.objects.filter(region_code__startswith="500103")
    assert requests.count() >= 2000
    assert set(requests.values_list("channel", flat=True)) == set(RequestChannel.values)
    assert set(requests.values_list("status", flat=True)) == set(Status.values)
    assert requests.filter(returns__gt=0).exists() and requests.filter(reopened=True).exists()
    assert requests.filter(selectors.overdue_q()).exists() and requests.filter(escalation=2).exists()
    assert requests.filter(
        worker__user__username="shegong", status__in=OPEN
    ).exists()  # the demo worker's list
    rows = selectors.demand_summary(["500103000000"], None, None)
    assert len(rows) >= 15 and rows[0].requests > rows[-1].requests
    _supervision_and_training_reconcile()
    # The apps' own expectations of the demo city, checked on this one load (loading it costs most of a minute).
    check_casework()
    check_projects()
    check_evaluation()
    check_integrity()
    check_reports()

    call_command("demo")
    assert "already loaded" in capsys.readouterr().out
    assert yuzhong.filter(level=NodeLevel.STATION).count() == 11


def _supervision_and_training_reconcile():
    """A year of supervision and training for Yuzhong, counted without drift, with a few workers short of hours,
    relationships overdue, libraries of a few dozen entries, stations at different stages and a demonstration."""
    import datetime

    from shegong.core import tallies
    from shegong.network.models import Demonstration, StationStage
    from shegong.people.models import SupervisionAssignment, Supervisor
    from shegong.supervision import selectors
    from shegong.supervision.models import Expert, Question, ReferenceProject, SupervisionSession

    assert tallies.reconcile(fix=False, only=[selectors.SESSIONS, selectors.ATTENDANCES]) == []
    assert SupervisionSession.objects.count() > 150  # monthly, for every relationship with workers in post
    assert (
        Supervisor.objects.filter(kind="external").exists()
        and Supervisor.objects.filter(level="trainee").exists()
    )
    assert SupervisionAssignment.objects.filter(node__level="room").exists()  # station → room
    assert any(d.overdue for d in selectors.due())
    short = selectors.training_hours(datetime.date.today().year, short_only=True)
    assert 0 < len(short) < len(selectors.training_hours(datetime.date.today().year)) / 2
    for model in (Question, Expert, ReferenceProject):
        assert 24 <= model.objects.count() <= 60
    assert selectors.search_resources("老人")["question"]
    assert set(StationStage.objects.values_list("stage", flat=True)) == {
        "covered",
        "standardised",
        "improved",
    }
    assert Demonstration.objects.filter(level="city").count() == 1
    zhou = Supervisor.objects.get(user__username="dudao")
    from shegong.accounts.actor import Actor
    from shegong.people.models import SocialWorker

    with activate(
        Actor.for_user(zhou.user).scope
    ):  # the demo supervisor sees its supervisees, not the district
        seen = SocialWorker.objects.count()
    assert 0 < seen < SocialWorker.objects.count()
