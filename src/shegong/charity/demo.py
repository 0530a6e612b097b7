"""Demo charity resources for Yuzhong (seeds 000 and 001): the district's 慈善纾困基金 and 儿童关爱基金 managed by
the district charity federation, a community 阳光基金 in every street, a year of donations (one restricted to
education) and of disbursements to the streets' recipients. Bulk-inserted; the funds' figures, their months and the
region tallies are then counted from the rows, as ``ledger.reconcile`` and ``tallies.reconcile`` would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from shegong.accounts.models import User
from shegong.core import tallies
from shegong.orgs.models import Organisation, OrgKind

from . import ledger
from .models import (
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationChannel,
    DonorKind,
    Fund,
    FundKind,
    Purpose,
)

COMPANIES = [
    "重庆山城实业有限公司",
    "渝中区解放碑商圈商会",
    "重庆嘉陵物业服务有限公司",
    "重庆朝天门商贸有限公司",
    "重庆两江建设集团有限公司",
    "重庆长江银行渝中支行",
    "重庆大坪医药连锁有限公司",
    "重庆上清寺餐饮管理有限公司",
]
ORGANISATIONS = ["渝中区志愿服务联合会", "渝中区社会工作协会", "解放碑街道老年协会"]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何罗高林"
GIVEN = ["秀英", "建国", "丽华", "志强", "小红", "文军", "淑芬", "海燕", "德明", "玉兰", "晓东", "桂芳"]
NOTES = [
    "临时生活困难补助",
    "大病医疗救助",
    "独居老人慰问金",
    "困境儿童助学金",
    "重度残疾人护理补贴",
    "节日慰问",
]


def already_loaded() -> bool:
    return Fund.objects.filter(name="渝中区慈善纾困基金").exists()


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load(ctx) -> None:
    district = ctx.district
    if district is None:
        return
    rng, today = ctx.rng, ctx.today
    federation = Organisation.objects.create(
        name="重庆市渝中区慈善会",
        kind=OrgKind.FOUNDATION,
        region=district,
        founded_on=datetime.date(2001, 5, 1),
    )
    funds = [
        Fund.objects.create(
            name="渝中区慈善纾困基金",
            kind=FundKind.SPECIAL,
            region=district,
            purpose=Purpose.HARDSHIP,
            description="对遭遇突发困难的家庭给予临时救助",
            manager=federation,
            opened_on=datetime.date(2020, 3, 1),
        ),
        Fund.objects.create(
            name="渝中区儿童关爱基金",
            kind=FundKind.SPECIAL,
            region=district,
            purpose=Purpose.CHILDREN,
            description="困境儿童、留守儿童的助学与关爱",
            manager=federation,
            opened_on=datetime.date(2021, 6, 1),
        ),
    ]
    for township, _villages in ctx.region_tree.get(district.code, []):
        funds.append(
            Fund.objects.create(
                name=f"{township.name}阳光基金",
                kind=FundKind.COMMUNITY,
                region=township,
                description="社区慈善基金：社区自筹、居民互助",
                manager=federation,
                opened_on=datetime.date(2022, 1, 1),
            )
        )
    users = {u.username: u for u in User.objects.filter(username__in=["minzheng", "zhanzhang", "jigou"])}
    requester, approver = users.get("zhanzhang"), users.get("minzheng")
    recipients = list(getattr(ctx, "demo_recipients", None) or [])
    months = [today.replace(day=1)]
    while len(months) < 12:
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    months.reverse()

    donations: list[Donation] = []
    entries: list[Disbursement] = []
    restricted_done = False
    for fund in funds:
        district_fund = fund.region_id == district.code
        local = [
            r for r in recipients if r.region_code.startswith(fund.region_code[: 6 if district_fund else 9])
        ]
        balance = Decimal(0)
        seq = 0
        for month in months:
            last = min(
                today, (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            )
            gifts = []
            for _ in range(rng.randint(4, 9) if district_fund else rng.randint(2, 5)):
                kind = rng.choice(
                    [DonorKind.COMPANY, DonorKind.PERSON, DonorKind.PERSON, DonorKind.ORGANISATION]
                )
                if kind == DonorKind.COMPANY:
                    name, amount = rng.choice(COMPANIES), Decimal(rng.choice([5000, 10000, 20000, 50000]))
                elif kind == DonorKind.ORGANISATION:
                    name, amount = rng.choice(ORGANISATIONS), Decimal(rng.choice([1000, 2000, 3000]))
                else:
                    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                    amount = Decimal(rng.choice([100, 200, 500, 1000])) + Decimal(
                        rng.choice(["0", "0", "0.50"])
                    )
                if not district_fund:
                    amount = (amount / 5).quantize(Decimal("0.01"))
                day = month + datetime.timedelta(days=rng.randint(0, (last - month).days))
                gifts.append((day, kind, name, amount))
            gifts.sort()
            for day, kind, name, amount in gifts:
                seq += 1
                restriction = ""
                if not restricted_done and not district_fund:
                    # The one restricted gift: a company's school fund for one street's children.
                    restricted_done, kind, name = True, DonorKind.COMPANY, COMPANIES[0]
                    amount, restriction = Decimal("30000.00"), Purpose.EDUCATION
                    restricted = (fund, len(donations))
                donations.append(
                    Donation(
                        fund=fund,
                        donor_kind=kind,
                        donor_name=name,
                        donor_phone=f"139{rng.randint(10000000, 99999999)}"
                        if kind == DonorKind.PERSON
                        else "",
                        named_publicly=kind != DonorKind.PERSON or rng.random() < 0.3,
                        amount=amount,
                        received_on=day,
                        channel=rng.choice(DonationChannel.values),
                        restriction=restriction,
                        receipt_seq=seq,
                        receipt_no=fund.receipt_number(seq),
                        region_code=fund.region_code,
                    )
                )
                if not restriction:
                    balance += amount
            # Disbursements after the month's gifts, never more than the unrestricted money at hand.
            for _ in range(rng.randint(3, 8) if district_fund else rng.randint(1, 3)):
                if not local:
                    break
                amount = Decimal(
                    rng.choice([300, 500, 800, 1000, 2000]) if district_fund else rng.choice([100, 200, 300])
                )
                if amount > balance:
                    break
                day = month + datetime.timedelta(days=rng.randint(0, (last - month).days))
                current = month == months[-1]
                status = DisbursementStatus.PAID
                if current and rng.random() < 0.4:
                    status = rng.choice([DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED])
                elif rng.random() < 0.03:
                    status = DisbursementStatus.REJECTED
                decided = status != DisbursementStatus.REQUESTED
                entries.append(
                    Disbursement(
                        fund=fund,
                        amount=amount,
                        purpose=fund.purpose
                        or rng.choice([Purpose.HARDSHIP, Purpose.ELDERLY, Purpose.MEDICAL]),
                        recipient=rng.choice(local),
                        description=rng.choice(NOTES),
                        status=status,
                        requested_by=requester,
                        requested_at=_aware(day, 9),
                        decided_by=approver if decided else None,
                        decided_at=_aware(day, 16) if decided else None,
                        booked_on=day
                        if status in (DisbursementStatus.APPROVED, DisbursementStatus.PAID)
                        else None,
                        paid_on=day if status == DisbursementStatus.PAID else None,
                        paid_by=approver if status == DisbursementStatus.PAID else None,
                        decision_note="不符合救助条件" if status == DisbursementStatus.REJECTED else "",
                    )
                )
                if status in (DisbursementStatus.APPROVED, DisbursementStatus.PAID):
                    balance -= amount
    Donation.objects.bulk_create(donations, batch_size=1000)
    for entry in entries:
        entry.region_code = entry.recipient.region_code
    Disbursement.objects.bulk_create(entries, batch_size=1000)
    if restricted_done:
        # Part of the restricted gift pays school costs for children of its street.
        fund, index = restricted
        gift = donations[index]
        local = [r for r in recipients if r.region_code.startswith(fund.region_code[:9])]
        for pupil in local[:6]:
            Disbursement.objects.create(
                fund=fund,
                amount=Decimal("1500.00"),
                purpose=Purpose.EDUCATION,
                recipient=pupil,
                donation=gift,
                description="困境儿童助学金（定向捐赠）",
                status=DisbursementStatus.PAID,
                requested_by=requester,
                requested_at=_aware(max(gift.received_on, months[-2]), 9),
                decided_by=approver,
                decided_at=_aware(max(gift.received_on, months[-2]), 16),
                booked_on=max(gift.received_on, months[-2]),
                paid_on=max(gift.received_on, months[-2]),
                paid_by=approver,
            )
    # One correction: a duplicated payment taken back by a reversing entry.
    paid = [e for e in entries if e.status == DisbursementStatus.PAID and e.booked_on < months[-1]]
    if paid:
        original = paid[len(paid) // 2]
        Disbursement.objects.create(
            fund=original.fund,
            amount=-original.amount,
            purpose=original.purpose,
            recipient=original.recipient,
            description="重复发放，已退回",
            status=DisbursementStatus.REVERSAL,
            requested_by=approver,
            requested_at=_aware(min(today, original.booked_on + datetime.timedelta(days=3))),
            booked_on=min(today, original.booked_on + datetime.timedelta(days=3)),
            reverses=original,
            region_code=original.region_code,
        )
    for fund in funds:
        Fund.objects.filter(pk=fund.pk).update(receipts_issued=Donation.objects.filter(fund=fund).count())
    ledger.reconcile()
    tallies.reconcile(only=[ledger.RAISED, ledger.SPENT])
