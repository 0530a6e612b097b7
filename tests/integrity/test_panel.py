"""The integrity panel on the dashboards: open findings of the region (or station), each figure opening exactly the
findings it counts."""

from __future__ import annotations

from shegong.accounts.actor import Actor
from shegong.integrity.models import Finding, FindingState
from shegong.integrity.services import finding_decide, run_checks

from ..dashboards.helpers import figures, listed
from ..factories import DISTRICT, TOWN_A, login_client, make_user
from . import planted


def test_the_dashboards_show_open_findings_that_drill_down_to_exactly_those(world, client):
    planted.build(world, plant=True)
    run_checks()
    login_client(client, make_user(("official", DISTRICT)))
    district = figures(client.get(f"/dashboards/{DISTRICT}/"))
    open_in_district = Finding.objects.filter(
        state=FindingState.OPEN, region_code__startswith=DISTRICT[:6]
    ).count()
    assert open_in_district > 0
    assert district["findings.open"].value == open_in_district
    assert listed(client, district["findings.open"].url) == open_in_district
    assert listed(client, district["findings.bureau"].url) == district["findings.bureau"].value
    for key, figure in district.items():
        if key.startswith("findings.") and key not in ("findings.open", "findings.bureau"):
            assert listed(client, figure.url) == figure.value, key

    station = figures(client.get(f"/dashboards/station/{world.station_a.pk}/"))
    at_station = Finding.objects.filter(state=FindingState.OPEN, node=world.station_a).count()
    assert station["findings.open"].value == at_station
    assert listed(client, station["findings.open"].url) == at_station

    # A decided finding leaves the panel at once.
    finding = Finding.objects.filter(state=FindingState.OPEN, region_code__startswith=TOWN_A[:9]).first()
    finding_decide(
        actor=Actor.for_user(make_user(("township", TOWN_A))),
        finding=finding,
        state="explained",
        reason="已核实",
    )
    again = figures(client.get(f"/dashboards/{DISTRICT}/"))
    assert again["findings.open"].value == open_in_district - 1


def test_a_user_without_integrity_rights_sees_no_panel(world, client):
    login_client(client, make_user(("worker", TOWN_A)))
    response = client.get(f"/dashboards/{TOWN_A}/")
    if response.status_code == 200:
        assert "findings.open" not in figures(response)
