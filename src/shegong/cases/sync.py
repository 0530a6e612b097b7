"""What casework gives the field app's sync (``core.sync``): the intervention note written offline, the offline
edit of a draft service plan (field by field against the version the phone saw), and the worker's open cases as
the phone needs them — number, person, stage, the steps owed and, for a plan still being written, its text."""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.models import AuditEvent
from shegong.core import sync
from shegong.core.params import as_int
from shegong.regions.selectors import policies_for

from . import access, services
from .models import OPEN_STAGES, Case, Goal, InterventionMethod, Plan, PlanStatus, Stage
from .rules import due_steps

TEXT_LIMITS = {"content": 4000, "next_step": 2000}
PLAN_LIMIT = 6000  # the plan page's own limit
PLAN_FIELDS = {"text": gettext_lazy("服务计划")}
# A plan the worker may still rewrite (the plan page's own rule: not submitted, not approved).
PLAN_EDITABLE = (PlanStatus.DRAFT, PlanStatus.REJECTED)


def _case(value) -> Case:
    if not sync.is_id(value):
        raise ValidationError({"case": [_("请选择个案")]})
    return services.fetch(value)


def _day(payload: dict, name: str, errors: dict, label: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(payload.get(name) or ""))
    except ValueError:
        errors[name] = [_("请填写%(f)s") % {"f": label}]
        return None


def note_from_device(actor, payload: dict, key: uuid.UUID):
    """An intervention note written on the phone: the case page's own write, under the phone's key."""
    case = _case(payload.get("case"))
    errors: dict[str, list[str]] = {}
    data = {"noted_on": _day(payload, "noted_on", errors, _("服务日期")), "method": payload.get("method")}
    for name, limit in TEXT_LIMITS.items():
        value = payload.get(name) or ""
        if not isinstance(value, str):
            errors[name] = [_("格式无效")]
        elif len(value) > limit:
            errors[name] = [_("不能超过 %(n)d 字") % {"n": limit}]
        data[name] = value if isinstance(value, str) else ""
    if errors:
        raise ValidationError(errors)
    return services.case_note_add(actor=actor, case=case, data=data, idempotency_key=key)


NOTE = sync.Kind(name="case.note", label=gettext_lazy("个案记录"), create=note_from_device)


# -- the plan, a shared record ---------------------------------------------------------------------------------


def _plan_current(actor, object_id: str):
    pk = as_int(object_id) or 0
    if not sync.is_id(pk):
        raise ValidationError({"id": [_("个案编号无效")]})
    case = services.fetch(pk)
    plan = Plan.objects.filter(case=case).first()
    if plan is None:
        raise ValidationError({"text": [_("该个案还没有服务计划")]})
    return case, {"text": plan.text}


def _plan_write(actor, case: Case, values: dict) -> None:
    text = values.get("text") or ""
    if not isinstance(text, str) or len(text) > PLAN_LIMIT:
        raise ValidationError({"text": [_("服务计划不能超过 %(n)d 字") % {"n": PLAN_LIMIT}]})
    # The plan page's own save: the goals stay as they are, only the text the phone changed is new.
    goals = [
        {"title": g.title, "indicator": g.indicator, "target_on": g.target_on}
        for g in Goal.objects.filter(case=case).order_by("position", "pk")
    ]
    services.case_plan_save(actor=actor, case=case, text=text, goals=goals)


PLAN_SAVED = "cases.plan.save"  # the audit action of a plan saved (cases.services.case_plan_save)


def _plan_last_change(case: Case):
    event = (
        AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), action=PLAN_SAVED)
        .order_by("-seq")
        .first()
    )
    plan = Plan.objects.filter(case=case).only("updated_at").first()
    name = ""
    if event is not None:
        user = get_user_model().objects.filter(pk=event.actor_id).first() if event.actor_id else None
        name = (user.display_name or user.username) if user is not None else event.actor_name
    return (name, plan.updated_at if plan else None)


PLAN_EDIT = sync.EditKind(
    name="case.plan",
    label=gettext_lazy("修改服务计划"),
    fields=PLAN_FIELDS,
    current=_plan_current,
    write=_plan_write,
    last_change=_plan_last_change,
    describe=lambda case: f"{case.number} {case.person_name}",
)


# -- what the phone downloads ----------------------------------------------------------------------------------


def _row(case: Case, policy, plans: dict[int, Plan]) -> dict:
    plan = plans.get(case.pk)
    editable = plan is not None and case.plan_status in PLAN_EDITABLE
    return {
        "id": case.pk,
        "number": case.number,
        "recipient": case.recipient_id,
        "person": case.person_name,
        "stage": case.stage,
        "stage_label": str(Stage(case.stage).label),
        # Each step the case owes and its date: the phone compares them with its own today.
        "steps": [{"label": s.label, "due_on": s.due_on.isoformat()} for s in due_steps(case, policy)],
        "can_note": case.stage in (Stage.INTERVENTION, Stage.EVALUATION),
        "plan": (
            {"text": plan.text, "versions": {"text": sync.field_version(plan.text)}} if editable else None
        ),
    }


def cases_for_worker(actor, since: datetime.datetime | None) -> sync.Section:
    """The worker's own open cases (all, or those changed since the cursor) and the ids to keep."""
    extra = {"methods": [[k, str(v)] for k, v in InterventionMethod.choices]}
    worker = access.worker_of(actor)
    if worker is None:
        return sync.Section(rows=[], keep=[], extra=extra)
    mine = Case.objects.filter(worker_id=worker.pk, stage__in=OPEN_STAGES)
    changed = mine
    if since is not None:
        plan_moved = Plan.objects.filter(case_id=OuterRef("pk"), updated_at__gt=since)
        changed = mine.filter(Q(updated_at__gt=since) | Q(Exists(plan_moved)))
    cases = list(changed.select_related("recipient").order_by("opened_on", "pk"))
    policies = policies_for(sorted({c.region_code for c in cases}))
    plans = {p.case_id: p for p in Plan.objects.filter(case_id__in=[c.pk for c in cases])}
    rows = [_row(c, policies[c.region_code], plans) for c in cases]
    keep = list(mine.order_by("pk").values_list("pk", flat=True))
    return sync.Section(rows=rows, keep=keep, extra=extra)
