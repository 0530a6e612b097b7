"""Several workers recording visits for one recipient at once: the visit rate counts the recipient exactly once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from shegong.core.scoping import unscoped
from shegong.recipients.models import RiskTier, VisitObligation, VisitRollup
from shegong.visits.ledger import reconcile
from shegong.visits.models import Visit
from shegong.visits.services import visit_record
from tests.factories import VILLAGE_A1
from tests.recipients.helpers import key, make_recipient, system, visit_data

WRITERS = 4
VISITS_EACH = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_visits_for_one_recipient_count_once(world):
    """On PostgreSQL (READ COMMITTED) each writer's transaction sees the obligation unmet before any commits; only
    the update that flips it may count it."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one write transaction at a time (and its shared in-memory test database locks tables)"
        )
    recipient = make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    month = timezone.localdate().replace(day=1)
    start, errors, created = threading.Barrier(WRITERS), [], []

    def write():
        try:
            with unscoped():
                target = type(recipient).objects.get(pk=recipient.pk)
                start.wait(10)
                for _ in range(VISITS_EACH):
                    visit, was_created = visit_record(
                        actor=system(), recipient=target, data=visit_data(), idempotency_key=key()
                    )
                    created.append(was_created)
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert created == [True] * (WRITERS * VISITS_EACH)
    assert Visit.objects.filter(recipient=recipient).count() == WRITERS * VISITS_EACH
    rollup = VisitRollup.objects.get(region_code=VILLAGE_A1, month=month)
    assert (rollup.due, rollup.visited) == (1, 1)
    assert VisitObligation.objects.get(recipient=recipient, month=month).visited
    assert reconcile(fix=False) == []
