"""Local policy as data: the nearest region's value applies below it, and the people rules read the resolved values."""

import datetime

from shegong.accounts.actor import Actor
from shegong.audit.models import AuditEvent
from shegong.people import reminders, selectors, services
from shegong.people.models import WorkerAssignment
from shegong.regions.models import RegionStandard
from shegong.regions.selectors import SEED_POLICY, policies_for, policy_for

from .helpers import days_ago, make_worker


def _set(region, **values):
    RegionStandard.objects.update_or_create(region=region, defaults=values)


def test_the_nearest_ancestors_value_applies_field_by_field(world):
    r = world.regions
    assert policy_for(r["village_a1"].code) == SEED_POLICY  # nothing set: the seed's values
    assert (SEED_POLICY.filing_due_days, SEED_POLICY.notice_min_days, SEED_POLICY.notice_max_days) == (
        7,
        30,
        60,
    )
    assert (SEED_POLICY.dishonesty_bar_years, SEED_POLICY.station_min_fulltime) == (2, 2)
    _set(r["district"], filing_due_days=10, dishonesty_bar_years=3)
    _set(r["town_a"], filing_due_days=5)  # overrides one value; the district's bar still applies
    found = policies_for([r["village_a1"].code, r["village_b1"].code, r["district"].code])
    a1, b1 = found[r["village_a1"].code], found[r["village_b1"].code]
    assert (a1.filing_due_days, a1.dishonesty_bar_years, a1.notice_min_days) == (5, 3, 30)
    assert (b1.filing_due_days, b1.dishonesty_bar_years) == (10, 3)
    assert a1.source_of("filing_due_days") == r["town_a"].code
    assert (
        a1.source_of("dishonesty_bar_years") == r["district"].code and a1.source_of("notice_min_days") == ""
    )
    assert found[r["district"].code].filing_due_days == 10


def test_overdue_filings_use_each_regions_deadline_in_python_and_in_the_query(world):
    _set(world.regions["town_a"], filing_due_days=3)
    actor = Actor.for_user(world.official_a)
    in_a = services.assignment_create(
        actor=actor,
        worker=make_worker(world.regions["town_a"], seq=1),
        node=world.station_a,
        start_date=days_ago(5),
    )
    in_b = services.assignment_create(
        actor=actor,
        worker=make_worker(world.regions["town_b"], seq=2),
        node=world.station_b,
        start_date=days_ago(5),
    )
    today = datetime.date.today()
    assert in_a.filing_overdue(today) and not in_b.filing_overdue(today)  # 3 days in A, the seed's 7 in B
    assert list(WorkerAssignment.objects.filter(WorkerAssignment.overdue_q(today))) == [in_a]
    assert [a.pk for a in selectors.filings(state="overdue", today=today)] == [in_a.pk]
    # A deeper region's value wins over the ancestor's inside it, and only there.
    _set(world.regions["district"], filing_due_days=4)
    assert list(WorkerAssignment.objects.filter(WorkerAssignment.overdue_q(today))) == [in_a, in_b]
    # The reminder looks for deadlines within three days by each posting's own deadline (B's is tomorrow).
    b_worker = in_b.worker
    b_worker.employer = world.org_b
    b_worker.save()
    assert list(reminders.filings_due_soon(today - datetime.timedelta(days=1))) == [in_b]


def test_the_dishonesty_bar_and_the_notice_rules_use_the_resolved_values(world):
    _set(world.regions["district"], dishonesty_bar_years=5, notice_min_days=10, notice_max_days=20)
    actor = Actor.for_user(world.official_a)
    worker = make_worker(world.regions["town_a"], seq=3)
    entry = services.dishonesty_add(
        actor=actor, worker=worker, reason="违约", listed_on=datetime.date(2024, 3, 1)
    )
    assert entry.bar_until == datetime.date(2029, 3, 1)
    leaver = make_worker(world.regions["town_b"], seq=4)
    departure = services.departure_notice(
        actor=actor, worker=leaver, notice_date=days_ago(25), planned_leaving_date=days_ago(10)
    )
    # 15 days' notice keeps the district's 10-day minimum; 25 days since notice breaks its 20-day maximum.
    breaches = departure.breaches(datetime.date.today())
    assert breaches == ["自提出离职起超过 20 天仍未完成交接"]


def test_the_bureau_edits_a_regions_policy_and_the_change_is_audited(world, login, client):
    login(world.official_a)
    url = f"/people/policy/?region={world.regions['town_a'].code}"
    page = client.get(url).content.decode()
    assert "全市统一标准" in page and 'name="filing_due_days"' in page
    response = client.post(url, {"filing_due_days": "14", "dishonesty_bar_years": ""})
    assert response.status_code == 302
    assert policy_for(world.regions["village_a1"].code).filing_due_days == 14
    event = AuditEvent.objects.get(action="policy.local.update")
    assert event.changes == {"filing_due_days": {"before": None, "after": 14}}
    assert event.region_code == world.regions["town_a"].code
    page = client.get(url).content.decode()
    assert 'value="14"' in page and "本区划规定" in page
    # Resolved values must stay consistent: more certified than full-time workers is refused, nothing saved.
    bad = client.post(url, {"filing_due_days": "14", "station_min_certified": "3"})
    assert bad.status_code == 200 and "持证社工数不能多于专职社工数" in bad.content.decode()
    assert AuditEvent.objects.filter(action="policy.local.update").count() == 1
    # Clearing every value removes the row: the district's (here, the seed's) values apply again.
    client.post(url, {})
    assert not RegionStandard.objects.filter(region=world.regions["town_a"]).exists()
    assert policy_for(world.regions["town_a"].code).filing_due_days == 7


def test_only_the_bureau_opens_the_policy_page(world, login, client):
    from ..factories import make_user

    login(make_user("worker", region_code=world.regions["town_a"].code))
    assert client.get("/people/policy/").status_code == 403
    login(world.official_a)
    assert client.get(f"/people/policy/?region={world.regions['province'].code}").status_code == 404
