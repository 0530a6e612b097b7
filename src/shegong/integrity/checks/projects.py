"""Checks on purchased projects, read through the projects app's own selectors: a project behind its plan's pace,
and a budget line overspent (an overspend the ledger refused, or spending far ahead of the period)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.projects import selectors as project_selectors
from shegong.projects.models import ACTIVE_STATES, Project

from .base import Check, Hit, ev, under_q


def _running(under: str):
    return Project.objects.filter(under_q(under), state__in=ACTIVE_STATES).order_by("pk")


class BehindPlan(Check):
    code = "project.behind_plan"
    title = _("项目未按计划书进度实施")
    description = _("执行中的项目，某项指标的实际完成低于按期应完成量，差距超过项目设定的落后阈值。")
    defaults = {}
    incremental = False

    def run(self, under="", since=None, *, params):
        today = timezone.localdate()
        for project in _running(under).prefetch_related("service_regions"):
            behind = [item for item in project_selectors.progress(project, today=today) if item.behind]
            if not behind:
                continue
            yield Hit(
                subject=f"project:{project.pk}",
                region_code=project.region_code,
                summary=str(_("项目 %(code)s 有 %(n)d 项指标落后于计划"))
                % {"code": project.code, "n": len(behind)},
                evidence=[ev(project, project.code)]
                + [
                    ev(
                        item.target,
                        _("%(ind)s：应完成 %(exp)s，实际 %(act)s")
                        % {
                            "ind": item.target.get_indicator_display(),
                            "exp": item.expected,
                            "act": item.actual,
                        },
                    )
                    for item in behind
                ],
                occurred_on=today,
            )


class Overspent(Check):
    code = "project.overspent"
    title = _("预算科目超支")
    description = _("项目某预算科目出现被拒绝的超支支出，或支出进度远超项目执行进度（按项目落后阈值）。")
    defaults = {}
    incremental = False

    def run(self, under="", since=None, *, params):
        today = timezone.localdate()
        for project in _running(under):
            view = project_selectors.budget(project, today=today)
            for line in view.flagged:
                yield Hit(
                    subject=f"budgetline:{line.pk}",
                    region_code=project.region_code,
                    summary=str(_("项目 %(code)s 的「%(cat)s」科目超支"))
                    % {"code": project.code, "cat": line.get_category_display()},
                    evidence=[
                        ev(project, project.code),
                        ev(
                            line,
                            _("预算 %(a)s 元，已支出 %(s)s 元，被拒超支 %(r)d 次")
                            % {"a": line.amount, "s": line.spent, "r": line.refused_attempts},
                        ),
                    ],
                    occurred_on=today,
                )


CHECKS = [BehindPlan(), Overspent()]
