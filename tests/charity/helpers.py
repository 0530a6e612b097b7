"""Funds, donations and disbursements for the charity tests, written through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from shegong.accounts.actor import Actor
from shegong.charity import services
from shegong.charity.models import Fund, FundKind
from shegong.orgs.models import Organisation
from shegong.regions.models import Region
from tests.factories import DISTRICT, TOWN_A, make_user

OPENED = datetime.date(2024, 1, 1)


def actor_of(user) -> Actor:
    return Actor.for_user(user)


def officials(region_code: str = DISTRICT):
    """Two officials of the region: one requests, the other decides."""
    return (
        actor_of(make_user(("official", region_code))),
        actor_of(make_user(("official", region_code))),
    )


def make_fund(
    *,
    region_code: str = TOWN_A,
    kind: str = FundKind.COMMUNITY,
    purpose: str = "",
    name: str = "七星岗阳光基金",
    actor=None,
) -> Fund:
    manager = Organisation.objects.filter(
        region_code__startswith=region_code[:6]
    ).first() or Organisation.objects.create(name="渝中区慈善会", kind="foundation", region_id=DISTRICT)
    actor = actor or actor_of(make_user(("official", DISTRICT)))
    return services.fund_create(
        actor=actor,
        data={
            "name": name,
            "kind": kind,
            "region": Region.objects.get(code=region_code),
            "purpose": purpose,
            "manager": manager,
            "opened_on": OPENED,
        },
    )


def give(
    fund: Fund,
    amount,
    *,
    actor=None,
    restriction: str = "",
    on=None,
    kind="company",
    name="山城实业有限公司",
    named=False,
    phone="",
):
    actor = actor or actor_of(make_user(("official", DISTRICT)))
    return services.donation_record(
        actor=actor,
        fund=fund,
        data={
            "donor_kind": kind,
            "donor_name": name,
            "donor_phone": phone,
            "amount": Decimal(str(amount)),
            "received_on": on or datetime.date.today(),
            "channel": "bank",
            "restriction": restriction,
            "named_publicly": named,
        },
    )


def ask(fund: Fund, amount, *, actor, recipient=None, activity=None, purpose="hardship", donation=None):
    return services.disbursement_request(
        actor=actor,
        fund=fund,
        data={
            "amount": Decimal(str(amount)),
            "purpose": purpose,
            "recipient": recipient,
            "activity": activity,
            "donation": donation,
            "description": "临时生活困难补助",
        },
    )
