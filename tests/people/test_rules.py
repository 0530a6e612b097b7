import datetime

import pytest
from django.core.exceptions import ValidationError

from shegong.accounts.actor import Actor
from shegong.people import selectors, services
from shegong.people.models import Departure, VolunteerStatus

from .helpers import make_worker, valid_id

D = datetime.date


def test_departure_breaches(world):
    worker = make_worker(world.regions["town_a"])
    short = Departure(worker=worker, notice_date=D(2026, 1, 1), planned_leaving_date=D(2026, 1, 20))
    assert any("30" in b for b in short.breaches(D(2026, 1, 5)))
    fine = Departure(worker=worker, notice_date=D(2026, 1, 1), planned_leaving_date=D(2026, 2, 5))
    assert fine.breaches(D(2026, 1, 5)) == []
    fine.left_on = D(2026, 2, 5)
    assert fine.breaches(D(2026, 2, 5)) == ["未落实补员即离岗"]
    stale = Departure(worker=worker, notice_date=D(2026, 1, 1), planned_leaving_date=D(2026, 2, 5))
    assert any("60" in b for b in stale.breaches(D(2026, 3, 5)))


def test_departure_complete_ends_posts(world):
    actor = Actor.for_user(world.user_a)
    worker = make_worker(world.regions["town_a"])
    replacement = make_worker(world.regions["town_a"], name="接替", seq=2)
    services.assignment_create(actor=actor, worker=worker, node=world.station_a, start_date=D(2025, 1, 1))
    departure = services.departure_notice(
        actor=actor, worker=worker, notice_date=D(2026, 1, 1), planned_leaving_date=D(2026, 2, 5)
    )
    services.departure_complete(
        actor=actor, departure=departure, left_on=D(2026, 2, 5), replacement=replacement
    )
    worker.refresh_from_db()
    assert worker.status == "left" and worker.assignments.get().end_date == D(2026, 2, 5)
    assert departure.breaches(D(2026, 2, 5)) == []


def test_team_hierarchy_and_totals(world):
    actor = Actor.for_user(world.user_a)
    corps = services.team_create(
        actor=actor, data={"region": world.regions["town_a"], "name": "总队", "level": "corps"}
    )
    with pytest.raises(ValidationError):
        services.team_create(
            actor=actor, data={"region": world.regions["town_a"], "name": "孤儿小队", "level": "squad"}
        )
    squad = services.team_create(
        actor=actor,
        data={"region": world.regions["village_a1"], "name": "小队", "level": "squad", "parent": corps},
    )
    tree = selectors.flatten(selectors.team_tree())
    assert [n.team.name for n in tree] == ["总队", "小队"] and tree[1].depth == 1
    assert squad.parent_id == corps.pk


def test_public_signup_waits_for_approval(db, world, client):
    response = client.post(
        "/people/volunteers/signup/",
        {
            "name": "新志愿者",
            "phone": "13800000009",
            "id_number": valid_id(seq=7),
            "region": world.regions["village_a1"].code,
            "skills": ["care"],
            "consent": "on",
        },
    )
    assert response.status_code == 200 and "登记已提交" in response.content.decode()
    from shegong.people.models import Volunteer

    volunteer = Volunteer.objects.get(name="新志愿者")
    assert volunteer.status == VolunteerStatus.PENDING and volunteer.self_registered
    services.volunteer_approve(actor=Actor.for_user(world.user_a), volunteer=volunteer)
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.ACTIVE
    bad = client.post(
        "/people/volunteers/signup/",
        {"name": "错号", "phone": "123", "region": world.regions["village_a1"].code, "consent": "on"},
    )
    assert "电话号码" in bad.content.decode() and 'value="错号"' in bad.content.decode()


def test_recruitment_counts_against_target(world, login, client):
    from shegong.people.models import Volunteer

    worker = make_worker(world.regions["town_a"], name="招募者")
    for i in range(5):
        Volunteer.objects.create(
            region=world.regions["village_a1"], name=f"v{i}", phone=f"1380000000{i}", recruited_by=worker
        )
    assert selectors.recruitment([worker.pk]) == {worker.pk: 5}
    login(world.user_a)
    assert "5/5" in client.get("/people/workers/").content.decode()
