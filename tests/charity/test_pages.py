"""The charity pages, the public side, the five-linkage view, the timeline and the API."""

import datetime
import json
from decimal import Decimal

import pytest

from shegong.audit.models import AuditEvent
from shegong.charity import services
from shegong.charity.models import Disbursement, DisbursementStatus, Donation, Fund, FundKind
from shegong.recipients.selectors import timeline
from tests.charity.helpers import actor_of, ask, give, make_fund, officials
from tests.factories import DISTRICT, TOWN_A, VILLAGE_A1, login_client, make_user
from tests.recipients.helpers import make_recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(world):
    """A fund with a named company, an unnamed person, and money paid to a recipient this month."""
    requester, approver = officials()
    fund = make_fund(name="七星岗阳光基金")
    give(fund, "3000.00", name="山城实业有限公司", named=True)
    give(fund, "500.00", kind="person", name="王秀英", phone="13800138000", named=False)
    give(fund, "200.00", kind="person", name="李建国", named=True)
    recipient = make_recipient(VILLAGE_A1, name="张桂芳")
    entry = services.disbursement_approve(
        actor=approver, disbursement=ask(fund, "800.00", actor=requester, recipient=recipient)
    )
    return fund, recipient, entry, requester, approver


def test_the_public_page_shows_the_months_totals_and_no_recipients_name(paid, client):
    fund, recipient, _entry, _r, _a = paid
    response = client.get("/public/funds/")  # anonymous
    assert response.status_code == 200
    page = response.content.decode()
    assert fund.name in page and "¥3,700.00" in page and "¥800.00" in page and "¥2,900.00" in page
    assert recipient.name not in page
    detail = client.get(f"/public/funds/{fund.pk}/").content.decode()
    assert 'id="month-raised">¥3,700.00<' in detail
    assert 'id="month-spent">¥800.00<' in detail
    assert 'id="month-balance">¥2,900.00<' in detail
    assert 'id="month-beneficiaries">1<' in detail
    # Donors who agreed to be named are; the others are not, and no recipient ever is.
    assert "山城实业有限公司" in detail and "李建国" in detail
    assert "王秀英" not in detail and "13800138000" not in detail
    assert recipient.name not in detail and "张桂芳" not in detail
    assert client.get("/public/funds/999999/").status_code == 404
    # A bad month is ignored, a future one is today's.
    assert client.get("/public/funds/?month=2099-01").status_code == 200
    assert client.get("/public/funds/?month=junk").status_code == 200


def test_the_public_page_shows_a_past_months_totals(paid, client):
    fund = paid[0]
    last = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    give(fund, "100.00", on=last)
    page = client.get(f"/public/funds/?month={last:%Y-%m}").content.decode()
    assert "¥100.00" in page and "¥3,700.00" not in page


def test_fund_pages_mask_a_person_donor(paid, client):
    fund = paid[0]
    user = make_user(("township", TOWN_A))
    login_client(client, user)
    page = client.get(f"/charity/{fund.pk}/").content.decode()
    assert "王**" in page and "王秀英" not in page and "138****8000" in page
    assert "山城实业有限公司" in page
    assert client.get("/charity/").status_code == 200
    assert client.get("/charity/disbursements/?status=approved").status_code == 200


def test_the_ledger_export_is_masked_unless_a_reason_is_given(paid, client):
    from tests.test_cross_region import _xlsx_text

    fund = paid[0]
    login_client(client, make_user(("official", DISTRICT)))
    masked = _xlsx_text(client.get(f"/charity/{fund.pk}/ledger/export/").content)
    assert "王**" in masked and "王秀英" not in masked and "张桂芳" not in masked
    assert "2900" in masked.replace(",", "")  # the running balance
    plain = client.post(
        f"/charity/{fund.pk}/ledger/export/", {"reveal": "on", "reason": "年度审计核对捐赠人"}
    )
    assert "王秀英" in _xlsx_text(plain.content)
    assert AuditEvent.objects.filter(action="export", reason="年度审计核对捐赠人").exists()


