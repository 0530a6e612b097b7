from . import Endpoint


def _api(name: str, kind: str, url, method: str = "GET", body=None) -> Endpoint:
    return Endpoint(f"shegong_charity_api_{name}", kind, url, method=method, api=True, body=body)


ENDPOINTS = [
    Endpoint("charity:funds", "list", lambda w: "/charity/"),
    Endpoint("charity:funds#under", "list", lambda w: f"/charity/?under={w.regions['town_a'].code}"),
    Endpoint(
        "charity:fund_create",
        "create",
        lambda w: "/charity/new/",
        method="POST",
        body=lambda w: {
            "name": "越权基金",
            "kind": "community",
            "region": w.regions["town_a"].code,
            "manager": w.org_a.pk,
            "opened_on": "2024-01-01",
        },
        content_type="form",
    ),
    Endpoint("charity:linkage", "list", lambda w: "/charity/linkage/"),
    Endpoint(
        "charity:linkage#region", "detail", lambda w: f"/charity/linkage/?region={w.regions['town_a'].code}"
    ),
    Endpoint("charity:disbursements", "list", lambda w: "/charity/disbursements/"),
    Endpoint(
        "charity:disbursement",
        "detail",
        lambda w: f"/charity/disbursements/{w.extras['charity_requested'].pk}/",
    ),
    Endpoint(
        "charity:disbursement_act",
        "write",
        lambda w: f"/charity/disbursements/{w.extras['charity_requested'].pk}/approve/",
        method="POST",
        body=lambda w: {"note": "越权"},
        content_type="form",
    ),
    Endpoint(
        "charity:disbursement_act#reverse",
        "write",
        lambda w: f"/charity/disbursements/{w.extras['charity_approved'].pk}/reverse/",
        method="POST",
        body=lambda w: {"note": "越权"},
        content_type="form",
    ),
    Endpoint("charity:fund", "detail", lambda w: f"/charity/{w.extras['charity_fund'].pk}/"),
    Endpoint("charity:fund_edit", "detail", lambda w: f"/charity/{w.extras['charity_fund'].pk}/edit/"),
    Endpoint(
        "charity:fund_edit#post",
        "write",
        lambda w: f"/charity/{w.extras['charity_fund'].pk}/edit/",
        method="POST",
        body=lambda w: {"name": "改名", "manager": w.org_a.pk},
        content_type="form",
    ),
    Endpoint(
        "charity:donation_new", "detail", lambda w: f"/charity/{w.extras['charity_fund'].pk}/donations/new/"
    ),
    Endpoint(
        "charity:donation_new#post",
        "write",
        lambda w: f"/charity/{w.extras['charity_fund'].pk}/donations/new/",
        method="POST",
        body=lambda w: {
            "donor_kind": "company",
            "donor_name": "越权",
            "amount": "100",
            "received_on": "2025-01-02",
            "channel": "bank",
        },
        content_type="form",
    ),
    Endpoint(
        "charity:disbursement_new",
        "detail",
        lambda w: f"/charity/{w.extras['charity_fund'].pk}/disbursements/new/",
    ),
    Endpoint(
        "charity:ledger_export", "detail", lambda w: f"/charity/{w.extras['charity_fund'].pk}/ledger/export/"
    ),
    Endpoint("charity_public:funds", "open", lambda w: "/public/funds/"),
    Endpoint("charity_public:fund", "open", lambda w: f"/public/funds/{w.extras['charity_fund'].pk}/"),
    _api("list_funds", "list", lambda w: "/api/v1/funds"),
    _api(
        "create_fund",
        "write",
        lambda w: "/api/v1/funds",
        "POST",
        lambda w: {
            "name": "越权",
            "kind": "community",
            "region": w.regions["town_a"].code,
            "manager": w.org_a.pk,
            "opened_on": "2024-01-01",
        },
    ),
    _api("get_fund", "detail", lambda w: f"/api/v1/funds/{w.extras['charity_fund'].pk}"),
    _api("list_donations", "list", lambda w: "/api/v1/donations"),
    _api(
        "record_donation",
        "write",
        lambda w: "/api/v1/donations",
        "POST",
        lambda w: {
            "fund": w.extras["charity_fund"].pk,
            "donor_kind": "company",
            "donor_name": "越权",
            "amount": "10.00",
            "received_on": "2025-01-02",
        },
    ),
    _api("get_donation", "detail", lambda w: f"/api/v1/donations/{w.extras['charity_donation'].pk}"),
    _api("list_disbursements", "list", lambda w: "/api/v1/disbursements"),
    _api(
        "request_disbursement",
        "write",
        lambda w: "/api/v1/disbursements",
        "POST",
        lambda w: {
            "fund": w.extras["charity_fund"].pk,
            "amount": "10.00",
            "purpose": "hardship",
            "recipient": w.extras["charity_recipient"].pk,
            "description": "越权",
        },
    ),
    _api("get_disbursement", "detail", lambda w: f"/api/v1/disbursements/{w.extras['charity_approved'].pk}"),
    _api(
        "approve_disbursement",
        "write",
        lambda w: f"/api/v1/disbursements/{w.extras['charity_requested'].pk}/approve",
        "POST",
        lambda w: {"note": ""},
    ),
    _api(
        "reject_disbursement",
        "write",
        lambda w: f"/api/v1/disbursements/{w.extras['charity_requested'].pk}/reject",
        "POST",
        lambda w: {"note": "越权"},
    ),
    _api(
        "pay_disbursement",
        "write",
        lambda w: f"/api/v1/disbursements/{w.extras['charity_approved'].pk}/pay",
        "POST",
    ),
    _api(
        "reverse_disbursement",
        "write",
        lambda w: f"/api/v1/disbursements/{w.extras['charity_approved'].pk}/reverse",
        "POST",
        lambda w: {"note": "越权"},
    ),
]


def extend(world):
    import datetime
    from decimal import Decimal

    from shegong.accounts.actor import Actor
    from shegong.charity import services
    from tests.factories import TOWN_A, make_user
    from tests.recipients.helpers import make_recipient

    requester = Actor.for_user(make_user(("official", TOWN_A)))
    approver = Actor.for_user(make_user(("official", TOWN_A)))
    fund = services.fund_create(
        actor=requester,
        data={
            "name": "七星岗阳光基金MARKERA",
            "kind": "community",
            "region": world.regions["town_a"],
            "manager": world.org_a,
            "opened_on": datetime.date(2024, 1, 1),
        },
    )
    donation = services.donation_record(
        actor=requester,
        fund=fund,
        data={
            "donor_kind": "company",
            "donor_name": "金汤实业MARKERA",
            "amount": Decimal("5000"),
            "received_on": datetime.date.today(),
            "restriction": "",
            "channel": "bank",
        },
    )
    recipient = make_recipient(world.regions["village_a1"].code, name="赵MARKERA")

    def ask(amount):
        return services.disbursement_request(
            actor=requester,
            fund=fund,
            data={
                "amount": Decimal(amount),
                "purpose": "hardship",
                "recipient": recipient,
                "description": "纾困MARKERA",
            },
        )

    approved = services.disbursement_approve(actor=approver, disbursement=ask("300"))
    world.extras.update(
        charity_fund=fund,
        charity_donation=donation,
        charity_recipient=recipient,
        charity_requested=ask("200"),
        charity_approved=approved,
        marker_charity_fund=fund.name,
        marker_charity_donor=donation.donor_name,
    )
