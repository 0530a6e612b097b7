import datetime
import uuid

from . import Endpoint


def _g(w):
    return w.extras["group_a"].pk


def _form(body):
    return {"method": "POST", "body": body, "content_type": "form"}


ENDPOINTS = [
    Endpoint("groups:list", "list", lambda w: "/groups/"),
    Endpoint("groups:export", "list", lambda w: "/groups/export/"),
    Endpoint("groups:create", "list", lambda w: "/groups/new/"),
    Endpoint(
        "groups:create#post",
        "create",
        lambda w: "/groups/new/",
        **_form(
            lambda w: {
                "node": w.station_a.pk,
                "name": "越权小组",
                "kind": "support",
                "purpose": "越权",
                "leader": w.extras["group_leader_a"].pk,
                "planned_sessions": "6",
                "starts_on": "2026-01-01",
            }
        ),
    ),
    Endpoint("groups:detail", "detail", lambda w: f"/groups/{_g(w)}/"),
    Endpoint(
        "groups:stage", "write", lambda w: f"/groups/{_g(w)}/stage/", **_form(lambda w: {"to": "forming"})
    ),
    Endpoint("groups:schedule", "detail", lambda w: f"/groups/{_g(w)}/schedule/"),
    Endpoint(
        "groups:schedule#post",
        "write",
        lambda w: f"/groups/{_g(w)}/schedule/",
        **_form(lambda w: {"meets": "weekly", "meets_weekday": "2", "meets_at": "14:30"}),
    ),
    Endpoint("groups:member_add", "detail", lambda w: f"/groups/{_g(w)}/members/"),
    Endpoint(
        "groups:member_add#post",
        "write",
        lambda w: f"/groups/{_g(w)}/members/",
        **_form(lambda w: {"name": "越权居民", "joined_on": "2026-01-01"}),
    ),
    Endpoint(
        "groups:member_leave",
        "write",
        lambda w: f"/groups/members/{w.extras['group_member_a'].pk}/leave/",
        **_form(lambda w: {}),
    ),
    Endpoint("groups:session_new", "detail", lambda w: f"/groups/{_g(w)}/sessions/new/"),
    Endpoint(
        "groups:session_new#post",
        "write",
        lambda w: f"/groups/{_g(w)}/sessions/new/",
        **_form(
            lambda w: {
                "idempotency_key": str(uuid.uuid4()),
                "held_on": datetime.date.today().isoformat(),
                "place": "越权",
                "content": "越权",
                "present": [str(w.extras["group_member_a"].pk)],
            }
        ),
    ),
    Endpoint(
        "groups:session_detail", "detail", lambda w: f"/groups/sessions/{w.extras['group_session_a'].pk}/"
    ),
    Endpoint("shegong_groups_api_list_groups", "list", lambda w: "/api/v1/groups", api=True),
    Endpoint(
        "shegong_groups_api_create_group",
        "write",
        lambda w: "/api/v1/groups",
        method="POST",
        api=True,
        body=lambda w: {
            "node": w.station_a.pk,
            "name": "越权小组",
            "kind": "support",
            "purpose": "越权",
            "leader": w.extras["group_leader_a"].pk,
            "starts_on": "2026-01-01",
        },
    ),
    Endpoint("shegong_groups_api_get_group", "detail", lambda w: f"/api/v1/groups/{_g(w)}", api=True),
    Endpoint(
        "shegong_groups_api_advance_group",
        "write",
        lambda w: f"/api/v1/groups/{_g(w)}/stage",
        method="POST",
        api=True,
        body=lambda w: {"to": "forming"},
    ),
    Endpoint(
        "shegong_groups_api_set_group_schedule",
        "write",
        lambda w: f"/api/v1/groups/{_g(w)}/schedule",
        method="PUT",
        api=True,
        body=lambda w: {"meets": "weekly", "meets_weekday": 2, "meets_at": "14:30"},
    ),
    Endpoint(
        "shegong_groups_api_add_group_member",
        "write",
        lambda w: f"/api/v1/groups/{_g(w)}/members",
        method="POST",
        api=True,
        body=lambda w: {"name": "越权居民"},
    ),
    Endpoint(
        "shegong_groups_api_leave_group",
        "write",
        lambda w: f"/api/v1/groups/{_g(w)}/members/{w.extras['group_member_a'].pk}/leave",
        method="POST",
        api=True,
        body=lambda w: {},
    ),
    Endpoint("shegong_groups_api_list_group_sessions", "list", lambda w: "/api/v1/group-sessions", api=True),
    Endpoint(
        "shegong_groups_api_record_group_session",
        "write",
        lambda w: "/api/v1/group-sessions",
        method="POST",
        api=True,
        body=lambda w: {
            "group": _g(w),
            "idempotency_key": str(uuid.uuid4()),
            "held_on": datetime.date.today().isoformat(),
            "place": "越权",
            "content": "越权",
            "present": [w.extras["group_member_a"].pk],
        },
    ),
    Endpoint(
        "shegong_groups_api_get_group_session",
        "detail",
        lambda w: f"/api/v1/group-sessions/{w.extras['group_session_a'].pk}",
        api=True,
    ),
]


def extend(world):
    """A support group of station A, meeting weekly on today's weekday, with a resident member and one session
    held a week ago."""
    from shegong.accounts.actor import SystemActor
    from shegong.groups import services
    from shegong.people.models import SocialWorker

    actor = SystemActor("harness")
    leader = SocialWorker.objects.create(region=world.regions["town_a"], name="组长MARKERA")
    today = datetime.date.today()
    group = services.group_create(
        actor=actor,
        data={
            "node": world.station_a,
            "name": "小组MARKERA",
            "kind": "support",
            "purpose": "目标MARKERA",
            "leader": leader,
            "planned_sessions": 6,
            "starts_on": today - datetime.timedelta(days=30),
            # Meets today (the last session a week ago): on region A's today lists, which B must not see.
            "meets": "weekly",
            "meets_weekday": today.weekday(),
            "meets_at": datetime.time(14, 30),
        },
    )
    member = services.member_add(
        actor=actor, group=group, name="居民MARKERA", joined_on=today - datetime.timedelta(days=30)
    )
    session, _ = services.session_record(
        actor=actor,
        group=group,
        data={"held_on": today - datetime.timedelta(days=7), "place": "活动室", "content": "内容MARKERA"},
        present=[member.pk],
        idempotency_key=uuid.uuid4(),
    )
    # And one that missed yesterday's meeting: an overdue item on A's worklists and overdue page.
    services.group_create(
        actor=actor,
        data={
            "node": world.station_a,
            "name": "逾期小组MARKERA",
            "kind": "support",
            "purpose": "目标MARKERA",
            "leader": leader,
            "planned_sessions": 6,
            "starts_on": today - datetime.timedelta(days=10),
            "meets": "weekly",
            "meets_weekday": (today - datetime.timedelta(days=1)).weekday(),
            "meets_at": datetime.time(9, 30),
        },
    )
    world.extras.update(
        {
            "group_a": group,
            "group_leader_a": leader,
            "group_member_a": member,
            "group_session_a": session,
            "marker_group": group.name,
            "marker_group_member": "居民MARKERA",
        }
    )
