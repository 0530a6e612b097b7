"""Writes on casework: every stage step, approvals, transfers, referrals and the reveal of a case's notes.

Each write checks who may make it, validates into a field → message dict, saves, counts (``core.tallies``) and
audits in one transaction; notices (``notifications``) go to the approver, the worker and a transfer's receiver.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.audit.services import record
from shegong.core import projectlinks, standing, tallies
from shegong.core.scoping import across_regions, get_scoped_or_404
from shegong.network.models import NodeLevel, ServiceNode
from shegong.notifications.models import Kind
from shegong.notifications.services import Notice, notify
from shegong.recipients.models import NeedDomain, RecipientStatus

from . import access
from .models import (
    OPEN_STAGES,
    Approval,
    Assessment,
    Case,
    CaseCounter,
    Closing,
    ClosingReason,
    Goal,
    GoalEvaluation,
    GoalResult,
    IntakeSource,
    InterventionMethod,
    InterventionNote,
    InterventionNoteKey,
    Plan,
    PlanStatus,
    Referral,
    Stage,
    Transfer,
)
from .selectors import STAGE_COUNTED

OPENED = "cases.opened"
CLOSED = "cases.closed"
DECISIONS = "cases.decisions"
SERVED = "served.people"
GUARDIAN_AGE = 14
MAX_GOALS = 10


def _user(actor):
    user = getattr(actor, "user", None)
    return user if getattr(user, "pk", None) else None


def _today() -> datetime.date:
    return timezone.localdate()


def _refuse_stage(case: Case, action: str) -> ValidationError:
    return ValidationError(
        {
            "stage": [
                _("个案当前处于“%(stage)s”阶段，不能%(action)s")
                % {"stage": Stage(case.stage).label, "action": action}
            ]
        }
    )


def _require_worker_on(actor, case: Case) -> None:
    actor.require("cases.change", case.region_code)
    if not access.can_work_on(actor, case):
        raise PermissionDenied("cases.change")


def _text(data: dict, key: str) -> str:
    return (data.get(key) or "").strip()


def _date(data: dict, key: str, errors: dict, label: str, *, required=True) -> datetime.date | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors[key] = [_("请填写%(f)s") % {"f": label}]
        return None
    if not isinstance(value, datetime.date):
        errors[key] = [_("%(f)s不是有效日期") % {"f": label}]
        return None
    return value


def _not_future(value, key, errors, label):
    if value and value > _today():
        errors[key] = [_("%(f)s不能晚于今天") % {"f": label}]


def _link(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _notify(users, kind: str, title: str, body: str, case: Case, key: str) -> None:
    notify(
        users=users,
        notice=Notice(
            kind=kind,
            title=title,
            body=body,
            params={"number": case.number, "name": case.person_name},
            link=_link(case),
        ),
        region_code=case.region_code,
        dedupe_key=key,
    )


# Opening ----------------------------------------------------------------------------------------------------------


def station_of_worker(worker) -> ServiceNode | None:
    """The station the worker is posted to (its current station post, else the station of its township)."""
    from shegong.people.models import WorkerAssignment

    today = _today()
    with across_regions("the station a worker is posted to, named on its case"):
        post = (
            WorkerAssignment.objects.filter(
                worker=worker, node__level=NodeLevel.STATION, start_date__lte=today
            )
            .exclude(end_date__lt=today)
            .select_related("node")
            .order_by("-start_date")
            .first()
        )
        if post is not None:
            return post.node
        township = (worker.region_code or "")[:9] + "000"
        return (
            ServiceNode.objects.filter(level=NodeLevel.STATION, region_id=township)
            .exclude(status="closed")
            .first()
        )


def next_number(station: ServiceNode, year: int) -> str:
    """The station's next case number for ``year``: the counter row is locked until the caller's transaction ends,
    so two cases opened at once get consecutive numbers and a rolled-back opening gives its number back."""
    try:
        with transaction.atomic():
            CaseCounter.objects.get_or_create(station=station, year=year)
    except IntegrityError:
        pass  # a concurrent opener created the row first
    counter = CaseCounter.objects.select_for_update().get(station=station, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{station.region_code[:9]}-{year}-{counter.last:04d}"


def case_open(*, actor, station: ServiceNode, worker, data: dict[str, Any]) -> Case:
    """Open a case (接案) for a recipient (``data["recipient"]``) or a resident not yet registered (a name)."""
    actor.require("cases.change", station.region_code)
    errors: dict[str, list[str]] = {}
    recipient = data.get("recipient")
    resident_name = _text(data, "resident_name")
    if station.level != NodeLevel.STATION:
        errors["station"] = [_("个案须由乡镇（街道）社工站开案")]
    if recipient is None and not resident_name:
        errors["recipient"] = [_("请选择服务对象，或填写尚未登记居民的姓名")]
    if recipient is not None and recipient.status != RecipientStatus.ACTIVE:
        errors["recipient"] = [
            _("%(name)s的档案状态为“%(s)s”，不能开案")
            % {"name": recipient.name, "s": RecipientStatus(recipient.status).label}
        ]
    if worker is None:
        errors["worker"] = [_("请指定主责社工")]
    if data.get("source") not in IntakeSource.values:
        errors["source"] = [_("请选择个案来源")]
    problem = _text(data, "presenting_problem")
    if not problem:
        errors["presenting_problem"] = [_("请填写求助问题")]
    opened_on = _date(data, "opened_on", errors, _("接案日期"))
    _not_future(opened_on, "opened_on", errors, _("接案日期"))
    if opened_on and opened_on < _today() - datetime.timedelta(days=366):
        errors["opened_on"] = [_("接案日期不能早于一年前")]
    birth = recipient.birth_date if recipient is not None else data.get("resident_birth_date")
    guardian = _text(data, "guardian_name")
    if birth and opened_on:
        age = opened_on.year - birth.year - ((opened_on.month, opened_on.day) < (birth.month, birth.day))
        if age < GUARDIAN_AGE and not (data.get("guardian_consent") and guardian):
            errors["guardian_consent"] = [_("未满 14 周岁的儿童开案须取得监护人同意，并填写监护人姓名")]
    if not errors:
        try:
            project_id = projectlinks.choose(
                worker_id=worker.pk, on=opened_on, project_id=data.get("project_id")
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case(
            number=next_number(station, opened_on.year),
            project_id=project_id,
            station=station,
            recipient=recipient,
            resident_name="" if recipient is not None else resident_name,
            resident_birth_date=None if recipient is not None else data.get("resident_birth_date"),
            worker=worker,
            source=data["source"],
            presenting_problem=problem,
            guardian_consent=bool(data.get("guardian_consent")),
            guardian_name=guardian,
            opened_on=opened_on,
            opened_region_code=station.region_code,
        )
        case.region_code = station.region_code
        case.full_clean()
        standing.save(case, STAGE_COUNTED)
        tallies.add(case.opened_region_code, case.opened_on, OPENED, 1)
        record(
            "cases.open",
            actor=actor,
            obj=case,
            changes={
                "number": case.number,
                "recipient": getattr(recipient, "pk", None),
                "source": case.source,
                "project": project_id,
            },
        )
    return case


def case_decline(*, actor, case: Case, reason: str, pointed_to: str) -> Case:
    """不予接案: only at intake, with the reason and where the person was pointed instead."""
    _require_worker_on(actor, case)
    if case.stage != Stage.INTAKE:
        raise _refuse_stage(case, _("不予接案"))
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = [_("请填写不予接案的理由")]
    if not (pointed_to or "").strip():
        errors["pointed_to"] = [_("请填写建议对方转往何处")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case.stage, case.ended_on = Stage.DECLINED, _today()
        case.decline_reason, case.pointed_to = reason.strip(), pointed_to.strip()[:120]
        standing.save(case, STAGE_COUNTED)
        record(
            "cases.decline",
            actor=actor,
            obj=case,
            changes={"stage": case.stage, "pointed_to": case.pointed_to},
        )
    return case


def case_link_recipient(*, actor, case: Case, recipient) -> Case:
    """A case opened for a resident not yet registered: link the recipient registered for them since."""
    _require_worker_on(actor, case)
    if case.recipient_id:
        raise ValidationError({"recipient": [_("该个案已关联服务对象")]})
    with transaction.atomic():
        case.recipient = recipient
        case.resident_name = ""
        case.resident_birth_date = None
        standing.save(case, STAGE_COUNTED)
        record("cases.link", actor=actor, obj=case, changes={"recipient": recipient.pk})
    return case


# Assessment, plan, intervention, evaluation -------------------------------------------------------------------------


def case_assess(*, actor, case: Case, data: dict[str, Any]) -> Assessment:
    """预估: a dated score (0 no need … 4 urgent) per needs domain of the recipient file, and the analysis."""
    _require_worker_on(actor, case)
    if case.stage not in OPEN_STAGES or case.stage == Stage.EVALUATION:
        raise _refuse_stage(case, _("登记预估"))
    errors: dict[str, list[str]] = {}
    assessed_on = _date(data, "assessed_on", errors, _("预估日期"))
    _not_future(assessed_on, "assessed_on", errors, _("预估日期"))
    if assessed_on and assessed_on < case.opened_on:
        errors["assessed_on"] = [_("预估日期不能早于接案日期")]
    scores = {}
    for key, value in (data.get("scores") or {}).items():
        if key not in NeedDomain.values:
            errors["scores"] = [_("无法识别的需求领域：%(k)s") % {"k": key}]
        elif value is not None and value != "":
            if not isinstance(value, int) or not 0 <= value <= 4:
                errors["scores"] = [_("各领域得分应为 0–4 的整数")]
            else:
                scores[key] = value
    if not scores and "scores" not in errors:
        errors["scores"] = [_("请至少为一个需求领域评分")]
    text = _text(data, "text")
    if not text:
        errors["text"] = [_("请填写预估分析")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment = Assessment(
            case=case,
            assessed_on=assessed_on,
            scores=scores,
            text=text,
            created_by=_user(actor),
            region_code=case.region_code,
        )
        assessment.full_clean()
        assessment.save()
        if case.stage == Stage.INTAKE:
            case.stage = Stage.ASSESSMENT
        case.assessed_on = case.assessed_on or assessed_on
        standing.save(case, STAGE_COUNTED)
        record(
            "cases.assess",
            actor=actor,
            obj=case,
            changes={"assessed_on": assessed_on, "domains": sorted(scores)},
        )
    return assessment


def case_plan_save(*, actor, case: Case, text: str, goals: list[dict[str, Any]]) -> Plan:
    """计划: write (or rewrite, after a rejection) the plan and its goals; the case moves to 计划."""
    _require_worker_on(actor, case)
    if case.stage not in (Stage.ASSESSMENT, Stage.PLAN) or case.plan_status in (
        PlanStatus.SUBMITTED,
        PlanStatus.APPROVED,
    ):
        if case.stage == Stage.INTAKE:
            raise ValidationError({"stage": [_("请先完成预估，再制定服务计划")]})
        raise _refuse_stage(
            case, _("修改服务计划") if case.plan_status != PlanStatus.SUBMITTED else _("修改待审批的服务计划")
        )
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("请填写服务计划")]
    cleaned = []
    for index, goal in enumerate(goals, start=1):
        title, indicator, target = _text(goal, "title"), _text(goal, "indicator"), goal.get("target_on")
        if not (title or indicator or target):
            continue
        problems = []
        if not title:
            problems.append(_("目标 %(n)d：请填写目标") % {"n": index})
        if not indicator:
            problems.append(_("目标 %(n)d：请填写可衡量的指标") % {"n": index})
        if not isinstance(target, datetime.date):
            problems.append(_("目标 %(n)d：请填写目标日期") % {"n": index})
        elif target < case.opened_on:
            problems.append(_("目标 %(n)d：目标日期不能早于接案日期") % {"n": index})
        if problems:
            errors.setdefault("goals", []).extend(problems)
        else:
            cleaned.append((title, indicator, target))
    if not cleaned and "goals" not in errors:
        errors["goals"] = [_("服务计划至少要有一个目标")]
    if len(cleaned) > MAX_GOALS:
        errors["goals"] = [_("服务计划最多 %(n)d 个目标") % {"n": MAX_GOALS}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = Plan.objects.filter(case=case).first() or Plan(
            case=case, created_by=_user(actor), region_code=case.region_code
        )
        plan.text = text
        plan.full_clean()
        plan.save()
        Goal.objects.filter(case=case).delete()
        Goal.objects.bulk_create(
            [
                Goal(case=case, position=i, title=t, indicator=ind, target_on=d, region_code=case.region_code)
                for i, (t, ind, d) in enumerate(cleaned, start=1)
            ]
        )
        case.stage = Stage.PLAN
        case.plan_status = PlanStatus.DRAFT
        standing.save(case, STAGE_COUNTED)
        record("cases.plan.save", actor=actor, obj=case, changes={"goals": len(cleaned)})
    return plan


def _request_approval(*, actor, case: Case, kind: str) -> Approval:
    approval = Approval(case=case, kind=kind, created_by=_user(actor))
    approval.save()
    approvers = access.approver_ids(case)
    _notify(
        approvers,
        Kind.CASE_APPROVAL,
        gettext_noop("个案待审批"),
        gettext_noop("个案 %(number)s（%(name)s）的服务计划已提交，请审批。")
        if kind == Approval.Kind.PLAN
        else gettext_noop("个案 %(number)s（%(name)s）申请结案，请审批。"),
        case,
        f"case-approval:{approval.pk}",
    )
    return approval


def case_plan_submit(*, actor, case: Case) -> Approval:
    """Send the plan to the case's supervisors (or the station head) for approval."""
    _require_worker_on(actor, case)
    if case.stage != Stage.PLAN or case.plan_status not in (PlanStatus.DRAFT, PlanStatus.REJECTED):
        raise _refuse_stage(case, _("提交服务计划"))
    if not Goal.objects.filter(case=case).exists():
        raise ValidationError({"goals": [_("服务计划至少要有一个目标")]})
    with transaction.atomic():
        case.plan_status = PlanStatus.SUBMITTED
        case.plan_submitted_on = _today()
        standing.save(case, STAGE_COUNTED)
        approval = _request_approval(actor=actor, case=case, kind=Approval.Kind.PLAN)
        record("cases.plan.submit", actor=actor, obj=case, changes={"approval": approval.pk})
    return approval


