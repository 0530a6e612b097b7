"""Forms of the case pages: each parses input for one service call; a service error comes back on the form with
what was typed."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core import projectlinks
from shegong.recipients.models import NeedDomain

from .models import ClosingReason, GoalResult, IntakeSource, InterventionMethod, Referral

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT = {"rows": 3}


class OpenForm(forms.Form):
    recipient = forms.IntegerField(widget=forms.HiddenInput, required=False)
    resident_name = forms.CharField(
        label=_("尚未登记居民的姓名"),
        max_length=50,
        required=False,
        help_text=_("对象尚未建档时填写；建档后在个案页关联"),
    )
    resident_birth_date = forms.DateField(label=_("居民出生日期"), required=False, widget=DATE)
    worker = forms.TypedChoiceField(label=_("主责社工"), coerce=int, required=False)
    source = forms.ChoiceField(label=_("个案来源"), choices=IntakeSource.choices, widget=forms.RadioSelect)
    presenting_problem = forms.CharField(
        label=_("求助问题"), max_length=4000, widget=forms.Textarea(attrs=SHORT)
    )
    opened_on = forms.DateField(label=_("接案日期"), widget=DATE, initial=timezone.localdate)
    guardian_consent = forms.BooleanField(label=_("监护人已同意（未满 14 周岁必填）"), required=False)
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, required=False)

    def __init__(self, *args, workers=(), worker_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "—")] + [(w.pk, w.name) for w in workers]
        if not workers:
            del self.fields["worker"]
        # The case counts for the project its worker serves on the intake day (core.projectlinks).
        projectlinks.offer(self, worker_id=worker_id, day_field="opened_on")


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("不予接案理由"), max_length=1000, widget=forms.Textarea(attrs=SHORT))
    pointed_to = forms.CharField(label=_("建议转往"), max_length=120)


class LinkForm(forms.Form):
    id_number = forms.CharField(label=_("已登记服务对象的身份证号"), max_length=18)


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("预估日期"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label=_("预估分析"), max_length=4000, widget=forms.Textarea(attrs=SHORT))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in NeedDomain.choices:
            self.fields[f"score_{value}"] = forms.TypedChoiceField(
                label=label,
                coerce=int,
                required=False,
                empty_value=None,
                choices=[("", "—")] + [(i, str(i)) for i in range(5)],
            )

    def scores(self) -> dict:
        return {v: self.cleaned_data.get(f"score_{v}") for v in NeedDomain.values}

    def score_fields(self):
        return [self[f"score_{v}"] for v in NeedDomain.values]


GOAL_ROWS = 3


class PlanForm(forms.Form):
    text = forms.CharField(label=_("服务计划"), max_length=6000, widget=forms.Textarea(attrs=SHORT))

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        rows = max(GOAL_ROWS, len(goals) + 1)
        for i in range(1, rows + 1):
            goal = goals[i - 1] if i <= len(goals) else None
            self.fields[f"goal_{i}_title"] = forms.CharField(
                label=_("目标 %(n)d") % {"n": i},
                max_length=300,
                required=False,
                initial=goal.title if goal else "",
            )
            self.fields[f"goal_{i}_indicator"] = forms.CharField(
                label=_("衡量指标"), max_length=300, required=False, initial=goal.indicator if goal else ""
            )
            self.fields[f"goal_{i}_target_on"] = forms.DateField(
                label=_("目标日期"), required=False, widget=DATE, initial=goal.target_on if goal else None
            )
        self.rows = rows

    def goals(self) -> list[dict]:
        return [
            {
                "title": self.cleaned_data.get(f"goal_{i}_title"),
                "indicator": self.cleaned_data.get(f"goal_{i}_indicator"),
                "target_on": self.cleaned_data.get(f"goal_{i}_target_on"),
            }
            for i in range(1, self.rows + 1)
        ]

    def goal_rows(self):
        return [
            (self[f"goal_{i}_title"], self[f"goal_{i}_indicator"], self[f"goal_{i}_target_on"])
            for i in range(1, self.rows + 1)
        ]


class NoteForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    noted_on = forms.DateField(label=_("服务日期"), widget=DATE, initial=timezone.localdate)
    method = forms.ChoiceField(
        label=_("介入方式"), choices=InterventionMethod.choices, widget=forms.RadioSelect
    )
    content = forms.CharField(label=_("服务内容"), max_length=4000, widget=forms.Textarea(attrs=SHORT))
    next_step = forms.CharField(label=_("下一步"), max_length=1000, required=False)


class EvaluationForm(forms.Form):
    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_list = list(goals)
        for goal in self.goal_list:
            current = getattr(goal, "evaluation", None) if hasattr(goal, "evaluation") else None
            self.fields[f"result_{goal.pk}"] = forms.ChoiceField(
                label=goal.title,
                choices=[("", "—"), *GoalResult.choices],
                required=False,
                initial=current.result if current else "",
            )
            self.fields[f"evidence_{goal.pk}"] = forms.CharField(
                label=_("依据"),
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=current.evidence if current else "",
            )

    def results(self) -> dict:
        return {
            g.pk: {
                "result": self.cleaned_data.get(f"result_{g.pk}"),
                "evidence": self.cleaned_data.get(f"evidence_{g.pk}"),
            }
            for g in self.goal_list
        }

    def goal_rows(self):
        return [(g, self[f"result_{g.pk}"], self[f"evidence_{g.pk}"]) for g in self.goal_list]


class ClosingForm(forms.Form):
    reason = forms.ChoiceField(label=_("结案原因"), choices=ClosingReason.choices)
    summary = forms.CharField(label=_("结案小结"), max_length=4000, widget=forms.Textarea(attrs=SHORT))


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("审批意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(forms.Form):
    to_worker = forms.TypedChoiceField(label=_("接收社工"), coerce=int)
    reason = forms.CharField(label=_("转移原因"), max_length=300)

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_worker"].choices = [("", "—")] + [
            (w.pk, f"{w.name}（{w.region.name}）") for w in workers
        ]


class TransferDeclineForm(forms.Form):
    note = forms.CharField(label=_("拒绝原因"), max_length=300)


class ReferralForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("转介机构"), coerce=int, required=False, empty_value=None)
    department = forms.CharField(label=_("或：政府部门"), max_length=120, required=False)
    service_asked = forms.CharField(label=_("申请的服务"), max_length=200)
    letter = forms.CharField(label=_("转介函"), max_length=4000, widget=forms.Textarea(attrs=SHORT))
    referred_on = forms.DateField(label=_("转介日期"), widget=DATE, initial=timezone.localdate)
    ends_case = forms.BooleanField(label=_("转介后本站不再跟进（个案以“转介”结束）"), required=False)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "—")] + [(o.pk, o.name) for o in organisations]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("转介结果"), choices=[c for c in Referral.Outcome.choices if c[0]])
    outcome_on = forms.DateField(label=_("反馈日期"), widget=DATE, initial=timezone.localdate)
    outcome_note = forms.CharField(label=_("结果说明"), max_length=300, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看事由"), max_length=200)
