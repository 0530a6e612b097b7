import datetime
from decimal import Decimal

from shegong.people.models import SupervisionAssignment, Supervisor, WorkerAssignment
from tests.factories import make_user
from tests.people.helpers import make_worker


def days_ago(n: int) -> datetime.date:
    return datetime.date.today() - datetime.timedelta(days=n)


def supervisor_with_account(world, name="周督导", **extra):
    user = make_user("supervisor", username=extra.pop("username", None))
    supervisor = Supervisor.objects.create(
        region=world.regions["town_a"], name=name, level="local", user=user, **extra
    )
    return supervisor, user


def posted_worker(world, name, seq, node=None, **extra):
    worker = make_worker(world.regions["town_a"], name=name, seq=seq, **extra)
    WorkerAssignment.objects.create(worker=worker, node=node or world.station_a, start_date=days_ago(200))
    return worker


def supervise(supervisor, *, worker=None, node=None, start=200, end=None):
    return SupervisionAssignment.objects.create(
        supervisor=supervisor, worker=worker, node=node, start_date=days_ago(start), end_date=end
    )


HOURS = Decimal("8")
