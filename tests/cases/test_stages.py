"""Casework through its stages: every transition allowed where MZ/T 094 allows it and refused elsewhere, the
approval history, hand-offs, numbering and counting."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.audit.models import AuditEvent
from shegong.cases import services
from shegong.cases.models import Approval, Case, PlanStatus, Stage, Transfer
from shegong.core import tallies
from shegong.core.models import Tally
from shegong.notifications.models import Message
from shegong.recipients import selectors as recipient_selectors
from tests.cases.helpers import (
    assess,
    build,
    note,
    open_case,
    open_data,
    plan,
    to_evaluation,
    to_intervention,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standing_matches_records")]


@pytest.fixture
def cw(world):
    return build(world)


def test_opening_numbers_cases_per_station_and_year_without_gaps(cw):
    first, second = open_case(cw), open_case(cw)
    year = datetime.date.today().year
    assert first.number == f"500103001-{year}-0001"
    assert second.number == f"500103001-{year}-0002"
    assert first.stage == Stage.INTAKE and first.region_code == cw.world.station_a.region_code
    assert first.presenting_problem == "独居，近期情绪低落，子女在外地"


def test_a_refused_opening_gives_no_number_away(cw):
    with pytest.raises(ValidationError):
        open_case(cw, presenting_problem="")
    assert open_case(cw).number.endswith("-0001")


def test_the_presenting_problem_is_encrypted_at_rest(cw):
    from django.db import connection

    case = open_case(cw)
    with connection.cursor() as cursor:
        cursor.execute("select presenting_problem from cases_case where id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert "独居" not in stored


def test_a_child_under_14_needs_the_guardians_consent(cw):
    from tests.recipients.helpers import make_recipient

    child = make_recipient(
        "500103001001",
        name="小明",
        id_number=__import__("tests.recipients.helpers", fromlist=["id_number"]).id_number(birth="20180101"),
    )
    with pytest.raises(ValidationError) as caught:
        services.case_open(actor=cw.lead, station=cw.world.station_a, worker=cw.worker, data=open_data(child))
    assert "监护人" in caught.value.message_dict["guardian_consent"][0]
    case = services.case_open(
        actor=cw.lead,
        station=cw.world.station_a,
        worker=cw.worker,
        data=open_data(child, guardian_consent=True, guardian_name="小明妈妈"),
    )
    assert case.guardian_consent and case.guardian_name == "小明妈妈"


def test_a_resident_not_yet_registered_is_linked_once_registered(cw):
    case = services.case_open(
        actor=cw.lead,
        station=cw.world.station_a,
        worker=cw.worker,
        data=open_data(None, resident_name="赵先生"),
    )
    assert case.person_name == "赵先生" and case.recipient is None
    services.case_link_recipient(actor=cw.lead, case=case, recipient=cw.recipient)
    case.refresh_from_db()
    assert case.recipient == cw.recipient and case.resident_name == ""
    with pytest.raises(ValidationError):
        services.case_link_recipient(actor=cw.lead, case=case, recipient=cw.recipient)


def test_decline_only_at_intake_with_reason_and_where_pointed(cw):
    case = open_case(cw)
    with pytest.raises(ValidationError) as caught:
        services.case_decline(actor=cw.lead, case=case, reason="", pointed_to="")
    assert set(caught.value.message_dict) == {"reason", "pointed_to"}
    services.case_decline(actor=cw.lead, case=case, reason="不属于本站服务范围", pointed_to="区残联")
    assert case.stage == Stage.DECLINED and case.ended_on
    other = open_case(cw)
    assess(cw, other)
    with pytest.raises(ValidationError) as caught:
        services.case_decline(actor=cw.lead, case=other, reason="x", pointed_to="y")
    assert "预估" in caught.value.message_dict["stage"][0]


def test_the_plan_needs_an_assessment_and_a_measurable_goal(cw):
    case = open_case(cw)
    with pytest.raises(ValidationError) as caught:
        plan(cw, case)
    assert "预估" in caught.value.message_dict["stage"][0]
    assess(cw, case)
    assert case.stage == Stage.ASSESSMENT
    with pytest.raises(ValidationError) as caught:
        services.case_plan_save(
            actor=cw.lead,
            case=case,
            text="计划",
            goals=[{"title": "情绪改善", "indicator": "", "target_on": None}],
        )
    assert any("指标" in m for m in caught.value.message_dict["goals"])
    plan(cw, case)
    assert case.stage == Stage.PLAN and case.plan_status == PlanStatus.DRAFT


def test_notes_wait_for_the_approved_plan(cw):
    case = open_case(cw)
    assess(cw, case)
    plan(cw, case)
    with pytest.raises(ValidationError) as caught:
        note(cw, case)
    assert "批准" in caught.value.message_dict["stage"][0]


def test_plan_approval_rejection_and_history(cw):
    case = open_case(cw)
    assess(cw, case)
    plan(cw, case)
    first = services.case_plan_submit(actor=cw.lead, case=case)
    assert Message.objects.filter(
        recipient=cw.supervisor_user, dedupe_key=f"case-approval:{first.pk}"
    ).exists()
    with pytest.raises(ValidationError):  # a submitted plan cannot be edited
        plan(cw, case)
    with pytest.raises(ValidationError) as caught:  # a rejection needs a comment
        services.case_decide(actor=cw.supervisor, approval=first, approve=False)
    assert "comment" in caught.value.message_dict
    with pytest.raises(PermissionDenied):  # the worker does not approve its own plan
        services.case_decide(actor=cw.lead, approval=first, approve=True)
    with pytest.raises(PermissionDenied):  # the station head does not, where the station has a supervisor
        services.case_decide(actor=cw.head, approval=first, approve=True)
    services.case_decide(actor=cw.supervisor, approval=first, approve=False, comment="目标要可衡量")
    case.refresh_from_db()
    assert case.stage == Stage.PLAN and case.plan_status == PlanStatus.REJECTED
    assert Message.objects.filter(recipient=cw.worker_user, dedupe_key=f"case-decided:{first.pk}").exists()
    plan(cw, case)
    second = services.case_plan_submit(actor=cw.lead, case=case)
    services.case_decide(actor=cw.supervisor, approval=second, approve=True, comment="同意")
    case.refresh_from_db()
    assert case.stage == Stage.INTERVENTION and case.plan_approved_on == datetime.date.today()
    history = list(Approval.objects.filter(case=case).values_list("kind", "decision", "comment"))
    assert history == [("plan", "rejected", "目标要可衡量"), ("plan", "approved", "同意")]
    with pytest.raises(ValidationError):
        services.case_decide(actor=cw.supervisor, approval=second, approve=True)


def test_the_station_head_approves_where_the_station_has_no_supervisor(world):
    cw = build(world, supervisor=False)
    case = open_case(cw)
    assess(cw, case)
    plan(cw, case)
    approval = services.case_plan_submit(actor=cw.lead, case=case)
    assert Message.objects.filter(recipient=cw.head_user, dedupe_key=f"case-approval:{approval.pk}").exists()
    with pytest.raises(PermissionDenied):
        services.case_decide(actor=cw.supervisor, approval=approval, approve=True)
    services.case_decide(actor=cw.head, approval=approval, approve=True)
    case.refresh_from_db()
    assert case.stage == Stage.INTERVENTION


def test_closing_needs_every_goal_evaluated_and_an_approved_closing(cw):
    case = to_intervention(cw, open_case(cw))
    with pytest.raises(ValidationError):  # no closing from the intervention stage
        services.case_closing_request(actor=cw.lead, case=case, reason="goals_met", summary="好转")
    with pytest.raises(ValidationError) as caught:  # evaluation waits for an intervention
        services.case_evaluate(actor=cw.lead, case=case, results={})
    assert "介入" in caught.value.message_dict["stage"][0]
    note(cw, case)
    goal = case.goals.get()
    with pytest.raises(ValidationError):
        services.case_evaluate(actor=cw.lead, case=case, results={goal.pk: {"result": "met", "evidence": ""}})
    services.case_evaluate(
        actor=cw.lead, case=case, results={goal.pk: {"result": "partly", "evidence": "量表下降 3 分"}}
    )
    case.refresh_from_db()
    assert case.stage == Stage.EVALUATION
    request = services.case_closing_request(
        actor=cw.lead, case=case, reason="goals_met", summary="情绪明显好转"
    )
    with pytest.raises(ValidationError):  # one pending request at a time
        services.case_closing_request(actor=cw.lead, case=case, reason="goals_met", summary="again")
    services.case_decide(actor=cw.supervisor, approval=request, approve=False, comment="补充评估依据")
    case.refresh_from_db()
    assert case.stage == Stage.EVALUATION and case.closing_requested_on is None
    again = services.case_closing_request(
        actor=cw.lead, case=case, reason="goals_met", summary="情绪明显好转，已链接助餐"
    )
    services.case_decide(actor=cw.supervisor, approval=again, approve=True)
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closing.approved and case.ended_on == datetime.date.today()
    with pytest.raises(ValidationError):
        note(cw, case)
    with pytest.raises(ValidationError):
        services.case_refer(
            actor=cw.lead,
            case=case,
            data={
                "department": "区民政局",
                "service_asked": "x",
                "letter": "y",
                "referred_on": datetime.date.today(),
            },
        )


def test_a_closed_case_cannot_exist_without_an_approved_plan_in_the_database(cw):
    from django.db import IntegrityError, transaction

    case = open_case(cw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(stage="closed", ended_on=datetime.date.today())


def test_only_the_lead_worker_or_the_station_head_works_on_a_case(cw):
    case = open_case(cw)
    with pytest.raises(PermissionDenied):
        assess(type(cw)(**{**cw.__dict__, "worker_user": cw.colleague_user}), case)
    services.case_assess(
        actor=cw.head,
        case=case,
        data={"assessed_on": case.opened_on, "scores": {"safety": 1}, "text": "站长代录"},
    )


def test_a_note_is_idempotent_and_counts_the_person_once_a_month(cw):
    import uuid

    case = to_intervention(cw, open_case(cw))
    key = uuid.uuid4()
    data = {"noted_on": datetime.date.today(), "method": "phone", "content": "电话关心"}
    first, created = services.case_note_add(actor=cw.lead, case=case, data=data, idempotency_key=key)
    again, created_again = services.case_note_add(actor=cw.lead, case=case, data=data, idempotency_key=key)
    assert created and not created_again and first.pk == again.pk
    note(cw, case)
    served = tallies.totals([cw.recipient.region_code], ["served.people"])["served.people"]
    assert served == 1
    assert tallies.reconcile(fix=False, only=["cases.opened", "cases.closed", "served.people"]) == []


def test_opening_and_closing_are_counted_in_the_same_transaction(cw):
    month = datetime.date.today().replace(day=1)
    case = to_evaluation(cw, open_case(cw))
    assert Tally.objects.get(metric="cases.opened", region_code=case.region_code, month=month).value == 1
    approval = services.case_closing_request(actor=cw.lead, case=case, reason="goals_met", summary="好转")
    assert not Tally.objects.filter(metric="cases.closed").exists()
    services.case_decide(actor=cw.supervisor, approval=approval, approve=True)
    assert Tally.objects.get(metric="cases.closed", region_code=case.region_code, month=month).value == 1
    assert tallies.reconcile(fix=False, only=["cases.opened", "cases.closed"]) == []


def test_a_transfer_stays_with_the_sender_until_accepted(cw):
    case = open_case(cw)
    transfer = services.case_transfer_request(
        actor=cw.lead, case=case, to_worker=cw.worker_b, reason="对象搬到解放碑"
    )
    case.refresh_from_db()
    assert case.worker == cw.worker and case.station == cw.world.station_a
    assert (
        transfer.to_station == cw.world.station_b and transfer.region_code == cw.world.station_b.region_code
    )
    assert Message.objects.filter(
        recipient=cw.worker_b_user, dedupe_key=f"case-transfer:{transfer.pk}"
    ).exists()
    with pytest.raises(ValidationError):  # one offer at a time
        services.case_transfer_request(actor=cw.lead, case=case, to_worker=cw.colleague, reason="x")
    with pytest.raises(PermissionDenied):  # only the receiver accepts
        services.case_transfer_accept(actor=cw.lead, transfer=transfer)
    # The sender keeps working on it meanwhile.
    assess(cw, case)
    receiver = cw.actor(cw.worker_b_user)
    services.case_transfer_accept(actor=receiver, transfer=transfer)
    case.refresh_from_db()
    assert case.worker == cw.worker_b and case.station == cw.world.station_b
    assert case.region_code == cw.world.station_b.region_code
    assert case.assessments.get().region_code == case.region_code
    assert Transfer.objects.get(pk=transfer.pk).status == "accepted"
    with pytest.raises(PermissionDenied):  # the sender no longer works on it
        plan(cw, case)


def test_a_declined_transfer_leaves_the_case_where_it_was(cw):
    case = open_case(cw)
    transfer = services.case_transfer_request(actor=cw.lead, case=case, to_worker=cw.colleague, reason="休假")
    colleague = cw.actor(cw.colleague_user)
    with pytest.raises(ValidationError):
        services.case_transfer_decline(actor=colleague, transfer=transfer, note="")
    services.case_transfer_decline(actor=colleague, transfer=transfer, note="个案已满")
    case.refresh_from_db()
    assert case.worker == cw.worker and Transfer.objects.get(pk=transfer.pk).status == "declined"


def test_referral_records_letter_service_and_outcome_and_may_end_the_case(cw):
    case = open_case(cw)
    with pytest.raises(ValidationError) as caught:
        services.case_refer(
            actor=cw.lead,
            case=case,
            data={"service_asked": "", "letter": "", "referred_on": datetime.date.today()},
        )
    assert {"department", "service_asked", "letter"} <= set(caught.value.message_dict)
    referral = services.case_refer(
        actor=cw.lead,
        case=case,
        data={
            "organisation": cw.world.org_a,
            "service_asked": "心理疏导",
            "letter": "兹转介……",
            "referred_on": datetime.date.today(),
        },
    )
    assert case.stage == Stage.INTAKE
    services.referral_outcome(
        actor=cw.lead, referral=referral, outcome="accepted", note="已安排咨询师", on=datetime.date.today()
    )
    referral.refresh_from_db()
    assert referral.outcome == "accepted"
    services.case_refer(
        actor=cw.lead,
        case=case,
        data={
            "department": "区医保局",
            "service_asked": "医疗救助",
            "letter": "兹转介",
            "referred_on": datetime.date.today(),
            "ends_case": True,
        },
    )
    assert case.stage == Stage.REFERRED and case.ended_on


def test_the_reveal_of_notes_is_audited_with_its_reason(cw):
    from shegong.accounts.actor import Actor
    from tests.factories import make_user

    case = open_case(cw)
    official = Actor.for_user(make_user("official", region_code="500103000000"))
    with pytest.raises(ValidationError):
        services.case_reveal(actor=official, case=case, reason="")
    services.case_reveal(actor=official, case=case, reason="信访核查")
    event = AuditEvent.objects.filter(action="reveal", object_id=str(case.pk)).get()
    assert event.reason == "信访核查" and event.object_type == "cases.case"
    with pytest.raises(PermissionDenied):  # a supervisor reads through its assignment, it has no reveal
        services.case_reveal(actor=cw.actor(make_user("supervisor")), case=case, reason="看看")


def test_every_step_is_on_the_recipients_timeline(cw):
    case = to_evaluation(cw, open_case(cw))
    approval = services.case_closing_request(actor=cw.lead, case=case, reason="goals_met", summary="好转")
    services.case_decide(actor=cw.supervisor, approval=approval, approve=True)
    services.case_refer(
        actor=cw.lead,
        case=open_case(cw),
        data={
            "department": "区残联",
            "service_asked": "辅具",
            "letter": "函",
            "referred_on": datetime.date.today(),
        },
    )
    lines = [e.summary for e in recipient_selectors.timeline(cw.recipient)]
    text = "\n".join(lines)
    for fragment in (
        "接案",
        "完成预估",
        "提交审批：服务计划",
        "审批通过：服务计划",
        "介入服务",
        "评估了 1 个目标",
        "提交审批：结案",
        "审批通过：结案",
        "结案",
        "转介至 区残联",
    ):
        assert fragment in text, fragment
    assert "情绪低落" not in text  # the notes never reach the timeline
