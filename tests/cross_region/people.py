from . import Endpoint


def _a(w, key):
    return w.extras[key].pk


ENDPOINTS = [
    Endpoint("people:workers", "list", lambda w: "/people/workers/?overdue=1"),
    Endpoint("people:workers_export", "list", lambda w: "/people/workers/export/"),
    Endpoint("people:workers_template", "list", lambda w: "/people/workers/import/template/"),
    Endpoint(
        "people:worker_create",
        "create",
        lambda w: "/people/workers/new/",
        method="POST",
        body=lambda w: {
            "name": "越权社工",
            "region": w.regions["town_a"].code,
            "id_number": "110101199003074477",
            "certificate": "none",
            "status": "active",
        },
        content_type="form",
    ),
    Endpoint(
        "people:workers_import",
        "create",
        lambda w: "/people/workers/import/",
        method="POST",
        body=lambda w: {"region": w.regions["town_a"].code},
        content_type="form",
    ),
    Endpoint("people:worker_detail", "detail", lambda w: f"/people/workers/{_a(w, 'worker_a')}/"),
    Endpoint("people:worker_edit", "detail", lambda w: f"/people/workers/{_a(w, 'worker_a')}/edit/"),
    Endpoint(
        "people:worker_reveal",
        "write",
        lambda w: f"/people/workers/{_a(w, 'worker_a')}/reveal/",
        method="POST",
        body=lambda w: {"field": "id_number", "reason": "越权查看"},
        content_type="form",
    ),
    Endpoint(
        "people:assignment_create",
        "write",
        lambda w: f"/people/workers/{_a(w, 'worker_a')}/assign/",
        method="POST",
        body=lambda w: {"node": w.station_b.pk, "start_date": "2026-01-01", "full_time": "on"},
        content_type="form",
    ),
    Endpoint(
        "people:dishonesty_add",
        "write",
        lambda w: f"/people/workers/{_a(w, 'worker_a')}/dishonesty/",
        method="POST",
        body=lambda w: {"reason": "越权"},
        content_type="form",
    ),
    Endpoint(
        "people:departure_create",
        "write",
        lambda w: f"/people/workers/{_a(w, 'worker_a')}/departure/",
        method="POST",
        body=lambda w: {"notice_date": "2026-01-01", "planned_leaving_date": "2026-02-15"},
        content_type="form",
    ),
    Endpoint(
        "people:filing_submit",
        "write",
        lambda w: f"/people/assignments/{_a(w, 'assignment_a')}/file/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
    Endpoint(
        "people:filing_confirm",
        "write",
        lambda w: f"/people/assignments/{_a(w, 'filed_a')}/confirm/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
    Endpoint("people:filings", "list", lambda w: "/people/filings/?state=overdue"),
    Endpoint("people:station_staff", "detail", lambda w: f"/people/stations/{w.station_a.pk}/"),
    Endpoint("people:dishonesty", "list", lambda w: "/people/dishonesty/?all=1"),
    Endpoint("people:departures", "list", lambda w: "/people/departures/"),
    Endpoint(
        "people:departure_complete",
        "detail",
        lambda w: f"/people/departures/{_a(w, 'departure_a')}/complete/",
    ),
    Endpoint("people:ladders", "list", lambda w: "/people/ladders/"),
    Endpoint("people:volunteers", "list", lambda w: "/people/volunteers/"),
    Endpoint("people:volunteers_export", "list", lambda w: "/people/volunteers/export/"),
    Endpoint("people:volunteers_template", "list", lambda w: "/people/volunteers/import/template/"),
    Endpoint(
        "people:volunteer_create",
        "create",
        lambda w: "/people/volunteers/new/",
        method="POST",
        body=lambda w: {
            "name": "越权志愿者",
            "region": w.regions["village_a1"].code,
            "phone": "13800000000",
            "status": "active",
        },
        content_type="form",
    ),
    Endpoint(
        "people:volunteers_import",
        "create",
        lambda w: "/people/volunteers/import/",
        method="POST",
        body=lambda w: {"region": w.regions["town_a"].code},
        content_type="form",
    ),
    # Public: the page and its community list are the same for everyone; they name regions, never A's rows.
    Endpoint("people:volunteer_signup", "list", lambda w: "/people/volunteers/signup/"),
    # A's township's local policy is a 404 for B's official, read or written.
    Endpoint("people:policy", "detail", lambda w: f"/people/policy/?region={w.regions['town_a'].code}"),
    # A's community on the poster is a 404 for B, like a row.
    Endpoint(
        "people:volunteer_signup_poster",
        "detail",
        lambda w: f"/people/volunteers/signup/poster/?region={w.regions['village_a1'].code}",
    ),
    Endpoint(
        "people:volunteer_signup_villages",
        "list",
        lambda w: f"/people/volunteers/signup/villages/?township={w.regions['town_a'].code}",
    ),
    Endpoint("people:volunteer_detail", "detail", lambda w: f"/people/volunteers/{_a(w, 'volunteer_a')}/"),
    Endpoint("people:volunteer_edit", "detail", lambda w: f"/people/volunteers/{_a(w, 'volunteer_a')}/edit/"),
    Endpoint(
        "people:volunteer_reveal",
        "write",
        lambda w: f"/people/volunteers/{_a(w, 'volunteer_a')}/reveal/",
        method="POST",
        body=lambda w: {"field": "phone", "reason": "越权查看"},
        content_type="form",
    ),
    Endpoint(
        "people:volunteer_approve",
        "write",
        lambda w: f"/people/volunteers/{_a(w, 'pending_a')}/approve/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
    Endpoint("people:teams", "list", lambda w: "/people/teams/"),
    Endpoint(
        "people:team_create",
        "create",
        lambda w: "/people/teams/new/",
        method="POST",
        body=lambda w: {
            "name": "越权队伍",
            "level": "detachment",
            "region": w.regions["town_a"].code,
            "parent": _a(w, "team_a"),
        },
        content_type="form",
    ),
    Endpoint("people:team_detail", "detail", lambda w: f"/people/teams/{_a(w, 'team_a')}/"),
    Endpoint("people:hours", "list", lambda w: "/people/hours/?status="),
    Endpoint("people:hours_export", "list", lambda w: "/people/hours/export/?status="),
    Endpoint("people:my_hours", "list", lambda w: "/people/hours/mine/"),
    Endpoint(
        "people:hours_confirm",
        "write",
        lambda w: f"/people/hours/{_a(w, 'hours_a')}/confirm/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
    Endpoint(
        "people:hours_confirm_all",
        "write",
        lambda w: "/people/hours/confirm-all/",
        method="POST",
        body=lambda w: {"ids": [_a(w, "hours_a")]},
        content_type="form",
    ),
    Endpoint(
        "people:hours_reject",
        "write",
        lambda w: f"/people/hours/{_a(w, 'hours_a')}/reject/",
        method="POST",
        body=lambda w: {"note": "越权"},
        content_type="form",
    ),
    # API
    Endpoint("shegong_people_api_list_workers", "list", lambda w: "/api/v1/workers", api=True),
    Endpoint(
        "shegong_people_api_create_worker",
        "write",
        lambda w: "/api/v1/workers",
        method="POST",
        api=True,
        body=lambda w: {
            "region": w.regions["town_a"].code,
            "name": "越权",
            "id_number": "110101199003074477",
        },
    ),
    Endpoint(
        "shegong_people_api_get_worker", "detail", lambda w: f"/api/v1/workers/{_a(w, 'worker_a')}", api=True
    ),
    Endpoint(
        "shegong_people_api_update_worker",
        "write",
        lambda w: f"/api/v1/workers/{_a(w, 'worker_a')}",
        method="PATCH",
        body=lambda w: {"name": "改名"},
        api=True,
    ),
    Endpoint(
        "shegong_people_api_create_assignment",
        "write",
        lambda w: f"/api/v1/workers/{_a(w, 'worker_a')}/assignments",
        method="POST",
        api=True,
        body=lambda w: {"node": w.station_b.pk},
    ),
    Endpoint(
        "shegong_people_api_submit_filing",
        "write",
        lambda w: f"/api/v1/workers/assignments/{_a(w, 'assignment_a')}/filing",
        method="POST",
        api=True,
    ),
    Endpoint(
        "shegong_people_api_confirm_filing",
        "write",
        lambda w: f"/api/v1/workers/assignments/{_a(w, 'filed_a')}/filing/confirm",
        method="POST",
        api=True,
    ),
    Endpoint(
        "shegong_people_api_add_dishonesty",
        "write",
        lambda w: f"/api/v1/workers/{_a(w, 'worker_a')}/dishonesty",
        method="POST",
        api=True,
        body=lambda w: {"reason": "越权"},
    ),
    Endpoint(
        "shegong_people_api_create_departure",
        "write",
        lambda w: f"/api/v1/workers/{_a(w, 'worker_a')}/departures",
        method="POST",
        api=True,
        body=lambda w: {"notice_date": "2026-01-01", "planned_leaving_date": "2026-02-15"},
    ),
    Endpoint("shegong_people_api_list_volunteers", "list", lambda w: "/api/v1/volunteers", api=True),
    Endpoint(
        "shegong_people_api_create_volunteer",
        "write",
        lambda w: "/api/v1/volunteers",
        method="POST",
        api=True,
        body=lambda w: {"region": w.regions["village_a1"].code, "name": "越权", "phone": "13800000000"},
    ),
    Endpoint(
        "shegong_people_api_get_volunteer",
        "detail",
        lambda w: f"/api/v1/volunteers/{_a(w, 'volunteer_a')}",
        api=True,
    ),
    Endpoint(
        "shegong_people_api_update_volunteer",
        "write",
        lambda w: f"/api/v1/volunteers/{_a(w, 'volunteer_a')}",
        method="PATCH",
        api=True,
        body=lambda w: {"name": "改名"},
    ),
    Endpoint("shegong_people_api_list_hours", "list", lambda w: "/api/v1/volunteer-hours", api=True),
    Endpoint(
        "shegong_people_api_log_hours",
        "create",
        lambda w: "/api/v1/volunteer-hours",
        method="POST",
        api=True,
        body=lambda w: {
            "served_on": "2026-01-01",
            "hours": "2.0",
            "description": "越权",
            "team": _a(w, "team_a"),
        },
    ),
    Endpoint(
        "shegong_people_api_confirm_hours",
        "write",
        lambda w: f"/api/v1/volunteer-hours/{_a(w, 'hours_a')}/confirm",
        method="POST",
        api=True,
        body=lambda w: {},
    ),
    Endpoint(
        "shegong_people_api_reject_hours",
        "write",
        lambda w: f"/api/v1/volunteer-hours/{_a(w, 'hours_a')}/reject",
        method="POST",
        api=True,
        body=lambda w: {"note": "越权"},
    ),
]


def extend(world):
    import datetime
    from decimal import Decimal

    from shegong.people.models import (
        AssignmentFilingStatus,
        Departure,
        DishonestyEntry,
        SocialWorker,
        Volunteer,
        VolunteerHours,
        VolunteerStatus,
        VolunteerTeam,
        WorkerAssignment,
    )

    town_a = world.regions["town_a"]
    today = datetime.date.today()
    worker = SocialWorker.objects.create(
        region=town_a, name="社工MARKERA", id_number="11010119900307663X", phone="13912345678"
    )
    other = SocialWorker.objects.create(region=town_a, name="社工乙MARKERA", id_number="110101199003076702")
    assignment = WorkerAssignment.objects.create(
        worker=worker, node=world.station_a, start_date=today - datetime.timedelta(days=20)
    )
    filed = WorkerAssignment.objects.create(
        worker=other,
        node=world.room_a,
        start_date=today,
        filing_status=AssignmentFilingStatus.SUBMITTED,
        full_time=False,
    )
    departure = Departure.objects.create(
        worker=other,
        notice_date=today,
        planned_leaving_date=today + datetime.timedelta(days=40),
        reason="离职MARKERA",
    )
    DishonestyEntry.objects.create(
        worker=other, reason="失信MARKERA", listed_on=today, bar_until=today + datetime.timedelta(days=730)
    )
    team = VolunteerTeam.objects.create(region=town_a, name="队伍MARKERA", level="corps")
    volunteer = Volunteer.objects.create(
        region=world.regions["village_a1"],
        name="志愿者MARKERA",
        phone="13712345678",
        team=team,
        recruited_by=worker,
    )
    pending = Volunteer.objects.create(
        region=world.regions["village_a1"],
        name="待审MARKERA",
        phone="13612345678",
        status=VolunteerStatus.PENDING,
    )
    hours = VolunteerHours.objects.create(
        volunteer=volunteer, team=team, served_on=today, hours=Decimal("2"), description="时长MARKERA"
    )
    world.extras.update(
        {
            "worker_a": worker,
            "assignment_a": assignment,
            "filed_a": filed,
            "departure_a": departure,
            "team_a": team,
            "volunteer_a": volunteer,
            "pending_a": pending,
            "hours_a": hours,
            "marker_worker": worker.name,
            "marker_volunteer": volunteer.name,
            "marker_team": team.name,
            "marker_hours": hours.description,
            "marker_dishonesty": "失信MARKERA",
        }
    )


SUPERVISOR_ENDPOINTS = [
    Endpoint("people:supervisors", "list", lambda w: "/people/supervisors/"),
    Endpoint(
        "people:supervisor_create",
        "create",
        lambda w: "/people/supervisors/new/",
        method="POST",
        body=lambda w: {
            "name": "越权督导",
            "region": w.regions["town_a"].code,
            "kind": "internal",
            "level": "local",
        },
        content_type="form",
    ),
    Endpoint("people:supervisor_detail", "detail", lambda w: f"/people/supervisors/{_a(w, 'supervisor_a')}/"),
    Endpoint(
        "people:supervision_assign",
        "write",
        lambda w: f"/people/supervisors/{_a(w, 'supervisor_a')}/assign/",
        method="POST",
        body=lambda w: {"project_name": "越权项目", "start_date": "2026-01-01"},
        content_type="form",
    ),
    Endpoint(
        "people:supervision_end",
        "write",
        lambda w: f"/people/supervisions/{_a(w, 'supervision_a')}/end/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
]
ENDPOINTS += SUPERVISOR_ENDPOINTS
