"""The worklist puts the most urgent visit first and says every fact that makes it urgent."""

import datetime

import pytest
from django.utils import timezone

from shegong.recipients.models import Recipient, RiskTier
from shegong.visits.selectors import worklist
from tests.factories import VILLAGE_A1
from tests.recipients.helpers import make_recipient

pytestmark = pytest.mark.django_db


def _set(recipient, **fields):
    Recipient.objects.filter(pk=recipient.pk).update(**fields)


@pytest.fixture
def crowded(world):
    """20 ordinary overdue items, an event deadline passed six hours ago, one still ahead, one both."""
    today = timezone.localdate()
    now = timezone.now()
    late = []
    for i in range(20):
        r = make_recipient(VILLAGE_A1, name=f"逾期{i}", tier=RiskTier.KEY)
        _set(r, next_due_on=today - datetime.timedelta(days=i + 1), event_due_at=None)
        late.append(r)
    high = make_recipient(VILLAGE_A1, name="高风险逾期", tier=RiskTier.HIGH)
    _set(high, next_due_on=today - datetime.timedelta(days=1), event_due_at=None)
    passed_at = now - datetime.timedelta(hours=6)
    event = make_recipient(VILLAGE_A1, name="变故已过", tier=RiskTier.KEY)
    _set(event, next_due_on=timezone.localtime(passed_at).date(), event_due_at=passed_at)
    # Still ahead, and on today's list whatever the hour the test runs.
    ahead_at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 59, 59)))
    pending = make_recipient(VILLAGE_A1, name="变故未到", tier=RiskTier.HIGH)
    _set(pending, next_due_on=timezone.localtime(ahead_at).date(), event_due_at=ahead_at)
    both = make_recipient(VILLAGE_A1, name="两者兼有", tier=RiskTier.GENERAL)
    _set(both, next_due_on=today - datetime.timedelta(days=3), event_due_at=ahead_at)
    return {"event": event, "pending": pending, "both": both, "high": high, "late": late}


def test_a_passed_event_deadline_is_first_then_high_risk_then_lateness(crowded):
    work = worklist()
    names = [i.recipient.name for i in work.overdue]
    assert names[0] == "变故已过"
    assert names[1] == "高风险逾期"
    # Then by lateness: the 20-day-late item before the 1-day-late one.
    assert names.index("逾期19") < names.index("两者兼有") < names.index("逾期0")
    first = work.overdue[0]
    assert first.hours_late == 6 and first.days_late == 0


def test_an_event_not_yet_due_is_not_overdue(crowded):
    work = worklist()
    pending = crowded["pending"].pk
    assert pending not in [i.recipient.pk for i in work.overdue]
    upcoming = work.today + work.week
    item = next(i for i in upcoming if i.recipient.pk == pending)
    assert item.event_pending and item.days_late == 0
    # It heads whichever list it falls under.
    bucket = work.today if item in work.today else work.week
    assert bucket[0] is item


def test_both_facts_when_both_apply(crowded, world, login, client):
    work = worklist()
    both = next(i for i in work.overdue if i.recipient.pk == crowded["both"].pk)
    assert both.days_late == 3 and both.event_pending
    login(world.user_a)
    body = client.get(f"/visits/worklist/?station={world.station_a.pk}").content.decode()
    item = body[body.index(f'data-recipient="{crowded["both"].pk}"') :]
    item = item[: item.index("</li>")]
    assert "逾期 3 天" in item and "前须探访" in item
    event = body[body.index(f'data-recipient="{crowded["event"].pk}"') :]
    event = event[: event.index("</li>")]
    assert "逾期 6 小时" in event and "前须探访" not in event
    # The page lists the passed event deadline first of all overdue items.
    assert body.index(f'data-recipient="{crowded["event"].pk}"') < body.index(
        f'data-recipient="{crowded["high"].pk}"'
    )


def test_the_worklist_is_one_query_naming_each_village_and_worker(world):
    """The village's and worker's names come with the rows (scalar subqueries), not in queries of their own: a
    query per kind cost a round trip each, which under load was most of the worklist's time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shegong.people.models import SocialWorker
    from shegong.regions.models import Region

    worker = SocialWorker.objects.create(
        region=Region.objects.get(code=VILLAGE_A1[:9] + "000"), name="王社工"
    )
    for i in range(3):
        make_recipient(VILLAGE_A1, name=f"对象{i}", tier=RiskTier.KEY, worker=worker)
    Recipient.objects.update(next_due_on=timezone.localdate())
    with CaptureQueriesContext(connection) as queries:
        work = worklist(worker_id=worker.pk)
    assert len(queries) == 1
    assert {(i.recipient.region.name, i.recipient.worker.name) for i in work.today} == {
        (Region.objects.get(code=VILLAGE_A1).name, "王社工")
    }
    assert len(work.today) == 3
