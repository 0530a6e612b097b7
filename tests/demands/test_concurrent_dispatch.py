"""Two dispatchers take one request at the same moment: one dispatch wins, the other is told the request is no
longer at the desk; the history and the notices hold one dispatch (PostgreSQL: the row lock serialises them)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shegong.core.scoping import unscoped
from shegong.demands import services
from shegong.demands.models import DemandEvent, DemandRequest, EventKind, Status
from shegong.notifications.models import Kind, Message

from .helpers import actor, item, public_request

DISPATCHERS = 4


@pytest.mark.django_db(transaction=True)
def test_one_of_two_concurrent_dispatches_wins(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    req = public_request()
    desks = [actor("worker") for _ in range(DISPATCHERS)]
    target_item = item()
    start, outcomes = threading.Barrier(DISPATCHERS), []

    def dispatch(desk, receiver, kind):
        try:
            with unscoped():
                mine = DemandRequest.objects.get(pk=req.pk)
                start.wait(10)
                services.request_dispatch(
                    actor=desk, req=mine, item=target_item, urgency="general", kind=kind, receiver=receiver
                )
                outcomes.append("won")
        except ValidationError as exc:
            outcomes.append(exc.message_dict.get("__all__", ["?"])[0])
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            outcomes.append(repr(exc))
        finally:
            connection.close()

    receivers = [(world.station_a, "station"), (world.org_a, "organisation")] * (DISPATCHERS // 2)
    threads = [
        threading.Thread(target=dispatch, args=(desk, receiver, kind))
        for desk, (receiver, kind) in zip(desks, receivers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes.count("won") == 1, outcomes
    assert all("不能派单" in o for o in outcomes if o != "won"), outcomes
    req.refresh_from_db()
    assert req.status == Status.DISPATCHED
    assert DemandEvent.objects.filter(request=req, kind=EventKind.DISPATCHED).count() == 1
    assert Message.objects.filter(kind=Kind.DEMAND_ASSIGNED).values("dedupe_key").distinct().count() <= 1