def test_a_donation_form_error_names_the_field_and_keeps_what_was_typed(world, client):
    fund = make_fund()
    login_client(client, make_user(("official", DISTRICT)))
    response = client.post(
        f"/charity/{fund.pk}/donations/new/",
        {"donor_kind": "person", "donor_name": "刘德明", "amount": "12.345", "received_on": "2024-01-05"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "最多两位小数" in page and 'value="刘德明"' in page and 'value="12.345"' in page
    response = client.post(
        f"/charity/{fund.pk}/donations/new/",
        {
            "donor_kind": "person",
            "donor_name": "刘德明",
            "amount": "1,200.50",
            "received_on": "2024-01-05",
            "channel": "cash",
        },
    )
    assert response.status_code == 302
    assert Donation.objects.get(fund=fund).amount == Decimal("1200.50")


def test_the_requester_sees_no_approve_button_and_a_posted_approval_is_refused(world, client):
    requester_user = make_user(("township", TOWN_A))
    other_user = make_user(("township", TOWN_A))
    fund = make_fund()
    give(fund, 1000)
    entry = ask(fund, 100, actor=actor_of(requester_user), recipient=make_recipient(VILLAGE_A1))
    login_client(client, requester_user)
    page = client.get(f"/charity/disbursements/{entry.pk}/").content.decode()
    assert "须由另一位负责人审批" in page and "批准</button>" not in page
    response = client.post(f"/charity/disbursements/{entry.pk}/approve/", {"note": ""})
    assert response.status_code == 400 and "申请人不能审批自己的拨付申请" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == DisbursementStatus.REQUESTED
    login_client(client, other_user)
    assert client.post(f"/charity/disbursements/{entry.pk}/approve/", {"note": "同意"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == DisbursementStatus.APPROVED and entry.decided_by == other_user


def test_a_disbursement_request_through_the_form(world, client):
    fund = make_fund()
    give(fund, 1000)
    recipient = make_recipient(VILLAGE_A1)
    login_client(client, make_user(("worker", TOWN_A)))
    form = client.get(f"/charity/{fund.pk}/disbursements/new/?recipient={recipient.pk}").content.decode()
    assert f'value="{recipient.pk}" selected' in form
    response = client.post(
        f"/charity/{fund.pk}/disbursements/new/",
        {"recipient": recipient.pk, "purpose": "elderly", "amount": "5000", "description": "助老"},
    )
    assert response.status_code == 200 and "不足以支付 ¥5,000.00" in response.content.decode()
    response = client.post(
        f"/charity/{fund.pk}/disbursements/new/",
        {"recipient": recipient.pk, "purpose": "elderly", "amount": "500", "description": "助老"},
    )
    assert response.status_code == 302
    assert Disbursement.objects.get(fund=fund).status == DisbursementStatus.REQUESTED


def test_a_disbursement_shows_on_the_recipients_timeline(paid):
    _fund, recipient, entry, _r, approver = paid
    events = [e for e in timeline(recipient) if e.kind == "charity"]
    assert len(events) == 1 and "¥800.00" in events[0].summary
    services.disbursement_reverse(actor=approver, disbursement=entry, reason="发放错误")
    events = [e for e in timeline(recipient) if e.kind == "charity"]
    assert len(events) == 2 and any("冲正" in e.summary for e in events)


def test_the_five_linkage_view_puts_the_five_together(paid, client):
    from shegong.orgs.models import Organisation

    Organisation.objects.create(
        name="金汤街议事会", kind="community", category="governance", region_id=VILLAGE_A1
    )
    login_client(client, make_user(("official", DISTRICT)))
    page = client.get(f"/charity/linkage/?region={TOWN_A}").content.decode()
    assert "五社联动" in page
    assert f"/charity/?under={TOWN_A}" in page and "¥3,700.00" in page and "¥800.00" in page
    assert f"/orgs/?under={TOWN_A}&category=governance" in page
    assert f"/people/workers/?under={TOWN_A}" in page and f"/people/volunteers/?under={TOWN_A}" in page
    trend = json.loads(page.split('id="linkage-trend" type="application/json">')[1].split("</script>")[0])
    assert trend["series"][0]["data"][-1] == 3700.0 and trend["series"][1]["data"][-1] == 800.0


def test_the_api_runs_the_same_rules(world, client):
    requester, approver = make_user(("official", DISTRICT)), make_user(("official", DISTRICT))
    fund = make_fund(kind=FundKind.SPECIAL, purpose="medical", name="医疗救助基金")
    recipient = make_recipient(VILLAGE_A1)
    login_client(client, requester)
    body = {
        "fund": fund.pk,
        "donor_kind": "company",
        "donor_name": "山城医药",
        "amount": "1000.00",
        "received_on": str(datetime.date.today()),
    }
    response = client.post("/api/v1/donations", json.dumps(body), content_type="application/json")
    assert response.status_code == 201 and response.json()["receipt_no"] == fund.receipt_number(1)
    wrong = client.post(
        "/api/v1/disbursements",
        json.dumps(
            {
                "fund": fund.pk,
                "amount": "100.00",
                "purpose": "elderly",
                "recipient": recipient.pk,
                "description": "x",
            }
        ),
        content_type="application/json",
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid"
    assert wrong.json()["detail"][0]["field"] == "purpose"
    made = client.post(
        "/api/v1/disbursements",
        json.dumps(
            {
                "fund": fund.pk,
                "amount": "600.00",
                "purpose": "medical",
                "recipient": recipient.pk,
                "description": "住院自付部分",
            }
        ),
        content_type="application/json",
    ).json()
    self_approved = client.post(
        f"/api/v1/disbursements/{made['id']}/approve", "{}", content_type="application/json"
    )
    assert self_approved.status_code == 422 and self_approved.json()["detail"][0]["field"] == "decided_by"
    login_client(client, approver)
    approved = client.post(
        f"/api/v1/disbursements/{made['id']}/approve", "{}", content_type="application/json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert client.get(f"/api/v1/funds/{fund.pk}").json()["balance"] == "400.00"
    reversed_ = client.post(
        f"/api/v1/disbursements/{made['id']}/reverse",
        json.dumps({"note": "重复"}),
        content_type="application/json",
    )
    assert reversed_.status_code == 201 and reversed_.json()["amount"] == "-600.00"
    donations = client.get("/api/v1/donations").json()
    assert donations["count"] == 1 and donations["results"][0]["donor"] == "山城医药"


def test_the_public_list_reads_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    for i in range(6):
        fund = make_fund(name=f"基金{i}")
        give(fund, 100 + i)
    with django_assert_max_num_queries(8):
        page = client.get("/public/funds/").content.decode()
    assert "基金5" in page and "¥105.00" in page


def test_fund_forms_name_the_field_in_error(world, client):
    from shegong.orgs.models import Organisation

    manager = Organisation.objects.create(name="渝中区慈善会", kind="foundation", region_id=DISTRICT)
    login_client(client, make_user(("official", DISTRICT)))
    response = client.post(
        "/charity/new/",
        {
            "name": "渝中区专项基金",
            "kind": "special",
            "region": DISTRICT,
            "manager": manager.pk,
            "opened_on": "2024-01-01",
        },
    )
    assert response.status_code == 200 and "专项基金须填写用途" in response.content.decode()
    response = client.post(
        "/charity/new/",
        {
            "name": "渝中区社区基金",
            "kind": "community",
            "region": DISTRICT,
            "manager": manager.pk,
            "opened_on": "2024-01-01",
        },
    )
    assert "社区基金须属于乡镇（街道）或村（社区）" in response.content.decode()
    response = client.post(
        "/charity/new/",
        {
            "name": "七星岗阳光基金",
            "kind": "community",
            "region": TOWN_A,
            "manager": manager.pk,
            "opened_on": "2024-01-01",
        },
    )
    assert response.status_code == 302
    fund = Fund.objects.get(name="七星岗阳光基金")
    response = client.post(f"/charity/{fund.pk}/edit/", {"name": "七星岗社区阳光基金", "manager": manager.pk})
    assert response.status_code == 302
    fund.refresh_from_db()
    assert fund.name == "七星岗社区阳光基金" and fund.region_id == TOWN_A
    assert AuditEvent.objects.filter(action="charity.fund.update").exists()


@pytest.mark.parametrize("rows", [1, 8])
def test_list_pages_and_the_linkage_view_read_a_fixed_number_of_queries(
    world, client, rows, django_assert_max_num_queries
):
    requester, approver = officials()
    for i in range(rows):
        fund = make_fund(name=f"基金{i}")
        give(fund, 1000)
        recipient = make_recipient(VILLAGE_A1, name=f"对象{i}")
        services.disbursement_approve(
            actor=approver, disbursement=ask(fund, 10, actor=requester, recipient=recipient)
        )
    login_client(client, make_user(("official", DISTRICT)))
    budgets = {
        "/charity/": 12,
        "/charity/disbursements/": 7,
        f"/charity/linkage/?region={TOWN_A}": 18,
        f"/charity/{fund.pk}/": 10,
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200