def case_decide(*, actor, approval: Approval, approve: bool, comment: str = "") -> Approval:
    """The approver's decision on a plan or a closing; a rejection returns the case with its comment."""
    case = approval.case
    if not access.is_approver(actor, case):
        raise PermissionDenied("cases.approve")
    if approval.decision != Approval.Decision.PENDING:
        raise ValidationError({"decision": [_("该审批事项已处理")]})
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("退回时请填写意见，说明需要修改什么")]})
    today = _today()
    with transaction.atomic():
        approval.decision = Approval.Decision.APPROVED if approve else Approval.Decision.REJECTED
        approval.decided_by, approval.decided_at, approval.comment = (
            _user(actor),
            timezone.now(),
            comment[:500],
        )
        approval.save()
        tallies.add(approval.region_code, today, DECISIONS, 1)
        if approval.kind == Approval.Kind.PLAN:
            if approve:
                case.stage, case.plan_status = Stage.INTERVENTION, PlanStatus.APPROVED
                case.plan_approved_on = case.plan_reviewed_on = today
            else:
                case.plan_status = PlanStatus.REJECTED
        else:
            closing = Closing.objects.get(case=case)
            if approve:
                closing.approved = True
                closing.save()
                case.stage, case.ended_on = Stage.CLOSED, today
                tallies.add(case.region_code, today, CLOSED, 1)
            else:
                case.closing_requested_on = None
        standing.save(case, STAGE_COUNTED)
        record(
            "cases.approve" if approve else "cases.reject",
            actor=actor,
            obj=case,
            changes={"kind": approval.kind, "approval": approval.pk, "stage": case.stage},
        )
        worker_user = case.worker.user_id if case.worker_id else None
        if worker_user:
            _notify(
                [worker_user],
                Kind.CASE_DECIDED,
                gettext_noop("个案审批结果"),
                (
                    gettext_noop("个案 %(number)s（%(name)s）的审批事项已批准。")
                    if approve
                    else gettext_noop("个案 %(number)s（%(name)s）的审批事项被退回，请查看意见。")
                ),
                case,
                f"case-decided:{approval.pk}",
            )
    return approval


