"""Case numbers stay unique and gap-free when many workers open cases at the same station at once (PostgreSQL)."""

import datetime
import threading

import pytest
from django.db import connection

from shegong.cases import services
from shegong.cases.models import Case
from shegong.core.scoping import unscoped
from tests.cases.helpers import build, open_data, system

WRITERS = 6
EACH = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_get_consecutive_numbers(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the race needs PostgreSQL")
    cw = build(world)
    start, errors = threading.Barrier(WRITERS), []

    def write():
        try:
            with unscoped():
                station = type(cw.world.station_a).objects.get(pk=cw.world.station_a.pk)
                start.wait(10)
                for _ in range(EACH):
                    services.case_open(
                        actor=system(), station=station, worker=cw.worker, data=open_data(cw.recipient)
                    )
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
    year = datetime.date.today().year
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert numbers == [f"500103001-{year}-{n:04d}" for n in range(1, WRITERS * EACH + 1)]
