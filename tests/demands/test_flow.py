"""The request's life: received → dispatched → handed back → dispatched again → resolved → rated (a dissatisfied
rating reopens it once), with its history, the recipient's timeline, tallies, notices and audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.audit.models import AuditEvent
from shegong.core import tallies
from shegong.demands import catalogue, selectors, services
from shegong.demands.models import DemandEvent, EventKind, Status
from shegong.notifications.models import Kind, Message
from tests.factories import TOWN_A, VILLAGE_A1, make_user
from tests.recipients.helpers import make_recipient

from .helpers import actor, item, public_request, worker_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standing_matches_records")]


def test_the_default_catalogue_has_8_domains_and_45_items(world):
    items = list(catalogue.items_for(VILLAGE_A1))
    assert len(items) == 45
    assert len({i.domain_id for i in items}) == 8
    assert {str(d.name) for d, _ in catalogue.grouped(items)} >= {
        "社会救助",
        "养老服务",
        "法律援助",
        "心理支持",
    }


def test_the_desk_gets_a_suggestion_from_the_words_typed(world):
    items = catalogue.items_for(VILLAGE_A1)
    assert catalogue.suggest("楼下一直在漏气，闻到燃气味", items)[0].code == "governance.hazard"
    assert catalogue.suggest("老人想要助餐送餐", items)[0].code == "elderly.meals"
    assert catalogue.suggest("", items) == []


def test_full_flow_with_a_return_an_organisation_and_a_reopening(world):
    desk = actor("worker")
    worker_user = make_user("worker", region_code=TOWN_A)
    worker = worker_for(worker_user, world.regions["town_a"])
    worker_actor = actor_for(worker_user)
    operator_user = make_user("operator", region_code=TOWN_A, organisation=world.org_a)
    operator = actor_for(operator_user)

    req = public_request()
    assert req.status == Status.NEW and len(req.tracking_code) == 10
    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="general", kind="worker", receiver=worker
    )
    req.refresh_from_db()
    assert req.status == Status.DISPATCHED and req.accept_due_at and req.resolve_due_at
    assert Message.objects.filter(recipient=worker_user, kind=Kind.DEMAND_ASSIGNED).count() == 1
    first_resolve_due = req.resolve_due_at

    with pytest.raises(ValidationError) as error:
        services.request_return(actor=worker_actor, req=req, reason="")
    assert "reason" in error.value.message_dict
    services.request_return(actor=worker_actor, req=req, reason="不在我负责的片区")
    req.refresh_from_db()
    assert (req.status, req.returns, req.worker_id) == (Status.RETURNED, 1, None)
    assert req.resolve_due_at == first_resolve_due  # a return does not reset the resident's clock

    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="general", kind="organisation", receiver=world.org_a
    )
    assert Message.objects.filter(recipient=operator_user, kind=Kind.DEMAND_ASSIGNED).exists()
    services.request_accept(actor=operator, req=req)
    services.request_start(actor=operator, req=req)
    services.request_resolve(actor=operator, req=req, resolution="已安排老年食堂每日送餐")
    req.refresh_from_db()
    assert req.status == Status.RESOLVED and req.resolved_on_time is True
    month = req.resolved_at
    assert tallies.totals([TOWN_A], ["demands.completed"], months=[month])["demands.completed"] == 1

    services.request_rate(req=req, rating=2, comment="送来的饭是凉的")
    req.refresh_from_db()
    assert req.status == Status.ACCEPTED and req.reopened and req.organisation_id == world.org_a.pk
    assert tallies.totals([TOWN_A], ["demands.completed"], months=[month])["demands.completed"] == 0
    services.request_resolve(actor=operator, req=req, resolution="改为保温餐盒送餐")
    services.request_rate(req=req, rating=1)  # reopens only once
    req.refresh_from_db()
    assert (req.status, req.rating) == (Status.CLOSED, 1)
    kinds = list(DemandEvent.objects.filter(request=req).values_list("kind", flat=True))
    assert kinds == [
        EventKind.RECEIVED,
        EventKind.DISPATCHED,
        EventKind.RETURNED,
        EventKind.DISPATCHED,
        EventKind.ACCEPTED,
        EventKind.STARTED,
        EventKind.RESOLVED,
        EventKind.RATED,
        EventKind.REOPENED,
        EventKind.RESOLVED,
        EventKind.RATED,
    ]
    assert tallies.reconcile(fix=False, only=["demands.received", "demands.completed", "served.people"]) == []
    actions = set(
        AuditEvent.objects.filter(object_type="demands.demandrequest").values_list("action", flat=True)
    )
    assert {
        "demands.request.submit",
        "demands.request.dispatch",
        "demands.request.return",
        "demands.request.resolve",
        "demands.request.rate",
    } <= actions


def actor_for(user):
    from shegong.accounts.actor import Actor

    return Actor.for_user(user)


def test_two_transitions_on_one_request_the_second_sees_the_first(world):
    desk = actor("worker")
    req = public_request()
    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="general", kind="station", receiver=world.station_a
    )
    stale = type(req).objects.get(pk=req.pk)
    services.request_accept(actor=desk, req=req)
    with pytest.raises(ValidationError):
        services.request_accept(actor=desk, req=stale)  # re-read under lock: already accepted


def test_a_dispatch_to_a_receiver_the_item_does_not_allow_is_refused(world):
    desk = actor("worker")
    req = public_request()
    with pytest.raises(ValidationError) as error:
        services.request_dispatch(
            actor=desk,
            req=req,
            item=item("legal.aid"),
            urgency="general",
            kind="team",
            receiver=world.station_a,
        )
    assert "kind" in error.value.message_dict


def test_a_registered_recipient_is_served_once_and_sees_the_request_on_the_timeline(world):
    from shegong.recipients.selectors import timeline

    recipient = make_recipient(VILLAGE_A1, name="李大爷")
    desk = actor("worker")
    req = services.request_create(
        actor=desk, data={"channel": "phone", "description": "想申请陪同就医", "recipient": recipient}
    )
    services.request_dispatch(
        actor=desk,
        req=req,
        item=item("elderly.escort"),
        urgency="general",
        kind="station",
        receiver=world.station_a,
    )
    services.request_accept(actor=desk, req=req)
    services.request_resolve(actor=desk, req=req, resolution="已陪同到区医院")
    assert tallies.totals([TOWN_A], ["served.people"])["served.people"] == 1
    assert any(e.kind == "demand" for e in timeline(recipient))
    assert tallies.reconcile(fix=False, only=["served.people"]) == []


def test_a_need_found_on_a_visit_turns_into_a_request_once(world):
    from shegong.visits.services import visit_record
    from tests.recipients.helpers import key, visit_data

    recipient = make_recipient(VILLAGE_A1)
    worker = actor("worker")
    visit, _ = visit_record(
        actor=worker,
        recipient=recipient,
        data={**visit_data(), "needs_found": "燃气灶老化"},
        idempotency_key=key(),
    )
    req, created = services.request_from_visit(actor=worker, visit=visit)
    again, created_again = services.request_from_visit(actor=worker, visit=visit)
    assert created and not created_again and again.pk == req.pk
    assert req.channel == "visit" and req.recipient_id == recipient.pk and req.description == "燃气灶老化"


def test_writes_need_the_permission_in_the_request_region(world):
    req = public_request()
    other = actor("worker", region_code="500103002000")
    with pytest.raises(PermissionDenied):
        services.request_dispatch(
            actor=other, req=req, item=item(), urgency="general", kind="station", receiver=world.station_a
        )
    volunteer = actor("volunteer")
    with pytest.raises(PermissionDenied):
        services.request_accept(actor=volunteer, req=req)


def test_demand_summary_rows_per_item(world):
    desk = actor("worker")
    for _ in range(3):
        services.request_dispatch(
            actor=desk,
            req=public_request(),
            item=item(),
            urgency="general",
            kind="station",
            receiver=world.station_a,
        )
    other = public_request("需要法律咨询，合同纠纷")
    services.request_dispatch(
        actor=desk,
        req=other,
        item=item("legal.advice"),
        urgency="general",
        kind="station",
        receiver=world.station_a,
    )
    services.request_accept(actor=desk, req=other)
    services.request_resolve(actor=desk, req=other, resolution="律师已解答")
    services.request_rate(req=other, rating=4)
    rows = {r.item: r for r in selectors.demand_summary([TOWN_A], None, None)}
    assert (rows["助餐配餐"].requests, rows["助餐配餐"].open, rows["助餐配餐"].completed) == (3, 3, 0)
    assert (rows["法律咨询"].completed, rows["法律咨询"].average_rating) == (1, 4)
    assert rows["助餐配餐"].domain == "养老服务"
    assert selectors.demand_summary(["500103002000"], None, None) == []