def case_plan_review(*, actor, case: Case) -> Case:
    """The periodic review of an approved plan (the review time rule restarts from today)."""
    _require_worker_on(actor, case)
    if case.stage not in (Stage.INTERVENTION, Stage.EVALUATION):
        raise _refuse_stage(case, _("复核服务计划"))
    with transaction.atomic():
        case.plan_reviewed_on = _today()
        standing.save(case, STAGE_COUNTED)
        record("cases.plan.review", actor=actor, obj=case, changes={"reviewed_on": case.plan_reviewed_on})
    return case


def case_note_add(
    *, actor, case: Case, data: dict[str, Any], idempotency_key
) -> tuple[InterventionNote, bool]:
    """介入: one intervention note; a retry with the same idempotency key returns the first and writes nothing."""
    _require_worker_on(actor, case)
    try:
        key = uuid.UUID(str(idempotency_key))
    except ValueError:
        raise ValidationError({"idempotency_key": [_("提交编号无效，请刷新页面后重试")]}) from None
    with across_regions("an idempotency key is unique across the whole database"):
        existing = InterventionNote.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.case_id != case.pk:
            raise ValidationError({"idempotency_key": [_("提交编号已被另一条记录使用，请刷新页面后重试")]})
        return existing, False
    if case.stage not in (Stage.INTERVENTION, Stage.EVALUATION):
        if case.stage in (Stage.INTAKE, Stage.ASSESSMENT, Stage.PLAN):
            raise ValidationError({"stage": [_("服务计划批准后才能记录介入")]})
        raise _refuse_stage(case, _("记录介入"))
    errors: dict[str, list[str]] = {}
    noted_on = _date(data, "noted_on", errors, _("服务日期"))
    _not_future(noted_on, "noted_on", errors, _("服务日期"))
    if noted_on and noted_on < case.opened_on:
        errors["noted_on"] = [_("服务日期不能早于接案日期")]
    if data.get("method") not in InterventionMethod.values:
        errors["method"] = [_("请选择介入方式")]
    content = _text(data, "content")
    if not content:
        errors["content"] = [_("请填写服务内容")]
    if errors:
        raise ValidationError(errors)
    recipient = case.recipient
    with transaction.atomic():
        note = InterventionNote(
            case=case,
            noted_on=noted_on,
            method=data["method"],
            content=content,
            next_step=_text(data, "next_step"),
            recipient=recipient,
            served_region_code=recipient.region_code if recipient is not None else "",
            idempotency_key=key,
            created_by=_user(actor),
            region_code=case.region_code,
        )
        note.full_clean()
        note.save()
        if recipient is not None:
            tallies.add_member(recipient.region_code, noted_on, SERVED, f"recipient:{recipient.pk}")
        record("cases.note", actor=actor, obj=case, changes={"noted_on": noted_on, "method": note.method})
    return note, True


