"""Case reviews count as supervision work (issue 17 item 1): the plan and closing decisions a supervisor makes show
beside its sessions per month on the supervision page, and as a counted figure per region and month."""

import pytest

from shegong.core import tallies
from tests.cases.helpers import assess, build, open_case, plan, to_intervention
from tests.factories import TOWN_A, login_client

pytestmark = pytest.mark.django_db


def test_a_supervisors_case_decisions_count_beside_its_sessions(world, client):
    cw = build(world)
    to_intervention(cw, open_case(cw))  # one plan approved by the station's supervisor (周老师)
    second = open_case(cw, presenting_problem="第二个个案")
    assess(cw, second)
    plan(cw, second)
    from shegong.cases import services

    approval = services.case_plan_submit(actor=cw.lead, case=second)
    services.case_decide(actor=cw.supervisor, approval=approval, approve=False, comment="目标要可衡量")
    assert tallies.totals([TOWN_A], ["cases.decisions"])["cases.decisions"] == 2
    assert not tallies.reconcile(fix=False, only=["cases.decisions"])
    login_client(client, cw.supervisor_user)
    page = client.get("/supervision/").content.decode()
    table = page[page.index('id="per-supervisor"') :]
    row = table[table.index("周老师") : table.index("</tr>", table.index("周老师"))]
    assert "<strong>0 / 2</strong>" in row
    assert "个案审批数" in page


def test_a_pending_approval_is_not_counted(world):
    cw = build(world)
    case = open_case(cw)
    assess(cw, case)
    plan(cw, case)
    from shegong.cases import services

    services.case_plan_submit(actor=cw.lead, case=case)
    assert tallies.totals([TOWN_A], ["cases.decisions"])["cases.decisions"] == 0
    assert not tallies.reconcile(fix=False, only=["cases.decisions"])
