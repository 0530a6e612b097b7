"""Checks on who works where: one registered worker on two running projects, filings made late or never made while
the worker already serves, and departures without notice or without a replacement (seed 003)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.people.models import AssignmentFilingStatus, Departure, WorkerAssignment
from shegong.projects.models import ACTIVE_STATES, ProjectStaff
from shegong.projects.services import breach_labels
from shegong.regions.selectors import policies_for
from shegong.visits.models import Visit

from .base import Check, Hit, ev, local_date, under_q


class TwoProjects(Check):
    code = "staff.two_projects"
    title = _("一名社工同时在两个在办项目")
    description = _("同一注册社工同时在两个及以上执行中的购买服务项目任职（杜绝一个注册社工运行多个项目）。")
    defaults = {}
    incremental = False

    def run(self, under="", since=None, *, params):
        today = timezone.localdate()
        posts = (
            ProjectStaff.objects.filter(project__state__in=ACTIVE_STATES, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .filter(under_q(under, "worker__region_code"))
            .select_related("project", "worker")
            .order_by("worker_id", "start_date", "pk")
        )
        by_worker = defaultdict(list)
        for post in posts:
            by_worker[post.worker_id].append(post)
        for worker_id, rows in by_worker.items():
            projects = {p.project_id for p in rows}
            if len(projects) < 2:
                continue
            worker = rows[0].worker
            yield Hit(
                subject=f"worker:{worker_id}",
                region_code=worker.region_code,
                summary=str(_("同时在 %(n)d 个项目任职：%(codes)s"))
                % {"n": len(projects), "codes": "、".join(sorted({p.project.code for p in rows}))},
                evidence=[ev(worker, _("社工档案"))]
                + [
                    ev(p, _("项目 %(code)s，自 %(d)s 起") % {"code": p.project.code, "d": p.start_date})
                    for p in rows
                ],
                occurred_on=max(p.start_date for p in rows),
            )


def _filing_posts(under: str):
    """Station postings and project postings: both are filed with the bureau within the filing deadline."""
    station = WorkerAssignment.objects.filter(under_q(under)).select_related("worker", "node")
    project = ProjectStaff.objects.filter(under_q(under)).select_related("worker", "project")
    return station, project


def _due(post, days: int) -> datetime.date:
    if isinstance(post, ProjectStaff):
        return post.filing_due(days)
    return post.start_date + datetime.timedelta(days=days)


def _where(post) -> str:
    if isinstance(post, ProjectStaff):
        return str(_("项目 %(code)s") % {"code": post.project.code})
    return str(post.node.name)


def _node_id(post):
    return None if isinstance(post, ProjectStaff) else post.node_id


class FiledLate(Check):
    code = "staff.filed_late"
    title = _("岗位备案逾期")
    description = _("社工到岗（进入项目）后超过备案期限才报备。期限取本地政策（默认 7 天），可另加宽限天数。")
    defaults = {"grace_days": 0}

    def run(self, under="", since=None, *, params):
        station, project = _filing_posts(under)
        rows = [
            *station.filter(filing_submitted_on__isnull=False),
            *project.filter(filing_submitted_on__isnull=False),
        ]
        if since is not None:
            rows = [r for r in rows if r.created_at >= since or r.filing_submitted_on >= local_date(since)]
        policies = policies_for(sorted({r.region_code for r in rows}))
        for post in rows:
            due = _due(post, policies[post.region_code].filing_due_days) + datetime.timedelta(
                days=params(post.region_code)["grace_days"]
            )
            if post.filing_submitted_on <= due:
                continue
            yield Hit(
                subject=f"{post._meta.model_name}:{post.pk}",
                region_code=post.region_code,
                summary=str(_("%(where)s：应于 %(due)s 前备案，%(on)s 才报备"))
                % {"where": _where(post), "due": due, "on": post.filing_submitted_on},
                evidence=[
                    ev(
                        post,
                        _("到岗 %(d)s，报备 %(s)s") % {"d": post.start_date, "s": post.filing_submitted_on},
                    )
                ],
                occurred_on=post.filing_submitted_on,
                node_id=_node_id(post),
            )


class WorkingUnfiled(Check):
    code = "staff.working_unfiled"
    title = _("未备案即开展服务")
    description = _("岗位超过备案期限仍未报备，而该社工在此之后已有探访记录。")
    defaults = {"grace_days": 0}

    def run(self, under="", since=None, *, params):
        today = timezone.localdate()
        station, project = _filing_posts(under)
        unfiled = Q(filing_status=AssignmentFilingStatus.UNFILED, filing_submitted_on__isnull=True)
        rows = [*station.filter(unfiled), *project.filter(unfiled)]
        policies = policies_for(sorted({r.region_code for r in rows}))
        for post in rows:
            due = _due(post, policies[post.region_code].filing_due_days) + datetime.timedelta(
                days=params(post.region_code)["grace_days"]
            )
            if today <= due:
                continue
            end = post.end_date or today
            visits = Visit.objects.filter(
                worker_id=post.worker_id, visited_at__date__gt=due, visited_at__date__lte=end
            ).order_by("visited_at")
            if since is not None:
                visits = visits.filter(created_at__gte=since)
            worked = list(visits[:5])
            if not worked:
                continue
            yield Hit(
                subject=f"{post._meta.model_name}:{post.pk}",
                region_code=post.region_code,
                summary=str(_("%(where)s：备案期限 %(due)s 已过仍未报备，已开展服务"))
                % {"where": _where(post), "due": due},
                evidence=[ev(post, _("到岗 %(d)s，未报备") % {"d": post.start_date})]
                + [ev(v, _("探访 %(d)s") % {"d": local_date(v.visited_at)}) for v in worked],
                occurred_on=local_date(worked[0].visited_at),
                node_id=_node_id(post),
            )


class DepartureBreach(Check):
    code = "staff.departure"
    title = _("离职未按规定通知或未落实补员")
    description = _(
        "社工离岗未提前足额通知、超期未交接、离岗时未落实补员，或项目人员离开项目而没有离职登记。"
    )
    defaults = {"grace_days": 0}

    def run(self, under="", since=None, *, params):
        today = timezone.localdate()
        departures = Departure.objects.filter(under_q(under)).select_related("worker")
        if since is not None:
            departures = departures.filter(created_at__gte=since)
        for departure in departures:
            breaches = departure.breaches(today)
            if not breaches:
                continue
            yield Hit(
                subject=f"departure:{departure.pk}",
                region_code=departure.region_code,
                summary="；".join(breaches),
                evidence=[
                    ev(
                        departure,
                        _("提出 %(n)s，拟离岗 %(p)s")
                        % {"n": departure.notice_date, "p": departure.planned_leaving_date},
                    )
                ],
                occurred_on=departure.left_on or departure.planned_leaving_date,
            )
        # A project post ended while the worker has no departure on file around it: gone without notice.
        ended = ProjectStaff.objects.filter(
            under_q(under), end_date__isnull=False, end_date__lte=today
        ).select_related("project", "worker")
        if since is not None:
            ended = ended.filter(created_at__gte=since)
        ended = list(ended)
        if not ended:
            return
        grace = {p.pk: params(p.region_code)["grace_days"] for p in ended}
        notices = defaultdict(list)
        for row in Departure.objects.filter(worker_id__in={p.worker_id for p in ended}).values(
            "worker_id", "notice_date", "planned_leaving_date", "left_on"
        ):
            notices[row["worker_id"]].append(row)
        for post in ended:
            # The project recorded the leaving against its rules (notice, replacement, days): its verdict stands.
            if post.breaches:
                yield Hit(
                    subject=f"projectstaff-left:{post.pk}",
                    region_code=post.region_code,
                    summary=str(_("项目 %(code)s 人员于 %(d)s 离开：%(rules)s"))
                    % {
                        "code": post.project.code,
                        "d": post.end_date,
                        "rules": "；".join(breach_labels(post.breaches)),
                    },
                    evidence=[ev(post, _("离开项目 %(d)s") % {"d": post.end_date})],
                    occurred_on=post.end_date,
                )
                continue
            if post.notice_date is not None:
                continue  # left with notice given on the project and no rule broken
            moved_on = ProjectStaff.objects.filter(
                worker_id=post.worker_id, start_date__gte=post.end_date
            ).exclude(pk=post.pk)
            if moved_on.exists():
                continue  # moved to another project: not a departure
            window = datetime.timedelta(days=grace[post.pk])
            covered = any(
                n["notice_date"] <= post.end_date + window
                and (n["left_on"] or n["planned_leaving_date"])
                >= post.end_date - window - datetime.timedelta(days=60)
                for n in notices[post.worker_id]
            )
            if covered:
                continue
            yield Hit(
                subject=f"projectstaff-left:{post.pk}",
                region_code=post.region_code,
                summary=str(_("项目 %(code)s 人员于 %(d)s 离开，无离职通知登记"))
                % {"code": post.project.code, "d": post.end_date},
                evidence=[ev(post, _("离开项目 %(d)s") % {"d": post.end_date})],
                occurred_on=post.end_date,
            )


CHECKS = [TwoProjects(), FiledLate(), WorkingUnfiled(), DepartureBreach()]
