"""A project post that ended: the projects app's verdict on the leaving rules (notice, replacement, days) is what the
departure check reports; a leaving with notice and no rule broken is not a finding."""

from __future__ import annotations

import datetime

from shegong.integrity.models import Finding
from shegong.integrity.services import run_checks
from shegong.projects.models import ProjectStaff

from ..projects.helpers import make_project, make_worker


def test_a_breach_recorded_on_the_project_is_a_finding_and_a_clean_leaving_is_not(world):
    today = datetime.date.today()
    project = make_project(
        world, starts_on=today - datetime.timedelta(days=200), ends_on=today + datetime.timedelta(days=100)
    )
    breached = ProjectStaff.objects.create(
        project=project,
        worker=make_worker(world, "离岗甲"),
        start_date=project.starts_on,
        end_date=today - datetime.timedelta(days=5),
        notice_date=today - datetime.timedelta(days=20),
        breaches=["short_notice", "no_replacement"],
    )
    clean = ProjectStaff.objects.create(
        project=project,
        worker=make_worker(world, "离岗乙"),
        start_date=project.starts_on,
        end_date=today - datetime.timedelta(days=5),
        notice_date=today - datetime.timedelta(days=40),
    )
    run_checks(codes=["staff.departure"])
    found = {f.subject: f for f in Finding.objects.filter(check_code="staff.departure")}
    assert set(found) == {f"projectstaff-left:{breached.pk}"}
    summary = found[f"projectstaff-left:{breached.pk}"].summary
    assert "提前通知不足 30 天" in summary and "补员未到岗即离开" in summary
    assert f"projectstaff-left:{clean.pk}" not in found