def release_detached_note_keys(_cursor, before: datetime.datetime) -> None:
    """Months before ``before`` were detached for the archive: their notes' idempotency keys go with them."""
    InterventionNoteKey.objects.filter(noted_on__lt=timezone.localtime(before).date()).delete()


def case_evaluate(*, actor, case: Case, results: dict[int, dict[str, Any]]) -> list[GoalEvaluation]:
    """评估: each goal met, partly met or not met, with the evidence; the case moves to 评估."""
    _require_worker_on(actor, case)
    if case.stage not in (Stage.INTERVENTION, Stage.EVALUATION) or case.closing_requested_on:
        raise _refuse_stage(
            case, _("评估目标") if not case.closing_requested_on else _("在结案审批期间修改评估")
        )
    if not InterventionNote.objects.filter(case=case).exists():
        raise ValidationError({"stage": [_("至少记录一次介入后才能评估")]})
    goals = list(Goal.objects.filter(case=case))
    errors: dict[str, list[str]] = {}
    rows = []
    for index, goal in enumerate(goals, start=1):
        given = results.get(goal.pk) or {}
        result, evidence = given.get("result"), (given.get("evidence") or "").strip()
        if not result and not evidence:
            continue
        if result not in GoalResult.values:
            errors.setdefault("results", []).append(_("目标 %(n)d：请选择达成情况") % {"n": index})
        elif not evidence:
            errors.setdefault("results", []).append(_("目标 %(n)d：请填写评估依据") % {"n": index})
        else:
            rows.append((goal, result, evidence))
    if not rows and "results" not in errors:
        errors["results"] = [_("请至少评估一个目标")]
    if errors:
        raise ValidationError(errors)
    saved = []
    with transaction.atomic():
        for goal, result, evidence in rows:
            evaluation, _created = GoalEvaluation.objects.update_or_create(
                goal=goal,
                defaults={
                    "case": case,
                    "result": result,
                    "evidence": evidence,
                    "evaluated_on": _today(),
                    "created_by": _user(actor),
                    "region_code": case.region_code,
                },
            )
            saved.append(evaluation)
        case.stage = Stage.EVALUATION
        standing.save(case, STAGE_COUNTED)
        record("cases.evaluate", actor=actor, obj=case, changes={"goals": [g.pk for g, _r, _e in rows]})
    return saved


