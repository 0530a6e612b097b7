import datetime
import uuid

from . import Endpoint


def _case(w):
    return w.extras["case_a"]


def _today():
    return datetime.date.today().isoformat()


def _api(name, path, body=None):
    return Endpoint(
        f"shegong_cases_api_{name}",
        "write",
        lambda w: f"/api/v1/cases/{_case(w).pk}{path}",
        method="POST",
        api=True,
        body=body or (lambda w: {}),
    )


ENDPOINTS = [
    Endpoint("cases:list", "list", lambda w: "/cases/"),
    Endpoint("cases:list#overdue", "list", lambda w: "/cases/?overdue=1&stage=open"),
    Endpoint("cases:export", "list", lambda w: "/cases/export/"),
    Endpoint("cases:new", "list", lambda w: "/cases/new/"),
    Endpoint(
        "cases:new#recipient", "detail", lambda w: f"/cases/new/?recipient={w.extras['case_recipient_a'].pk}"
    ),
    Endpoint("cases:approvals", "list", lambda w: "/cases/approvals/"),
    Endpoint(
        "cases:decide",
        "write",
        lambda w: f"/cases/approvals/{w.extras['approval_a'].pk}/",
        method="POST",
        content_type="form",
        body=lambda w: {"decision": "approve", "comment": "ok"},
    ),
    Endpoint("cases:transfers", "list", lambda w: "/cases/transfers/"),
    Endpoint(
        "cases:transfer_decide",
        "write",
        lambda w: f"/cases/transfers/{w.extras['transfer_a'].pk}/",
        method="POST",
        content_type="form",
        body=lambda w: {"decision": "accept"},
    ),
    Endpoint(
        "cases:referral_outcome",
        "write",
        lambda w: f"/cases/referrals/{w.extras['referral_a'].pk}/",
        method="POST",
        content_type="form",
        body=lambda w: {"outcome": "accepted", "outcome_on": _today()},
    ),
    Endpoint("cases:detail", "detail", lambda w: f"/cases/{_case(w).pk}/"),
    Endpoint("cases:note", "detail", lambda w: f"/cases/{_case(w).pk}/note/"),
    Endpoint(
        "cases:action",
        "write",
        lambda w: f"/cases/{_case(w).pk}/decline/",
        method="POST",
        content_type="form",
        body=lambda w: {"reason": "x", "pointed_to": "y"},
    ),
    Endpoint(
        "cases:action#reveal",
        "write",
        lambda w: f"/cases/{_case(w).pk}/reveal/",
        method="POST",
        content_type="form",
        body=lambda w: {"reason": "看看"},
    ),
    Endpoint("shegong_cases_api_list_cases", "list", lambda w: "/api/v1/cases", api=True),
    Endpoint("shegong_cases_api_get_case", "detail", lambda w: f"/api/v1/cases/{_case(w).pk}", api=True),
    Endpoint(
        "shegong_cases_api_open_case",
        "write",
        lambda w: "/api/v1/cases",
        method="POST",
        api=True,
        body=lambda w: {
            "recipient": w.extras["case_recipient_a"].pk,
            "source": "walk_in",
            "presenting_problem": "x",
            "opened_on": _today(),
        },
    ),
    _api("assess", "/assess", lambda w: {"assessed_on": _today(), "scores": {"comfort": 2}, "text": "x"}),
    _api(
        "save_plan",
        "/plan",
        lambda w: {"text": "x", "goals": [{"title": "a", "indicator": "b", "target_on": _today()}]},
    ),
    _api("submit_plan", "/plan/submit"),
    _api("decide", "/decide", lambda w: {"approve": True}),
    _api(
        "add_note",
        "/notes",
        lambda w: {
            "idempotency_key": str(uuid.uuid4()),
            "noted_on": _today(),
            "method": "home",
            "content": "x",
        },
    ),
    _api("evaluate", "/evaluate", lambda w: {"results": []}),
    _api("request_closing", "/close", lambda w: {"reason": "goals_met", "summary": "x"}),
    _api("decline", "/decline", lambda w: {"reason": "x", "pointed_to": "y"}),
    _api("transfer", "/transfer", lambda w: {"to_worker": w.extras["case_worker_a"].pk, "reason": "x"}),
    _api(
        "refer",
        "/refer",
        lambda w: {"department": "x", "service_asked": "y", "letter": "z", "referred_on": _today()},
    ),
    Endpoint(
        "shegong_cases_api_decide_transfer",
        "write",
        lambda w: f"/api/v1/cases/transfers/{w.extras['transfer_a'].pk}",
        method="POST",
        api=True,
        body=lambda w: {"accept": True},
    ),
]


def extend(world):
    """A case of region A awaiting plan approval, offered to another worker of A, referred to A's organisation,
    with an overdue assessment on a second case; its person's name is a marker."""
    from shegong.accounts.actor import SystemActor
    from shegong.cases import services
    from shegong.cases.models import Case
    from shegong.people.models import SocialWorker
    from shegong.recipients import services as recipient_services
    from tests.factories import make_user
    from tests.recipients.helpers import id_number

    system = SystemActor("harness")
    worker = SocialWorker.objects.create(region=world.regions["town_a"], name="个案社工MARKERA")
    other = SocialWorker.objects.create(
        region=world.regions["town_a"],
        name="接收社工MARKERA",
        user=make_user(("worker", world.regions["town_a"].code)),
    )
    recipient = recipient_services.recipient_create(
        actor=system,
        data={
            "name": "个案对象MARKERA",
            "id_number": id_number(),
            "region": world.regions["village_a1"].code,
        },
        categories=[],
    )
    today = datetime.date.today()
    case = services.case_open(
        actor=system,
        station=world.station_a,
        worker=worker,
        data={"recipient": recipient, "source": "visit", "presenting_problem": "问题", "opened_on": today},
    )
    services.case_assess(
        actor=system, case=case, data={"assessed_on": today, "scores": {"comfort": 2}, "text": "x"}
    )
    services.case_plan_save(
        actor=system,
        case=case,
        text="计划",
        goals=[{"title": "目标", "indicator": "指标", "target_on": today + datetime.timedelta(days=30)}],
    )
    approval = services.case_plan_submit(actor=system, case=case)
    transfer = services.case_transfer_request(actor=system, case=case, to_worker=other, reason="调整")
    referral = services.case_refer(
        actor=system,
        case=case,
        data={"organisation": world.org_a, "service_asked": "心理", "letter": "函", "referred_on": today},
    )
    late = services.case_open(
        actor=system,
        station=world.station_a,
        worker=worker,
        data={
            "resident_name": "逾期个案MARKERA",
            "source": "walk_in",
            "presenting_problem": "x",
            "opened_on": today,
        },
    )
    Case.objects.filter(pk=late.pk).update(opened_on=today - datetime.timedelta(days=30))
    world.extras.update(
        case_a=case,
        case_recipient_a=recipient,
        case_worker_a=other,
        approval_a=approval,
        transfer_a=transfer,
        referral_a=referral,
    )
