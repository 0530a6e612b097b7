"""Builders for casework tests: a station in township A with its lead worker, a second worker, a supervisor and a
station head, and a recipient in a village of A."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from shegong.accounts.actor import Actor, SystemActor
from shegong.cases import services
from shegong.people.models import SocialWorker, SupervisionAssignment, Supervisor
from tests.factories import TOWN_A, TOWN_B, VILLAGE_A1, make_user
from tests.recipients.helpers import make_recipient


@dataclass
class Casework:
    world: object
    worker: SocialWorker
    worker_user: object
    colleague: SocialWorker
    colleague_user: object
    supervisor_user: object
    head_user: object
    worker_b: SocialWorker
    worker_b_user: object
    recipient: object

    def actor(self, user) -> Actor:
        return Actor.for_user(user)

    @property
    def lead(self) -> Actor:
        return Actor.for_user(self.worker_user)

    @property
    def supervisor(self) -> Actor:
        return Actor.for_user(self.supervisor_user)

    @property
    def head(self) -> Actor:
        return Actor.for_user(self.head_user)


def make_worker(town: str, name: str, user) -> SocialWorker:
    return SocialWorker.objects.create(region_id=town, name=name, user=user)


def supervise_station(world, user, station, name="周老师") -> SupervisionAssignment:
    """Put ``user`` on the supervision register as a supervisor of ``station`` (people.SupervisionAssignment)."""
    supervisor = Supervisor.objects.create(
        region=world.regions["town_a"], name=name, level="local", user=user
    )
    return SupervisionAssignment.objects.create(
        supervisor=supervisor, node=station, start_date=datetime.date.today() - datetime.timedelta(days=200)
    )


def build(world, *, supervisor=True) -> Casework:
    worker_user = make_user("worker", region_code=TOWN_A, display_name="社工小张")
    colleague_user = make_user("worker", region_code=TOWN_A)
    supervisor_user = make_user("supervisor", region_code=TOWN_A, display_name="督导周老师")
    head_user = make_user("township", region_code=TOWN_A, display_name="陈站长")
    worker_b_user = make_user("worker", region_code=TOWN_B)
    if supervisor:
        supervise_station(world, supervisor_user, world.station_a)
    return Casework(
        world=world,
        worker=make_worker(TOWN_A, "张晓", worker_user),
        worker_user=worker_user,
        colleague=make_worker(TOWN_A, "李明", colleague_user),
        colleague_user=colleague_user,
        supervisor_user=supervisor_user,
        head_user=head_user,
        worker_b=make_worker(TOWN_B, "王芳", worker_b_user),
        worker_b_user=worker_b_user,
        recipient=make_recipient(VILLAGE_A1, name="刘奶奶"),
    )


def open_data(recipient=None, **extra) -> dict:
    data = {
        "recipient": recipient,
        "source": "walk_in",
        "presenting_problem": "独居，近期情绪低落，子女在外地",
        "opened_on": datetime.date.today(),
    }
    data.update(extra)
    return data


def open_case(cw: Casework, **extra):
    return services.case_open(
        actor=cw.lead, station=cw.world.station_a, worker=cw.worker, data=open_data(cw.recipient, **extra)
    )


def assess(cw, case):
    return services.case_assess(
        actor=cw.lead,
        case=case,
        data={
            "assessed_on": case.opened_on,
            "scores": {"comfort": 3, "daily_care": 2},
            "text": "需要精神慰藉",
        },
    )


def plan(cw, case):
    target = datetime.date.today() + datetime.timedelta(days=60)
    return services.case_plan_save(
        actor=cw.lead,
        case=case,
        text="每周一次上门陪伴，链接助餐",
        goals=[{"title": "情绪改善", "indicator": "抑郁量表下降 5 分", "target_on": target}],
    )


def to_intervention(cw, case):
    assess(cw, case)
    plan(cw, case)
    approval = services.case_plan_submit(actor=cw.lead, case=case)
    services.case_decide(actor=cw.supervisor, approval=approval, approve=True)
    case.refresh_from_db()
    return case


def note(cw, case, **extra):
    data = {
        "noted_on": datetime.date.today(),
        "method": "home",
        "content": "上门陪伴聊天一小时",
        "next_step": "下周再访",
    }
    data.update(extra)
    return services.case_note_add(actor=cw.lead, case=case, data=data, idempotency_key=uuid.uuid4())


def to_evaluation(cw, case):
    to_intervention(cw, case)
    note(cw, case)
    goal = case.goals.get()
    services.case_evaluate(
        actor=cw.lead, case=case, results={goal.pk: {"result": "met", "evidence": "量表下降 6 分"}}
    )
    case.refresh_from_db()
    return case


def system():
    return SystemActor("test")