def case_closing_request(*, actor, case: Case, reason: str, summary: str) -> Approval:
    """Ask to close (结案): every goal evaluated, a reason and a summary; the approver decides."""
    _require_worker_on(actor, case)
    if case.stage != Stage.EVALUATION or case.closing_requested_on:
        raise _refuse_stage(case, _("申请结案"))
    errors = {}
    unevaluated = Goal.objects.filter(case=case, evaluation__isnull=True).count()
    if unevaluated:
        errors["stage"] = [_("还有 %(n)d 个目标未评估，评估完所有目标后才能申请结案") % {"n": unevaluated}]
    if reason not in ClosingReason.values:
        errors["reason"] = [_("请选择结案原因")]
    if not (summary or "").strip():
        errors["summary"] = [_("请填写结案小结")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        closing = Closing.objects.filter(case=case).first() or Closing(
            case=case, created_by=_user(actor), region_code=case.region_code
        )
        closing.reason, closing.summary, closing.approved = reason, summary.strip(), False
        closing.full_clean()
        closing.save()
        case.closing_requested_on = _today()
        standing.save(case, STAGE_COUNTED)
        approval = _request_approval(actor=actor, case=case, kind=Approval.Kind.CLOSING)
        record(
            "cases.closing.request",
            actor=actor,
            obj=case,
            changes={"reason": reason, "approval": approval.pk},
        )
    return approval


# Hand-offs -----------------------------------------------------------------------------------------------------------


def case_transfer_request(*, actor, case: Case, to_worker, reason: str) -> Transfer:
    """Offer the case to another worker (at its station): it stays with the sender until the receiver accepts."""
    _require_worker_on(actor, case)
    errors = {}
    if not case.is_open:
        raise _refuse_stage(case, _("转移"))
    if to_worker is None:
        errors["to_worker"] = [_("请选择接收社工")]
    elif to_worker.pk == case.worker_id:
        errors["to_worker"] = [_("接收社工就是当前主责社工")]
    elif to_worker.user_id is None:
        errors["to_worker"] = [_("%(name)s没有登录账号，无法接收个案") % {"name": to_worker.name}]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写转移原因")]
    with across_regions("a case offered elsewhere: is there an offer still open, wherever it waits"):
        pending = Transfer.objects.filter(case=case, status=Transfer.Status.PENDING).exists()
    if pending:
        errors["to_worker"] = [_("该个案已有一项待接收的转移")]
    to_station = station_of_worker(to_worker) if to_worker is not None and not errors else None
    if to_worker is not None and not errors and to_station is None:
        errors["to_worker"] = [_("%(name)s未在任何社工站任职，无法接收个案") % {"name": to_worker.name}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        transfer = Transfer(
            case=case,
            from_worker=case.worker,
            from_station=case.station,
            to_worker=to_worker,
            to_station=to_station,
            reason=reason.strip()[:300],
            case_number=case.number,
            person_name=case.person_name,
            created_by=_user(actor),
        )
        transfer.save()
        record(
            "cases.transfer.request",
            actor=actor,
            obj=case,
            changes={"to_worker": to_worker.pk, "transfer": transfer.pk},
        )
        _notify(
            [to_worker.user_id],
            Kind.CASE_TRANSFER,
            gettext_noop("个案转移待接收"),
            gettext_noop("个案 %(number)s（%(name)s）转给您跟进，请在“个案转移”中接收或拒绝。"),
            case,
            f"case-transfer:{transfer.pk}",
        )
    return transfer


def _require_receiver(actor, transfer: Transfer) -> None:
    if transfer.to_worker.user_id is None or transfer.to_worker.user_id != access.user_id_of(actor):
        raise PermissionDenied("cases.transfer")
    if transfer.status != Transfer.Status.PENDING:
        raise ValidationError({"status": [_("该转移已处理")]})


def case_transfer_accept(*, actor, transfer: Transfer) -> Case:
    """The receiver takes the case over: it becomes the lead worker, and the case moves to its station."""
    _require_receiver(actor, transfer)
    with (
        transaction.atomic(),
        across_regions("the receiver of a transfer takes over a case it could not see before"),
    ):
        case = Case.objects.select_for_update().select_related("station", "worker").get(pk=transfer.case_id)
        if not case.is_open:
            raise _refuse_stage(case, _("接收转移"))
        old_region = case.region_code
        case.worker, case.station = transfer.to_worker, transfer.to_station
        standing.save(case, STAGE_COUNTED)
        if case.region_code != old_region:
            for model in (
                Assessment,
                Plan,
                Goal,
                InterventionNote,
                GoalEvaluation,
                Closing,
                Approval,
                Referral,
            ):
                model.objects.filter(case=case).update(region_code=case.region_code)
        transfer.status, transfer.decided_at, transfer.decided_by = (
            Transfer.Status.ACCEPTED,
            timezone.now(),
            _user(actor),
        )
        transfer.save()
        record(
            "cases.transfer.accept",
            actor=actor,
            obj=case,
            changes={"transfer": transfer.pk, "from": old_region},
        )
    return case


def case_transfer_decline(*, actor, transfer: Transfer, note: str) -> Transfer:
    _require_receiver(actor, transfer)
    if not (note or "").strip():
        raise ValidationError({"note": [_("请说明拒绝的原因")]})
    with transaction.atomic():
        transfer.status, transfer.decided_at, transfer.decided_by = (
            Transfer.Status.DECLINED,
            timezone.now(),
            _user(actor),
        )
        transfer.note = note.strip()[:300]
        transfer.save()
        record("cases.transfer.decline", actor=actor, obj=transfer, changes={"case": transfer.case_id})
    return transfer


def case_refer(*, actor, case: Case, data: dict[str, Any]) -> Referral:
    """转介 to an organisation or a government department; ``ends_case`` ends the station's casework (转介)."""
    _require_worker_on(actor, case)
    if not case.is_open:
        raise _refuse_stage(case, _("转介"))
    errors: dict[str, list[str]] = {}
    organisation, department = data.get("organisation"), _text(data, "department")
    if organisation is None and not department:
        errors["department"] = [_("请选择转介机构，或填写政府部门")]
    service = _text(data, "service_asked")
    if not service:
        errors["service_asked"] = [_("请填写申请的服务")]
    letter = _text(data, "letter")
    if not letter:
        errors["letter"] = [_("请填写转介函内容")]
    referred_on = _date(data, "referred_on", errors, _("转介日期"))
    _not_future(referred_on, "referred_on", errors, _("转介日期"))
    if errors:
        raise ValidationError(errors)
    ends = bool(data.get("ends_case"))
    if ends and case.closing_requested_on:
        raise ValidationError({"ends_case": [_("结案审批期间不能转介结束")]})
    with transaction.atomic():
        referral = Referral(
            case=case,
            organisation=organisation,
            department=department[:120],
            service_asked=service[:200],
            letter=letter,
            referred_on=referred_on,
            ends_case=ends,
            created_by=_user(actor),
            region_code=case.region_code,
        )
        referral.full_clean()
        referral.save()
        if ends:
            case.stage, case.ended_on = Stage.REFERRED, _today()
            standing.save(case, STAGE_COUNTED)
        record("cases.refer", actor=actor, obj=case, changes={"referral": referral.pk, "ends_case": ends})
    return referral


def referral_outcome(
    *, actor, referral: Referral, outcome: str, note: str, on: datetime.date | None
) -> Referral:
    case = referral.case
    actor.require("cases.change", case.region_code)
    if not access.can_work_on(actor, case):
        raise PermissionDenied("cases.change")
    errors = {}
    if outcome not in [v for v in Referral.Outcome.values if v]:
        errors["outcome"] = [_("请选择转介结果")]
    if on is None:
        errors["outcome_on"] = [_("请填写反馈日期")]
    elif on < referral.referred_on or on > _today():
        errors["outcome_on"] = [_("反馈日期应在转介日期与今天之间")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral.outcome, referral.outcome_note, referral.outcome_on = outcome, (note or "").strip()[:300], on
        referral.save()
        record(
            "cases.referral.outcome",
            actor=actor,
            obj=case,
            changes={"referral": referral.pk, "outcome": outcome},
        )
    return referral


# Reading the notes ---------------------------------------------------------------------------------------------------


def case_reveal(*, actor, case: Case, reason: str) -> None:
    """Someone other than the lead worker, the supervisor and the station head reads the case's notes: audited."""
    actor.require("cases.reveal", case.region_code)
    if len((reason or "").strip()) < 2:
        raise ValidationError({"reason": [_("查看个案记录须填写事由")]})
    record("reveal", actor=actor, obj=case, reason=reason.strip(), changes={"field": "case_notes"})


def fetch(pk: int) -> Case:
    return get_scoped_or_404(
        Case.objects.select_related("recipient", "worker", "station", "recipient__region"), pk=pk
    )
